// Package catalogue lists the metrics loadgate measures, one row each, so
// that a metric is added, renamed or retuned in one place. A row
// ([Metric]) holds the metric's name in SLA expressions, its unit, which
// way it improves, where it is recorded, how to read it from a
// *loadtest.Result, its default comparison rule and scorecard dimension,
// where a baseline keeps it, its unit in the Go benchmark format and its
// Prometheus family.
//
// The rows are read, in the order data flows, by:
//
//  1. assert, which parses the names in expressions ("error_rate < 1%")
//     and reads the values, of a whole result, a stage or a request name;
//  2. baseline, whose compared metrics are the rows with a [Rule] and
//     the [PhaseMetrics] (its DefaultPolicy holds those rules, its
//     DefaultScorecard their dimensions), whose runs keep each under its
//     [Metric.BaselineKey] or by name, and whose bench export writes each
//     under its [Metric.Bench] unit;
//  3. internal/promexport, which writes each row with a Prometheus series
//     into its [Family], and each [Distribution] as a summary.
//
// The package holds plain data and imports only loadtest, so that assert
// and baseline, which both read it, stay light and free of import cycles;
// rules are numbers here, and baseline turns them into baseline.Rule.
package catalogue
