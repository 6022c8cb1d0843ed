// Package slo computes the service-level figures of a result, once for
// every place that shows or checks them: package assert's attainment(T)
// and windowed percentiles such as p99[10s], and loadgate report's SLO
// view.
//
//  1. [Attainment] reads a latency's HDR histogram: the share of the
//     requests that completed within an objective.
//  2. [Budget] turns a share and its goal into the error budget consumed.
//  3. [Worst] slides a window over the timeline's per-second histograms
//     and returns the window whose percentile is highest.
package slo
