package baseline

import (
	"encoding/json"
	"io"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// ComparisonSchema identifies the JSON layout [Comparison.WriteJSON]
// writes.
const ComparisonSchema = "loadgate.comparison/v1"

type jsonComparison struct {
	Schema      string    `json:"schema"`
	Scenario    string    `json:"scenario"`
	Verdict     Verdict   `json:"verdict"`
	Reasons     []string  `json:"reasons"`
	Warnings    []string  `json:"warnings"`
	Alpha       float64   `json:"alpha"`
	CILevel     float64   `json:"ci_level"` // of every lo, hi, change_lo and change_hi
	Base        jsonSide  `json:"base"`
	Head        jsonSide  `json:"head"`
	EnvMismatch []string  `json:"env_mismatch"`
	Metrics     []jsonRow `json:"metrics"`
	// Names are Comparison.Names: the rows of each request name, which
	// only warn; empty when the sides have no names to compare.
	Names []jsonRow `json:"names"`
	SLA   []jsonSLA `json:"sla"`
	Score *Score    `json:"score,omitempty"`
	// GeneratorBound lists the generator-bound runs, with why.
	GeneratorBound []string `json:"generator_bound,omitempty"`
	// Partial lists the runs that lacked shards, with which.
	Partial []string `json:"partial,omitempty"`
	// NewErrorKinds are Comparison.NewErrorKinds.
	NewErrorKinds []string `json:"new_error_kinds,omitempty"`
}

type jsonSide struct {
	Label  string       `json:"label"`
	Runs   int          `json:"runs"`
	Commit string       `json:"commit,omitempty"`
	Env    loadtest.Env `json:"env"`
}

type jsonStat struct {
	Median float64  `json:"median"`
	Lo     *float64 `json:"lo"` // null: too few runs for an interval
	Hi     *float64 `json:"hi"`
	// N counts the runs judged; with the row's generator_bound set, every
	// run shown, the bound ones among them.
	N int `json:"n"`
	// LeftOut counts the side's generator-bound runs: judged without
	// (not in N), or, with generator_bound set, the runs that left the
	// metric unjudged (Stat.LeftOut).
	LeftOut int `json:"left_out,omitempty"`
}

type jsonRow struct {
	Metric      string      `json:"metric"`
	Unit        assert.Unit `json:"unit"`
	Better      Direction   `json:"better"`
	Base        jsonStat    `json:"base"`
	Head        jsonStat    `json:"head"`
	Change      *float64    `json:"change"`    // null when the base is 0
	ChangeLo    *float64    `json:"change_lo"` // Row.ChangeLo; null when infinite
	ChangeHi    *float64    `json:"change_hi"` // Row.ChangeHi; null when infinite
	Tested      bool        `json:"tested"`
	P           float64     `json:"p"`
	Significant bool        `json:"significant"`
	Verdict     Verdict     `json:"verdict"`
	Note        string      `json:"note,omitempty"`
	// GeneratorBound: generator-bound runs left the metric unjudged
	// (Row.GeneratorBound says when).
	GeneratorBound bool `json:"generator_bound,omitempty"`
	// BoundByChange: judged on every run, bound ones too, and failed: only
	// the head's runs were generator-bound (Row.BoundByChange).
	BoundByChange bool `json:"bound_by_change,omitempty"`
	// Partial: a run lacked shards, and the metric counts or rates the
	// load: not judged (Row.Partial).
	Partial bool `json:"partial,omitempty"`
	// Rule is flattened: tolerance, warn, floor, warn_only (ignore is
	// always false, so left out: an ignored metric has no row).
	Rule
}

type jsonSLA struct {
	Run     int         `json:"run"`
	Expr    string      `json:"expr"`
	Metric  string      `json:"metric"`
	Op      string      `json:"op"`
	Actual  float64     `json:"actual"`
	Limit   float64     `json:"limit"`
	Unit    assert.Unit `json:"unit"`
	Pass    bool        `json:"pass"`
	Message string      `json:"message"`
	Where   string      `json:"where,omitempty"`
}

// WriteJSON renders c as indented JSON (schema loadgate.comparison/v1,
// documented in schema/compare.v1.json as $defs/comparison), for tools.
// Values are in their metric's base unit: nanoseconds, a fraction,
// requests per second, bytes or a count. Every metric row has the same
// keys, its change and the interval of the change at ci_level among them
// (change_lo, change_hi); a value JSON cannot hold, such as the bound of
// an interval too few runs leave infinite, is null.
func (c *Comparison) WriteJSON(w io.Writer) error {
	j := jsonComparison{
		Schema: ComparisonSchema, Scenario: c.Scenario, Verdict: c.Verdict,
		Reasons: append([]string{}, c.Reasons...), Warnings: []string{}, Alpha: c.Alpha, CILevel: CILevel,
		Base:        jsonSide{c.Base.Label, c.Base.Runs, c.Base.Commit, c.Base.Env},
		Head:        jsonSide{c.Head.Label, c.Head.Runs, c.Head.Commit, c.Head.Env},
		EnvMismatch: append([]string{}, c.EnvMismatch...),
		Metrics:     []jsonRow{}, Names: []jsonRow{}, SLA: []jsonSLA{}, Score: c.Score,
		GeneratorBound: c.GeneratorBound, Partial: c.Partial, NewErrorKinds: c.NewErrorKinds,
	}
	for _, w := range c.Warnings {
		j.Warnings = append(j.Warnings, w.Error())
	}
	st := func(s Stat) jsonStat { return jsonStat{s.Median, finite(s.Lo), finite(s.Hi), s.N, s.LeftOut} }
	row := func(r Row) jsonRow {
		return jsonRow{
			Metric: r.Metric, Unit: r.Unit, Better: r.Better, Base: st(r.Base), Head: st(r.Head),
			Change: finite(r.Change), ChangeLo: finite(r.ChangeLo), ChangeHi: finite(r.ChangeHi), Tested: r.Tested, P: r.P, Significant: r.Significant,
			Verdict: r.Verdict, Note: r.Note, GeneratorBound: r.GeneratorBound, BoundByChange: r.BoundByChange, Partial: r.Partial, Rule: r.Rule,
		}
	}
	for _, r := range c.Rows {
		j.Metrics = append(j.Metrics, row(r))
	}
	for _, r := range c.Names {
		j.Names = append(j.Names, row(r))
	}
	for _, o := range c.SLA {
		j.SLA = append(j.SLA, jsonSLA{o.Run, o.Expr, o.Metric, o.Op, orZero(o.Actual), orZero(o.Limit), o.Unit, o.Pass, o.Message, o.Where})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(j)
}

// orZero returns f, or 0 for what JSON cannot hold (an outcome that could
// not be evaluated has no meaningful values).
func orZero(f float64) float64 {
	if p := finite(f); p != nil {
		return *p
	}
	return 0
}
