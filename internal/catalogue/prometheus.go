package catalogue

// Kind is the type of a Prometheus metric family. It mirrors client_model's
// MetricType so that this package, which assert and baseline import, does
// not link client_model.
type Kind int

const (
	Counter Kind = iota
	Gauge
	Summary
)

// Family is a Prometheus metric family of the export.
type Family struct {
	Name string
	Help string
	Kind Kind
}

// Series places a metric in a Prometheus family. A counter or gauge
// family holds the metric's value, in seconds for a duration; a summary
// family holds a [Distribution], and the metric is its quantile Quantile.
type Series struct {
	Family *Family // nil: the metric is not exported
	// Label sets the metric apart from the others of its family:
	// {"when", "peak"} for goroutines_peak. Empty when it is alone.
	Label    [2]string
	Quantile float64
}

// PromValue converts v, in the base of unit u, to the base unit Prometheus
// uses: seconds for durations.
func (u Unit) PromValue(v float64) float64 {
	if u == Duration {
		return v / 1e9
	}
	return v
}
