package catalogue

// Rule is a metric's default comparison rule; baseline.Rule documents the
// fields and baseline.DefaultPolicy why each metric has the rule it has.
// Changes are relative to the baseline, oriented so that a positive change
// is a worsening.
type Rule struct {
	Tolerance float64 // the worsening that fails when significant
	Warn      float64 // the significant worsening that warns
	Floor     float64 // an absolute change, in the metric's unit, below which a change does not count
	WarnOnly  bool    // a failure only warns
}
