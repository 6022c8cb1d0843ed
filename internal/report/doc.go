// Package report writes loadgate's HTML report: one self-contained file
// that shows a run, or a base and a head side by side, with charts over
// time, the percentile curve, the SLO view and the verdict per metric.
//
// The parts fit together in the order data flows:
//
//  1. The caller (loadgate report, loadgate run -report, the Action)
//     reads results and baselines and judges them with package verdict,
//     as loadgate compare does; report never compares on its own.
//  2. [Write] takes an [Input]: per scenario its head and base results,
//     its stored baseline, and its judgement.
//  3. It builds the page's model: tables as HTML (readable without
//     JavaScript), per-second series for the charts (downsampled past
//     [MaxPoints] seconds), the SLO figures from package internal/slo,
//     bar charts as SVG.
//  4. It writes one HTML file with everything inside it: the data as
//     JSON, the charting library (uPlot, under third_party/uplot) and the
//     script that draws it. Opening it needs no network.
//
// It lives under internal and is imported only by the command and the
// Action, so that the test binaries of load tests never link it.
package report
