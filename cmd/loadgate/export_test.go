package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/perf/benchfmt"
)

// TestExportBenchReadByBenchfmt reads the exported lines back with
// golang.org/x/perf/benchfmt, the reader of benchstat: every run is a
// result with every unit, and nothing is a syntax error.
func TestExportBenchReadByBenchfmt(t *testing.T) {
	r := loadgate(context.Background(), "export", "-format", "bench", "testdata/results/slow")
	if r.code != 0 {
		t.Fatalf("export failed:\n%s", r)
	}
	br := benchfmt.NewReader(strings.NewReader(r.stdout), "slow.txt")
	results := 0
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		case *benchfmt.Result:
			results++
			if got := string(rec.Name.Full()); got != "Load/checkout_at_150_per_second" {
				t.Errorf("benchmark name %q, want Load/checkout_at_150_per_second", got)
			}
			// benchfmt reads a -ns unit as seconds, as benchstat shows it.
			if v, ok := rec.Value("p50-sec"); !ok || v <= 0 || v > 1 {
				t.Errorf("p50-sec = %v, %v; want a positive number of seconds", v, ok)
			}
			if _, ok := rec.Value("req/s"); !ok {
				t.Error("no req/s value")
			}
		}
	}
	if err := br.Err(); err != nil {
		t.Fatal(err)
	}
	if results != 5 {
		t.Errorf("%d results, want one per run (5)", results)
	}
}

// TestExportBenchstat runs benchstat itself on the exported base and head,
// when it is installed (go install golang.org/x/perf/cmd/benchstat@latest).
func TestExportBenchstat(t *testing.T) {
	benchstat, err := exec.LookPath("benchstat")
	if err != nil {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		benchstat = filepath.Join(gopath, "bin", "benchstat")
		if _, err := os.Stat(benchstat); err != nil {
			t.Skip("benchstat is not installed (go install golang.org/x/perf/cmd/benchstat@latest)")
		}
	}
	dir := t.TempDir()
	for _, side := range []string{"base", "slow"} {
		r := loadgate(context.Background(), "export", "-format", "bench", "testdata/results/"+side)
		if r.code != 0 {
			t.Fatalf("export failed:\n%s", r)
		}
		if err := os.WriteFile(filepath.Join(dir, side+".txt"), []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(benchstat, "base.txt", "slow.txt")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("benchstat: %v\n%s", err, out)
	}
	for _, want := range []string{"p50-sec", "req/s", "Load/checkout_at_150_per_second", "p=0.008 n=5"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("benchstat's output lacks %q:\n%s", want, out)
		}
	}
	if bytes.Contains(out, []byte("parsing")) || bytes.Contains(out, []byte("syntax")) {
		t.Errorf("benchstat complained:\n%s", out)
	}
	t.Logf("benchstat base.txt slow.txt:\n%s", out)
}

// TestExportPrometheusRoundTrip parses the exported text back with
// prometheus/common's text parser and checks the values against the
// results.
func TestExportPrometheusRoundTrip(t *testing.T) {
	r := loadgate(context.Background(), "export", "-format", "prometheus", "../../testdata/gotest/examples", "testdata/results/slow")
	if r.code != 0 {
		t.Fatalf("export failed:\n%s", r)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(r.stdout))
	if err != nil {
		t.Fatalf("the Prometheus text parser refused the export: %v", err)
	}
	set, err := readInputs("../../testdata/gotest/examples", "testdata/results/slow")
	if err != nil {
		t.Fatal(err)
	}
	want := prometheusFamilies(set)
	if len(families) != len(want) {
		t.Errorf("%d families parsed, %d exported", len(families), len(want))
	}
	for _, w := range want {
		got := families[w.GetName()]
		if got == nil {
			t.Errorf("family %s is missing", w.GetName())
			continue
		}
		if got.GetType() != w.GetType() || len(got.Metric) != len(w.Metric) {
			t.Errorf("family %s: type %v with %d series, want %v with %d", w.GetName(), got.GetType(), len(got.Metric), w.GetType(), len(w.Metric))
		}
	}
	// One value, through the text and back: the requests of the third
	// run of the checkout scenario.
	runs := set.Results[scenarioKey{"github.com/loadgate/loadgate/examples/shop", "checkout at 150 per second"}]
	wantReq := float64(runs[2].Requests)
	found := false
	for _, m := range families["loadgate_requests_total"].Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["scenario"] == "checkout at 150 per second" && labels["run"] == "3" {
			found = true
			if got := m.GetCounter().GetValue(); got != wantReq {
				t.Errorf("loadgate_requests_total of run 3 = %v, want %v", got, wantReq)
			}
		}
	}
	if !found {
		t.Error("no loadgate_requests_total series for run 3 of the checkout scenario")
	}
	lat := families["loadgate_latency_seconds"]
	if lat.GetType().String() != "SUMMARY" || len(lat.Metric[0].GetSummary().GetQuantile()) != 5 {
		t.Errorf("loadgate_latency_seconds = %v, want a summary with 5 quantiles", lat)
	}
}

// TestExportPushgateway pushes to a real Pushgateway, started on a
// loopback port, and reads the metrics back from it. Debian packages it
// as prometheus-pushgateway; the test skips where it is not installed.
func TestExportPushgateway(t *testing.T) {
	bin := ""
	for _, name := range []string{"prometheus-pushgateway", "pushgateway"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no Pushgateway installed (apt-get install prometheus-pushgateway)")
	}
	if testing.Short() {
		t.Skip("starts a Pushgateway process; skipped in -short mode")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cancel()
	url := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Pushgateway at %s did not get ready: %v\n%s", url, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	r := loadgate(context.Background(), "export", "-format", "prometheus", "-push", url, "-job", "loadgate-test", "../../testdata/gotest/examples")
	if r.code != 0 {
		t.Fatalf("push failed:\n%s\nPushgateway log:\n%s", r, logs.String())
	}
	t.Logf("%s", strings.TrimSpace(r.stdout))
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parsing the Pushgateway's /metrics: %v", err)
	}
	req := families["loadgate_requests_total"]
	if req == nil {
		t.Fatalf("the Pushgateway does not serve loadgate_requests_total:\n%s", body)
	}
	var series []string
	for _, m := range req.Metric {
		var ls []string
		for _, l := range m.Label {
			ls = append(ls, l.GetName()+"="+l.GetValue())
		}
		series = append(series, fmt.Sprintf("{%s} %v", strings.Join(ls, ","), m.GetCounter().GetValue()))
	}
	if len(series) != 6 {
		t.Errorf("%d series of loadgate_requests_total, want 6 (one per result):\n%s", len(series), strings.Join(series, "\n"))
	}
	if !strings.Contains(strings.Join(series, "\n"), `job=loadgate-test`) {
		t.Errorf("the series lack the job label of the push:\n%s", strings.Join(series, "\n"))
	}
	t.Logf("loadgate_requests_total as the Pushgateway serves it:\n%s", strings.Join(series, "\n"))
}

// TestExportGeneratorBound: exports mark generator-bound runs: a
// configuration line before them in the benchmark format (benchstat tables
// them apart), a loadgate_generator_bound series in Prometheus's.
func TestExportGeneratorBound(t *testing.T) {
	dir := "../../testdata/agreement/bound/head" // runs 1, 3 and 5 bound
	r := loadgate(context.Background(), "export", "-format", "bench", dir)
	if r.code != 0 {
		t.Fatalf("export failed:\n%s", r)
	}
	var marks []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "generator-bound: ") {
			marks = append(marks, strings.TrimPrefix(l, "generator-bound: "))
		}
	}
	if got := strings.Join(marks, " "); got != "yes no yes no yes" {
		t.Errorf("generator-bound lines %q, want yes no yes no yes:\n%s", got, r.stdout)
	}
	r = loadgate(context.Background(), "export", "-format", "prometheus", dir)
	// The fixture's unbound runs say nothing of their generator: no series.
	if r.code != 0 || strings.Count(r.stdout, "\nloadgate_generator_bound{") != 3 || !strings.Contains(r.stdout, `,run="3"} 1`) {
		t.Errorf("prometheus export lacks loadgate_generator_bound for each run:\n%s", r.stdout)
	}
}

// TestExportPushErrors: a -push that cannot be the Pushgateway's URL is
// refused before anything is read or sent.
func TestExportPushErrors(t *testing.T) {
	for _, c := range []struct{ name, url, want string }{
		{"not http", "ftp://127.0.0.1:9091", `-push "ftp://127.0.0.1:9091": want the Pushgateway's URL`},
		{"a query", "http://127.0.0.1:9091/?x", `-push "http://127.0.0.1:9091/?x": want the Pushgateway's URL without a query or fragment`},
		{"a fragment", "http://127.0.0.1:9091#a", `without a query or fragment`},
	} {
		r := loadgate(context.Background(), "export", "-format", "prometheus", "-push", c.url, "testdata/results/base")
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: %s\nwant exit 2 and %q", c.name, r, c.want)
		}
	}
}

// TestExportRunTwice: a result given twice (the same file, or a copy) was
// exported as two runs of the scenario, run="1" and run="2"; it is
// refused naming both files, as compare and -format bench refuse it.
func TestExportRunTwice(t *testing.T) {
	dir := "../../testdata/gotest/examples"
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no result in %s: %v", dir, err)
	}
	for _, format := range []string{"prometheus", "bench"} {
		r := loadgate(context.Background(), "export", "-format", format, files[0], files[0])
		if r.code != exitUsage || !strings.Contains(r.stderr, files[0]+" and "+files[0]+": the same run twice") {
			t.Errorf("export -format %s of one file twice: exit %d, stderr:\n%s\nwant exit %d naming the file twice", format, r.code, r.stderr, exitUsage)
		}
	}
}
