package assert

// Outcome is the verdict of one expression on one result: what tools such
// as the GitHub Action render without a test. Actual and Limit are in the
// base of Unit (nanoseconds, a fraction, bytes, requests per second; see
// [Unit.Format] to write them).
type Outcome struct {
	Expr     string  `json:"expr"`     // canonical, see [Expr.String]
	Scenario string  `json:"scenario"` // "" in a gate
	Metric   string  `json:"metric"`   // the left side: "p99", "goroutines_end - goroutines_start"
	Op       string  `json:"op"`       // < <= > >= == !=
	Actual   float64 `json:"actual"`
	// Limit is the limit the actual value was compared with; for a share
	// of the planned rate (throughput >= 95%) it is that share of it.
	Limit float64 `json:"limit"`
	Unit  Unit    `json:"unit"`
	Pass  bool    `json:"pass"`
	// Message says what was measured against what, pass or fail:
	// "scenario checkout: p99 = 231ms, want < 200ms (15.5% over)". When Err
	// is set it is Err's text.
	Message string `json:"message"`
	// Err says why the expression could not be evaluated (a stage that did
	// not run, a metric the result does not carry); Pass is then false and
	// Actual and Limit mean nothing.
	Err error `json:"-"`
}
