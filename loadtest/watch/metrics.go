package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The series a Watcher always records, and the metrics they come from.
const (
	Goroutines     = "go_goroutines"
	OpenFDs        = "process_open_fds"
	HeapInuseBytes = "heap_inuse_bytes"     // from go_memstats_heap_inuse_bytes
	GCPauseMax     = "gc_pause_max_seconds" // from go_gc_duration_seconds{quantile="1"}

	// StartTime is recorded where the service exposes it (client_golang's
	// process collector does on Linux), and is no error where it does
	// not: a change of it between scrapes says the service restarted.
	StartTime = "process_start_time_seconds"
)

const (
	heapInuseMetric = "go_memstats_heap_inuse_bytes"
	gcPauseMetric   = "go_gc_duration_seconds"
)

// maxMetricsBytes bounds a metrics page; a large exporter's is a few MB.
const maxMetricsBytes = 32 << 20

// readMetrics scrapes the metrics URL once and returns the values of the
// series it records, and which of the metrics named by [Metrics] the page
// has, a number or not. A metric of its own that the page lacks is an
// error, but the others are still returned.
func (w *Watcher) readMetrics(ctx context.Context) (values map[string]float64, listed []string, err error) {
	body, err := w.get(ctx, w.metrics.String(), "text/plain;version=0.0.4", maxMetricsBytes)
	if err != nil {
		return nil, nil, err
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		if strings.HasPrefix(strings.TrimSpace(body), "<") {
			// The parser would say "invalid metric name" of line 1.
			return nil, nil, fmt.Errorf("%s: an HTML page, not metrics in the Prometheus text format (is this the service's metrics endpoint?)", w.metrics)
		}
		return nil, nil, fmt.Errorf("%s: %w", w.metrics, err)
	}
	values = map[string]float64{}
	var missing []string
	want := func(series, metric string, value func(*dto.MetricFamily) (float64, bool)) {
		if mf, ok := families[metric]; ok {
			if v, ok := value(mf); ok {
				values[series] = v
				return
			}
		}
		missing = append(missing, metric)
	}
	want(Goroutines, Goroutines, sum)
	want(OpenFDs, OpenFDs, sum)
	want(HeapInuseBytes, heapInuseMetric, sum)
	want(GCPauseMax, gcPauseMetric, maxQuantile)
	if mf, ok := families[StartTime]; ok {
		if v, ok := sum(mf); ok {
			values[StartTime] = v
		}
	}
	var unusable []string
	for _, name := range w.opts.metrics {
		if v, ok := lookup(families, name); ok {
			values[name] = v
			listed = append(listed, name)
		} else if why := notANumber(families[name]); why != "" {
			unusable = append(unusable, why)
			listed = append(listed, name)
		}
		// A name the page lacks is not yet an error: a labelled counter
		// appears with its first increment, under the load. Stop says
		// so of a name that no scrape found (neverSeen).
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, "no "+strings.Join(missing, ", "))
	}
	problems = append(problems, unusable...)
	if len(problems) > 0 {
		return values, listed, fmt.Errorf("%s: %s", w.metrics, strings.Join(problems, "; "))
	}
	return values, listed, nil
}

// notANumber says why a metric named by [Metrics] that the page has gives
// no number, or returns "" if mf is nil: a summary or histogram is many
// series, of which Metrics takes the _sum or the _count.
func notANumber(mf *dto.MetricFamily) string {
	if mf == nil {
		return ""
	}
	kind := strings.ToLower(mf.GetType().String())
	switch mf.GetType() {
	case dto.MetricType_SUMMARY, dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		return fmt.Sprintf("%s is a %s: name %s_sum or %s_count in watch.Metrics", mf.GetName(), strings.ReplaceAll(kind, "_", " "), mf.GetName(), mf.GetName())
	}
	return fmt.Sprintf("%s has no samples", mf.GetName())
}

// sum adds up a gauge, counter or untyped metric over its label sets.
func sum(mf *dto.MetricFamily) (float64, bool) {
	var total float64
	for _, m := range mf.GetMetric() {
		switch mf.GetType() {
		case dto.MetricType_GAUGE:
			total += m.GetGauge().GetValue()
		case dto.MetricType_COUNTER:
			total += m.GetCounter().GetValue()
		case dto.MetricType_UNTYPED:
			total += m.GetUntyped().GetValue()
		default:
			return 0, false
		}
	}
	return total, len(mf.GetMetric()) > 0
}

// maxQuantile is the quantile="1" of a summary: in Go's
// go_gc_duration_seconds, the longest of the recent GC pauses.
func maxQuantile(mf *dto.MetricFamily) (float64, bool) {
	if mf.GetType() != dto.MetricType_SUMMARY || len(mf.GetMetric()) == 0 {
		return 0, false
	}
	for _, q := range mf.GetMetric()[0].GetSummary().GetQuantile() {
		if q.GetQuantile() == 1 {
			return q.GetValue(), true
		}
	}
	return 0, false
}

// lookup finds a metric named by [Metrics]: a family of its own, or the
// _sum or _count of a summary or histogram.
func lookup(families map[string]*dto.MetricFamily, name string) (float64, bool) {
	if mf, ok := families[name]; ok {
		return sum(mf)
	}
	for _, suffix := range []string{"_sum", "_count"} {
		base, ok := strings.CutSuffix(name, suffix)
		mf := families[base]
		if !ok || mf == nil {
			continue
		}
		var total float64
		for _, m := range mf.GetMetric() {
			switch {
			case mf.GetType() == dto.MetricType_SUMMARY && suffix == "_sum":
				total += m.GetSummary().GetSampleSum()
			case mf.GetType() == dto.MetricType_SUMMARY:
				total += float64(m.GetSummary().GetSampleCount())
			case mf.GetType() == dto.MetricType_HISTOGRAM && suffix == "_sum":
				total += m.GetHistogram().GetSampleSum()
			case mf.GetType() == dto.MetricType_HISTOGRAM:
				total += float64(m.GetHistogram().GetSampleCount())
			default:
				return 0, false
			}
		}
		return total, len(mf.GetMetric()) > 0
	}
	return 0, false
}

// get fetches url and returns its body, which must be 200 OK and at most
// limit bytes.
func (w *Watcher) get(ctx context.Context, url, accept string, limit int64) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", accept)
	resp, err := w.client.Do(req)
	if err != nil {
		return "", w.timedOut(ctx, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return "", w.timedOut(ctx, fmt.Errorf("%s: reading the body: %w", url, err))
	}
	if resp.StatusCode != http.StatusOK {
		return "", &statusError{url: url, status: resp.Status, code: resp.StatusCode}
	}
	if int64(len(b)) > limit {
		return "", fmt.Errorf("%s: body longer than %d bytes", url, limit)
	}
	return string(b), nil
}

// timedOut names the option that bounds the request in err if the client's
// Timeout cut it off, so that a slow service is told from a wrong one.
func (w *Watcher) timedOut(ctx context.Context, err error) error {
	var ne net.Error
	if ctx.Err() == nil && errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w (longer than watch.Timeout, %v)", err, w.opts.timeout)
	}
	return err
}

// statusError is a response other than 200 OK.
type statusError struct {
	url, status string
	code        int
}

func (e *statusError) Error() string { return fmt.Sprintf("%s: %s", e.url, e.status) }

// neverSeen adds an error for each metric named by [Metrics] that the
// page lacked on every scrape that read it: a typo most likely. It counts
// pages read, not samples kept: a page without the runtime's series keeps
// no sample. The caller holds w.mu.
func (w *Watcher) neverSeen() {
	if w.pages == 0 {
		return // every scrape failed, and said why
	}
	for _, name := range w.opts.metrics {
		if !w.listed[name] {
			w.errs.add(fmt.Errorf("%s: no %s in any of %d scrapes (is the name right? a labelled metric appears once a label set is used)", w.metrics, name, w.pages))
		}
	}
}
