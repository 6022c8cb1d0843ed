package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/rootcause"
	"github.com/loadgate/loadgate/internal/verdict"
)

// report is the comparison of two sets of results or baselines: one
// comparison per scenario they share, and the scenarios only one side has.
// loadgate compare renders it; a later loadgate action can post it.
type report struct {
	Comparisons []scenarioComparison
	OnlyBase    []scenarioKey
	OnlyHead    []scenarioKey
	// New are the judgements of the scenarios of OnlyHead that have runs:
	// with nothing to compare with, their SLA and leaks still judge them,
	// as loadgate run and the Action judge a scenario without a baseline.
	New []*verdict.Scenario
	// Run is the verdict, as loadgate run and the Action decide it: the
	// comparisons, and the goroutines the new results leaked.
	Run verdict.Run
	// NoBase says that no BASE was given (loadgate compare NEW): every
	// scenario is one of New, judged by its SLA limits and leaks.
	NoBase bool
}

type scenarioComparison struct {
	Key scenarioKey
	*baseline.Comparison
	Judged *verdict.Scenario
	// Cause says where the time went, from the runs' profiles; nil when
	// the new runs took none.
	Cause *rootcause.Report
	// BaseKey is the base's scenario Key was matched with.
	BaseKey scenarioKey
}

// compareSets compares every scenario of head with the same scenario in
// base. Scenarios match by package and name; a scenario whose package
// differs (a moved package) still matches by name when the name is unique
// on both sides.
func compareSets(base, head *inputSet, j *baseline.Judge) (*report, error) {
	r := &report{}
	baseKeys := base.keys()
	matched := map[scenarioKey]bool{}
	for _, hk := range head.keys() {
		bk, ok := matchKey(hk, baseKeys, matched)
		if !ok {
			r.OnlyHead = append(r.OnlyHead, hk)
			continue
		}
		matched[bk] = true
		bs, err := base.sampleOf(bk, "base")
		if err != nil {
			return nil, fmt.Errorf("BASE: %w", err)
		}
		hs, err := head.sampleOf(hk, "head")
		if err != nil {
			return nil, fmt.Errorf("NEW: %w", err)
		}
		c, err := j.Compare(bs, hs)
		if err != nil {
			return nil, err
		}
		v := verdict.Compared(verdict.Input{Name: hk.Scenario, Package: hk.Package, Base: resultsOf(base.Results[bk]), Head: resultsOf(head.Results[hk])}, c)
		r.Comparisons = append(r.Comparisons, scenarioComparison{hk, c, v, explain(hk, base.Results[bk], head.Results[hk]), bk})
		r.Run.Scenarios = append(r.Run.Scenarios, v)
	}
	for _, hk := range r.OnlyHead {
		rs := head.Results[hk]
		if len(rs) == 0 {
			continue // a baseline only: no run to judge
		}
		// A shard's SLA limits hold on its slice of the load, not on the
		// load: compare -sla FILE on a shard directory passed what only
		// the merged result can tell (what k6 does with thresholds).
		if err := shardIn(rs); err != nil {
			return nil, fmt.Errorf("NEW: %w", err)
		}
		v := verdict.Judge(j, verdict.Input{Name: hk.Scenario, Package: hk.Package, Test: topTest(rs[0].Test),
			Head: resultsOf(rs), NoBase: "not in the base"})
		r.New = append(r.New, v)
		r.Run.Scenarios = append(r.Run.Scenarios, v)
	}
	r.Run.Correct()
	for _, bk := range baseKeys {
		if !matched[bk] {
			r.OnlyBase = append(r.OnlyBase, bk)
		}
	}
	return r, nil
}

func matchKey(k scenarioKey, keys []scenarioKey, taken map[scenarioKey]bool) (scenarioKey, bool) {
	for _, b := range keys {
		if b == k && !taken[b] {
			return b, true
		}
	}
	var byName []scenarioKey
	for _, b := range keys {
		if b.Scenario == k.Scenario && !taken[b] {
			byName = append(byName, b)
		}
	}
	if len(byName) == 1 {
		return byName[0], true
	}
	return scenarioKey{}, false
}

// verdict is the run's verdict (verdict.Run.Verdict).
func (r *report) verdict() baseline.Verdict { return r.Run.Verdict() }

// headline sums the report up in one line: the verdict's word, then the
// headline every report shares (verdict.Run.Headline).
func (r *report) headline() string {
	return r.Run.Word() + ": " + r.Run.Headline()
}

// keyNames writes keys as a list, each named by scenarioNames.
func keyNames(keys []scenarioKey) string {
	return strings.Join(scenarioNames(keys), ", ")
}

// scenarioNames names each key as a list of them all does
// (cell.ScenarioNames): "TestLoad (cart)" when several packages hold
// the name.
func scenarioNames(keys []scenarioKey) []string {
	all := make([]cell.Scenario, len(keys))
	for i, k := range keys {
		all[i] = cell.Scenario{Name: k.Scenario, Package: k.Package}
	}
	return cell.ScenarioNames(all)
}

// names names every scenario of r, compared or only on one side, by the
// rule of scenarioNames over them all: "only in NEW: TestLoad" is not
// read as the TestLoad of the other package, compared above.
func (r *report) names() map[scenarioKey]string {
	var keys []scenarioKey
	for _, c := range r.Comparisons {
		keys = append(keys, c.Key)
	}
	keys = append(append(keys, r.OnlyBase...), r.OnlyHead...)
	out := map[scenarioKey]string{}
	for i, n := range scenarioNames(keys) {
		out[keys[i]] = n
	}
	return out
}

// listOf writes keys as a list, each named as r names it.
func (r *report) listOf(keys []scenarioKey) string {
	names := r.names()
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = names[k]
	}
	return strings.Join(out, ", ")
}

// writeText writes each comparison as benchstat-like table, then the
// headline.
func (r *report) writeText(w io.Writer) error {
	var b bytes.Buffer
	names := r.names()
	for i, c := range r.Comparisons {
		if i > 0 {
			b.WriteString("\n")
		}
		if names[c.Key] != c.Scenario {
			fmt.Fprintf(&b, "package %s\n", c.Key.Package)
		}
		if err := c.WriteText(&b); err != nil {
			return err
		}
		if c.Cause != nil {
			b.WriteString("\n")
			if err := c.Cause.WriteText(&b); err != nil {
				return err
			}
		}
	}
	if len(r.Comparisons) > 0 {
		b.WriteString("\n")
	}
	if len(r.OnlyBase) > 0 {
		fmt.Fprintf(&b, "only in BASE, not compared: %s\n", r.listOf(r.OnlyBase))
	}
	if len(r.OnlyHead) > 0 && !r.NoBase {
		fmt.Fprintf(&b, "only in NEW, not compared: %s\n", r.listOf(r.OnlyHead))
	}
	for _, s := range r.judgedNew() {
		if r.NoBase {
			fmt.Fprintf(&b, "%s: %s (%s)\n", s.Name, s.Word(), slaText(s.SLA))
		} else {
			fmt.Fprintf(&b, "%s (only in NEW): %s\n", s.Name, s.Word())
		}
		for _, why := range s.Why {
			fmt.Fprintf(&b, "  - %s\n", why)
		}
	}
	fmt.Fprintln(&b, r.headline())
	_, err := w.Write(b.Bytes())
	return err
}

// writeMarkdown writes the comparisons as GitHub Markdown, a headline
// first when there are several.
func (r *report) writeMarkdown(w io.Writer) error {
	var b bytes.Buffer
	if len(r.Comparisons) > 1 {
		icon := cell.Icon(r.Run.Shown())
		fmt.Fprintf(&b, "## %s loadgate: %s\n\n", icon, r.headline())
	}
	names := r.names()
	for i, c := range r.Comparisons {
		if i > 0 {
			b.WriteString("\n")
		}
		if names[c.Key] != c.Scenario {
			fmt.Fprintf(&b, "Package `%s`:\n\n", c.Key.Package)
		}
		if err := c.WriteMarkdown(&b); err != nil {
			return err
		}
		if c.Cause != nil {
			b.WriteString("\n")
			if err := c.Cause.WriteMarkdown(&b); err != nil {
				return err
			}
		}
	}
	if len(r.OnlyBase) > 0 {
		fmt.Fprintf(&b, "\nOnly in the base, not compared: %s\n", r.listOf(r.OnlyBase))
	}
	if len(r.OnlyHead) > 0 && !r.NoBase {
		fmt.Fprintf(&b, "\nOnly in the new results, not compared: %s\n", r.listOf(r.OnlyHead))
	}
	if r.NoBase {
		fmt.Fprintf(&b, "## %s loadgate: %s\n", cell.Icon(r.Run.Shown()), cell.Markdown(r.headline()))
	}
	if news := r.judgedNew(); len(news) > 0 {
		b.WriteString("\n")
		for _, s := range news {
			why := strings.Join(s.Why, "; ")
			if r.NoBase {
				why = strings.Join(append([]string{slaText(s.SLA)}, s.Why...), "; ")
			}
			fmt.Fprintf(&b, "- %s `%s`: %s\n", cell.Icon(s.Shown()), strings.ReplaceAll(s.Name, "`", "'"), cell.Markdown(why))
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// judgedNew are the scenarios only in NEW whose SLA or leaks judged them
// other than pass, for the outputs to say why; with no BASE given, every
// scenario, each judged by its SLA alone.
func (r *report) judgedNew() []*verdict.Scenario {
	var out []*verdict.Scenario
	for _, s := range r.New {
		if s.Verdict != baseline.Pass || r.NoBase {
			out = append(out, s)
		}
	}
	return out
}

// slaText says how a scenario's SLA limits fared over its runs: "2 SLA
// limits held in 5 runs", "1 of 2 SLA limits breached (in 3 of 5 runs)".
func slaText(outs []baseline.SLAOutcome) string {
	var exprs []string
	runs := 0
	for _, o := range outs {
		if !slices.Contains(exprs, o.Expr) {
			exprs = append(exprs, o.Expr)
		}
		runs = max(runs, o.Run)
	}
	if len(exprs) == 0 {
		return "no SLA limit matches it"
	}
	if b := baseline.SLABreaches(outs); len(b) > 0 {
		return fmt.Sprintf("%d of %s breached", len(b), cell.Plural(len(exprs), "SLA limit"))
	}
	return fmt.Sprintf("%s held in %s", cell.Plural(len(exprs), "SLA limit"), cell.Plural(runs, "run"))
}

// reportSchema identifies the JSON layout of loadgate compare -format json.
const reportSchema = "loadgate.compare/v1"

type jsonKey struct {
	Package  string `json:"package,omitempty"`
	Scenario string `json:"scenario"`
}

// jsonNew is a scenario only in NEW: its verdict and why, from its SLA
// and leaks, when it has runs.
type jsonNew struct {
	jsonKey
	Verdict *baseline.Verdict `json:"verdict,omitempty"`
	Judged  *bool             `json:"judged,omitempty"`
	Reasons []string          `json:"reasons,omitempty"`
}

// writeJSON writes the report as one JSON document: the overall verdict,
// each comparison as baseline.Comparison.WriteJSON writes it, and the
// scenarios only one side has.
func (r *report) writeJSON(w io.Writer) error {
	doc := struct {
		Schema      string            `json:"schema"`
		Verdict     baseline.Verdict  `json:"verdict"`
		Judged      bool              `json:"judged"`
		Comparisons []json.RawMessage `json:"comparisons"`
		OnlyInBase  []jsonKey         `json:"only_in_base"`
		OnlyInNew   []jsonNew         `json:"only_in_new"`
	}{Schema: reportSchema, Verdict: r.verdict(), Judged: r.Run.Judged(), Comparisons: []json.RawMessage{}, OnlyInBase: []jsonKey{}, OnlyInNew: []jsonNew{}}
	for _, c := range r.Comparisons {
		var b bytes.Buffer
		if err := c.WriteJSON(&b); err != nil {
			return err
		}
		doc.Comparisons = append(doc.Comparisons, json.RawMessage(b.Bytes()))
	}
	for _, k := range r.OnlyBase {
		doc.OnlyInBase = append(doc.OnlyInBase, jsonKey(k))
	}
	for _, k := range r.OnlyHead {
		n := jsonNew{jsonKey: jsonKey(k)}
		for _, s := range r.New {
			if s.Package == k.Package && s.Name == k.Scenario {
				judged := s.Judged()
				n.Verdict, n.Judged, n.Reasons = &s.Verdict, &judged, s.Why
			}
		}
		doc.OnlyInNew = append(doc.OnlyInNew, n)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
