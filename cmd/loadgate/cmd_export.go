package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
	dto "github.com/prometheus/client_model/go"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/promexport"
	"github.com/loadgate/loadgate/loadtest"
)

const exportUsage = `usage: loadgate export -format bench|prometheus [-push URL] [-job name] RESULTS...

Export writes results (files or directories of them) in another format:

  bench       Go benchmark lines, one per run of a scenario
              (BenchmarkLoad/<scenario> 1 <p50> p50-ns ... <n> req/s ...),
              for benchstat and the tools that read go test -bench output.
              Baseline files are read too.
  prometheus  the Prometheus text exposition format: per run, counters of
              requests, errors by kind and responses by status, latency
              summaries (quantiles 0.5 to 0.999) overall, per HTTP phase and
              per request name, and the test process's runtime statistics,
              labelled scenario, package and run.

With -push, the Prometheus metrics are sent to a Pushgateway instead of
printed (PUT /metrics/job/<job>: they replace what the job pushed before),
for a dashboard of the latest runs.

Flags:
%s
Examples:

	loadgate export -format bench /tmp/base > base.txt
	loadgate export -format bench /tmp/head > head.txt
	benchstat base.txt head.txt

	loadgate export -format prometheus -push http://127.0.0.1:9091 /tmp/head
`

var exportFormats = []string{"bench", "prometheus"}

// pushTimeout bounds a push to the Pushgateway.
const pushTimeout = 30 * time.Second

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", exportUsage, stdout)
	format := fs.String("format", "", "output `format`: bench or prometheus (required)")
	pushURL := fs.String("push", "", "Pushgateway `URL` (http://host:9091) to push the Prometheus metrics to, instead of printing them")
	job := fs.String("job", "loadgate", "job `name` to push under (the Pushgateway's grouping key)")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return helpOrErr(err)
	}
	switch {
	case *format == "":
		return usageErrorf("export", "-format is required: bench or prometheus")
	case *format != "bench" && *format != "prometheus":
		return oneOf("export", "format", *format, exportFormats...)
	case *pushURL != "" && *format != "prometheus":
		return usageErrorf("export", "-push needs -format prometheus")
	case *job == "":
		return usageErrorf("export", "-job is empty")
	case len(paths) == 0:
		return usageErrorf("export", "want one or more result files or directories")
	}
	if *pushURL != "" {
		if err := checkPushURL(*pushURL); err != nil {
			return err
		}
	}
	set, err := readInputs(paths...)
	if err != nil {
		return inputError("export", err)
	}
	if *format == "bench" {
		return exportBench(stdout, set)
	}
	for _, k := range set.keys() {
		if b, ok := set.Baselines[k]; ok {
			return inputError("export", fmt.Errorf("%s is a baseline: -format prometheus exports results (LOADGATE_OUT files)", b.Path))
		}
	}
	families := prometheusFamilies(set)
	if *pushURL == "" {
		return promexport.Write(stdout, families)
	}
	if err := pushMetrics(ctx, *pushURL, *job, families); err != nil {
		return &exitError{code: exitTrouble, err: fmt.Errorf("export: %w", err)}
	}
	n := 0
	for _, mf := range families {
		n += len(mf.Metric)
	}
	fmt.Fprintf(stdout, "pushed %d series of %d metrics to %s (job %q)\n", n, len(families), *pushURL, *job)
	return nil
}

// exportBench writes the runs of every scenario as benchmark lines.
func exportBench(w io.Writer, set *inputSet) error {
	var samples []baseline.Sample
	for _, k := range set.keys() {
		s, err := set.sampleOf(k, "")
		if err != nil {
			return inputError("export", err)
		}
		samples = append(samples, s)
	}
	return baseline.WriteBenchmarks(w, samples...)
}

// prometheusFamilies exports the results of every scenario as Prometheus
// metric families.
func prometheusFamilies(set *inputSet) []*dto.MetricFamily {
	var scenarios [][]*loadtest.Result
	for _, k := range set.keys() {
		results := make([]*loadtest.Result, len(set.Results[k]))
		for i, r := range set.Results[k] {
			results[i] = r.Result
		}
		scenarios = append(scenarios, results)
	}
	return promexport.Families(scenarios...)
}

func checkPushURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErrorf("export", "-push %q: want the Pushgateway's URL, such as http://127.0.0.1:9091", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		// The push appends /metrics/job/<job> to the path: a query or a
		// fragment would swallow it.
		return usageErrorf("export", "-push %q: want the Pushgateway's URL without a query or fragment, such as http://127.0.0.1:9091", raw)
	}
	return nil
}

// pushMetrics replaces the metrics of job on the Pushgateway at pushURL.
func pushMetrics(ctx context.Context, pushURL, job string, families []*dto.MetricFamily) error {
	ctx, cancel := context.WithTimeout(ctx, pushTimeout)
	defer cancel()
	g := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return families, nil })
	return push.New(pushURL, job).Gatherer(g).Client(&http.Client{}).PushContext(ctx)
}
