package app

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/loadgate/loadgate/internal/atomicfile"
	htmlreport "github.com/loadgate/loadgate/internal/report"
	"github.com/loadgate/loadgate/loadtest"
)

// HTMLReportFile is the HTML report's name in the results directory, so
// that it is uploaded with the results artifact.
const HTMLReportFile = "report.html"

// writeHTML writes the HTML report of r into dir: the same judgement as
// the comment, each scenario with its head and base runs (or its stored
// baseline).
func writeHTML(dir string, r *Report, res *Results) (string, error) {
	in := htmlreport.Input{Title: "loadgate: " + r.title(), Run: r.Run, Notes: r.Notes}
	if r.Key != "" {
		in.Title = fmt.Sprintf("loadgate (%s): %s", r.Key, r.title())
	}
	for _, s := range r.Scenarios {
		var head, base []*loadtest.Result
		for _, h := range res.Head {
			if h.Package == s.Package && h.Scenario == s.Name && topTest(h.Test) == s.Test {
				head = append(head, h)
			}
		}
		if len(head) == 0 {
			continue
		}
		for _, b := range res.Base {
			if b.Package == s.Package && b.Scenario == s.Name {
				base = append(base, b)
			}
		}
		sc := htmlreport.Scenario{Name: s.Name, Package: s.Package, Head: head, Base: base, Judged: s.Scenario, Cause: s.Cause}
		if len(base) == 0 {
			sc.Stored = findBaseline(res.Baselines, s.Package, s.Name)
		}
		in.Scenarios = append(in.Scenarios, sc)
	}
	if len(in.Scenarios) == 0 {
		return "", nil
	}
	path := filepath.Join(dir, HTMLReportFile)
	return path, atomicfile.Write(path, func(w io.Writer) error { return htmlreport.Write(w, in) })
}
