package report

import _ "embed"

// The charting library, uPlot (MIT, third_party/uplot/LICENSE), at the
// version third_party/uplot/VERSION names; scripts/refresh-charts.sh
// fetches it.
var (
	//go:embed third_party/uplot/uPlot.iife.min.js
	uplotJS string
	//go:embed third_party/uplot/uPlot.min.css
	uplotCSS string
	//go:embed third_party/uplot/LICENSE
	uplotLicense string
)

// The page's own template, style and drawing script.
var (
	//go:embed page.html
	pageHTML string
	//go:embed report.css
	reportCSS string
	//go:embed report.js
	reportJS string
)
