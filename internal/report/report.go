package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"time"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/rootcause"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// MaxPoints bounds the points of a series over time: a longer timeline is
// downsampled into buckets of whole seconds, keeping each bucket's highest
// percentile (a stall stays visible) and its mean rate. With it a report's
// size grows with the number of scenarios, not with the length of the run
// (docs/REPORT.md gives figures).
const MaxPoints = 900

// Input is what a report shows. Its zero SLO takes the objectives from the
// SLA expressions of the judgements, if any.
type Input struct {
	// Title heads the page; default "loadgate report".
	Title string
	// Scenarios are shown in order.
	Scenarios []Scenario
	// Run is the verdict of the whole run, as loadgate compare and the
	// Action decide it; nil when nothing was judged.
	Run *verdict.Run
	// SLO sets the objectives of the SLO view.
	SLO SLO
	// Notes are shown under the headline: scenarios only one side has,
	// where the inputs came from.
	Notes []string
}

// SLO holds the service-level objectives the report measures each scenario
// against. Zero fields are taken from the judgement's SLA expressions: the
// first latency percentile limit (p99 < 300ms is 300ms for 99% of the
// requests) or attainment(T) >= G, the first error_rate limit, the first
// windowed percentile's window.
type SLO struct {
	// Objective is the latency a request should take at most, and Goal the
	// share of requests that should (0.99).
	Objective time.Duration
	Goal      float64
	// SuccessGoal is the share of requests that should succeed (0.999).
	SuccessGoal float64
	// Window is the length of the worst window shown; default 10s.
	Window time.Duration
}

// Scenario is one scenario's results and judgement.
type Scenario struct {
	Name, Package string
	// Head are the runs shown; Base the runs compared with, if any.
	Head, Base []*loadtest.Result
	// Stored is the stored baseline compared with, if any (it has no
	// timeline, only its runs' figures and merged latencies).
	Stored *baseline.Baseline
	// Judged is the scenario's verdict with its comparison and SLA
	// outcomes; nil when it was not judged.
	Judged *verdict.Scenario
	// Cause says where the time went, from the runs' profiles
	// (rootcause.Explain); nil when the runs took none.
	Cause *rootcause.Report
}

// Write writes the report as one HTML file.
func Write(w io.Writer, in Input) error {
	p, err := build(in)
	if err != nil {
		return err
	}
	t, err := template.New("page").Funcs(template.FuncMap{"icon": cell.Icon, "changeHeading": func() string { return cell.ChangeHeading }}).Parse(pageHTML)
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// page is the template's data.
type page struct {
	Title   string
	Verdict string // pass, warn, inconclusive, fail; "" when not judged (cell.Icon shows it ⚪)
	// Word and Headline are the line loadgate compare ends with:
	// "FAIL: 2 of 3 scenarios failed: …"; empty without a run's verdict,
	// when the title shows no icon either.
	Word, Headline string
	Notes          []string
	Scenarios      []*scenarioView
	Data           template.JS
	UPlotJS        template.JS
	UPlotCSS       template.CSS
	CSS            template.CSS
	JS             template.JS
	License        string
	Charts         int // charts the script draws, for the drawn-marker check
}

func build(in Input) (*page, error) {
	p := &page{
		Title: in.Title, Notes: in.Notes,
		UPlotJS: template.JS(uplotJS), UPlotCSS: template.CSS(uplotCSS),
		CSS: template.CSS(reportCSS), JS: template.JS(reportJS), License: uplotLicense,
	}
	if p.Title == "" {
		p.Title = "loadgate report"
	}
	if in.Run != nil {
		// Unjudged, the page says NOT JUDGED without the colour and
		// icon of a pass.
		p.Verdict = in.Run.Shown()
		p.Word, p.Headline = in.Run.Word(), in.Run.Headline()
	}
	charts := map[string]*chartSpec{}
	for i, s := range in.Scenarios {
		v, err := buildScenario(fmt.Sprintf("s%d", i), s, in.SLO)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		for _, c := range append(slices.Clone(v.Charts), v.Server...) {
			charts[c.ID] = c.spec
			p.Charts++
		}
		p.Scenarios = append(p.Scenarios, v)
	}
	navNames(p.Scenarios)
	data, err := json.Marshal(struct {
		Charts map[string]*chartSpec `json:"charts"`
	}{charts})
	if err != nil {
		return nil, err
	}
	// json.Marshal escapes <, > and &, so the data cannot end the script
	// element it sits in.
	p.Data = template.JS(data)
	return p, nil
}

// navNames names each scenario in the page's list as every list of
// loadgate does (cell.ScenarioNames): "TestLoadCheckout (shop)" when
// scenarios of several packages share the name.
// The list named two TestLoadCheckout alike, with their verdicts beside
// them, and the headline's words could not tell which failed.
func navNames(views []*scenarioView) {
	all := make([]cell.Scenario, len(views))
	for i, v := range views {
		all[i] = cell.Scenario{Name: v.Name, Package: v.Package}
	}
	for i, name := range cell.ScenarioNames(all) {
		views[i].NavName = name
	}
}
