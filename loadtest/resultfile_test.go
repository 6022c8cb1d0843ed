package loadtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// readResult reads a result file and checks that it is valid JSON of
// schema loadgate.result/v1.
func readResult(t *testing.T, path string) *loadtest.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatalf("%s is not valid JSON", path)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["schema"] != loadtest.SchemaVersion || loadtest.SchemaVersion != "loadgate.result/v1" {
		t.Errorf("%s: schema %v, want loadgate.result/v1", path, raw["schema"])
	}
	var r loadtest.Result
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &r
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// TestResultFile checks LOADGATE_OUT: two runs of one scenario write two
// files, name.json then name.2.json, each a whole valid result that reads
// back to what Run returned.
func TestResultFile(t *testing.T) {
	tests := []struct {
		name      string
		scenario  string
		wantFiles []string
	}{
		{name: "named scenario", scenario: "checkout", wantFiles: []string{"checkout.2.json", "checkout.json"}},
		{name: "unsafe name", scenario: "shop/checkout v2", wantFiles: []string{"shop_checkout_v2.2.json", "shop_checkout_v2.json"}},
		{name: "test name", wantFiles: []string{"TestResultFile_test_name.2.json", "TestResultFile_test_name.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv(loadtest.EnvOut, dir)
			var results []*loadtest.Result
			for range 2 {
				res := loadtest.Run(t, loadtest.Scenario{
					Name:   tt.scenario,
					Target: loadtest.Func(func(context.Context) error { return nil }),
					Load:   loadtest.Rate(100).For(200 * time.Millisecond),
				})
				if res == nil {
					return
				}
				results = append(results, res)
			}
			if got := listDir(t, dir); !slices.Equal(got, tt.wantFiles) {
				t.Fatalf("files %q, want %q", got, tt.wantFiles)
			}
			for i, name := range []string{tt.wantFiles[1], tt.wantFiles[0]} {
				if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm()&0o044 != 0o044 {
					t.Errorf("%s: %v, %v: want it readable by all (0644 less the umask)", name, fi.Mode(), err)
				}
				got := readResult(t, filepath.Join(dir, name))
				want := results[i]
				if got.RunID != want.RunID || got.Requests != want.Requests || got.Latency.P99NS != want.Latency.P99NS {
					t.Errorf("%s: run %s, %d requests, p99 %d; want run %s, %d, %d",
						name, got.RunID, got.Requests, got.Latency.P99NS, want.RunID, want.Requests, want.Latency.P99NS)
				}
				// The HDR histogram reads back: its p99 is the stored one.
				if p99, err := got.Latency.Quantile(0.99); err != nil {
					t.Errorf("%s: %v", name, err)
				} else if h, err := got.Latency.Histogram(); err != nil {
					t.Errorf("%s: %v", name, err)
				} else if hp99 := time.Duration(h.ValueAtQuantile(99)); hp99 != p99 {
					t.Errorf("%s: p99 from hdr %v, stored %v", name, hp99, p99)
				}
			}
			if results[0].RunID == results[1].RunID {
				t.Errorf("both runs have run id %s", results[0].RunID)
			}
		})
	}
}

// TestResultFileLongName: a scenario named by a long sentence was run but
// its result not written (LOADGATE_OUT: open .tmp-…: file name too long).
func TestResultFileLongName(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(loadtest.EnvOut, dir)
	name := "checkout " + strings.Repeat("while the catalogue is being reindexed ", 7)
	res := loadtest.Run(t, loadtest.Scenario{
		Name:   name,
		Target: loadtest.Func(func(context.Context) error { return nil }),
		Load:   loadtest.Rate(100).For(200 * time.Millisecond),
	})
	if res == nil {
		return
	}
	names := listDir(t, dir)
	if len(names) != 1 {
		t.Fatalf("files %q, want one result", names)
	}
	if got := readResult(t, filepath.Join(dir, names[0])); got.Scenario != name || got.RunID != res.RunID {
		t.Errorf("%s holds scenario %q run %s, want %q run %s", names[0], got.Scenario, got.RunID, name, res.RunID)
	}
}

// TestWriteFileConcurrent checks that concurrent writers of one scenario
// each get a file of their own (go test -count=N -p=N, or parallel tests)
// and leave no temporary file behind.
func TestWriteFileConcurrent(t *testing.T) {
	tests := []struct {
		name    string
		writers int
	}{
		{name: "8 writers", writers: 8},
		{name: "32 writers", writers: 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out") // WriteFile makes it
			r := &loadtest.Result{Schema: loadtest.SchemaVersion, Scenario: "same", RunID: "0123456789abcdef", Requests: 42}
			paths := make([]string, tt.writers)
			errs := make([]error, tt.writers)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range tt.writers {
				wg.Go(func() {
					<-start
					paths[i], errs[i] = loadtest.WriteFile(dir, r)
				})
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			distinct := slices.Compact(slices.Sorted(slices.Values(paths)))
			if len(distinct) != tt.writers {
				t.Errorf("%d writers got %d distinct paths: %q", tt.writers, len(distinct), paths)
			}
			names := listDir(t, dir)
			if len(names) != tt.writers {
				t.Errorf("%d files in the directory, want %d: %q", len(names), tt.writers, names)
			}
			for _, name := range names {
				if strings.HasPrefix(name, ".tmp-") {
					t.Errorf("temporary file %s left behind", name)
					continue
				}
				if got := readResult(t, filepath.Join(dir, name)); got.Requests != 42 {
					t.Errorf("%s: %d requests, want 42", name, got.Requests)
				}
			}
		})
	}
}

// TestReadFileErrors: the one reader of result files (loadgate compare,
// loadgate run and the Action all use it) names the file, and where the
// JSON is at fault its line, column and field (issue 12: the Action's
// errors were bare).
func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	good := &loadtest.Result{Schema: loadtest.SchemaVersion, Scenario: "checkout", Requests: 10, Errors: 1, ErrorRate: 0.1}
	path, err := loadtest.WriteFile(dir, good)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := loadtest.ReadFile(path); err != nil || r.Scenario != "checkout" || r.Errors != 1 {
		t.Fatalf("loadtest.ReadFile(%s) = %+v, %v", path, r, err)
	}
	tests := []struct {
		name, give, want string
	}{
		{"not JSON", "{\n  \"schema\": \"loadgate.result/v1\",\n  oops\n}\n", "bad.json:3:3: invalid character 'o'"},
		{"truncated", "{\"schema\": \"loadgate.result/v1\", \"scenario\": \"x\"", "bad.json:1:"},
		{"two objects", "{\"schema\": \"loadgate.result/v1\"}\n{}\n", "bad.json:2:1: unexpected data after the JSON object"},
		{"no schema", "{\"scenario\": \"x\"}\n", `bad.json: no "schema" field: not a loadgate result`},
		{"other schema", "{\"schema\": \"loadgate.baseline/v1\"}\n", `bad.json: schema "loadgate.baseline/v1", want "loadgate.result/v1"`},
		{"wrong type", "{\"schema\": \"loadgate.result/v1\", \"scenario\": \"x\",\n \"latency\": {\"p99_ns\": \"1ms\"}}\n", "bad.json:2:24: latency.p99_ns"},
		{"no scenario", "{\"schema\": \"loadgate.result/v1\"}\n", "bad.json: result has no scenario name"},
		{"more errors than requests", "{\"schema\": \"loadgate.result/v1\", \"scenario\": \"x\", \"requests\": 1, \"errors\": 2}\n", "bad.json: result of x: errors = 2: more than requests = 1"},
		{"error rate over 1", "{\"schema\": \"loadgate.result/v1\", \"scenario\": \"x\", \"error_rate\": 2}\n", "bad.json: result of x: error_rate = 2: want a fraction in [0, 1]"},
		// A shard's count sizes loadgate merge's work: 10^8 shards exhausted
		// its memory before this check.
		{"shard count too large", `{"schema": "loadgate.result/v1", "scenario": "x", "shard": {"index": 1, "count": 100000000, "group": "g", "run": 1}}`,
			"bad.json: result of x: shard.count = 100000000: want 1 to 10000 shards, as LOADGATE_SHARD accepts"},
		{"shard count zero", `{"schema": "loadgate.result/v1", "scenario": "x", "shard": {"index": 1, "count": 0, "group": "g", "run": 1}}`,
			"bad.json: result of x: shard.count = 0: want 1 to 10000 shards"},
		{"shard index above count", `{"schema": "loadgate.result/v1", "scenario": "x", "shard": {"index": 5, "count": 4, "group": "g", "run": 1}}`,
			"bad.json: result of x: shard.index = 5: want 1 to shard.count = 4"},
		{"shard index negative", `{"schema": "loadgate.result/v1", "scenario": "x", "shard": {"index": -1, "count": 4, "group": "g", "run": 1}}`,
			"bad.json: result of x: shard.index = -1: want 1 to shard.count = 4"},
		// A zero load start made loadgate merge report "100 requests in
		// 2562047h47m16s (0.0 req/s)".
		{"shard load start zero", `{"schema": "loadgate.result/v1", "scenario": "x", "shard": {"index": 1, "count": 2, "group": "g", "run": 1, "load_start": "0001-01-01T00:00:00Z"}}`,
			"bad.json: result of x: shard.load_start = 0001-01-01T00:00:00Z: the zero time"},
		{"shard busy negative", `{"schema": "loadgate.result/v1", "scenario": "x", "shard": {"index": 1, "count": 2, "group": "g", "run": 1, "load_start": "2026-11-23T10:00:00Z", "busy_ns": -1}}`,
			"bad.json: result of x: shard.busy_ns = -1: negative"},
		{"shard skew before the start", `{"schema": "loadgate.result/v1", "scenario": "x", "shard": {"index": 1, "count": 2, "group": "g", "run": 1, "load_start": "2026-11-23T10:00:00Z",
			"start": {"at": "2026-11-23T10:00:00Z", "first_send": "2026-11-23T10:00:00.005Z", "skew_ns": 6000000}}}`,
			"bad.json: result of x: shard.start.skew_ns = 6000000: puts the first send's planned time (first_send less the skew, 2026-11-23T09:59:59.999Z) before start.at = 2026-11-23T10:00:00Z"},
		{"shard start zero", `{"schema": "loadgate.result/v1", "scenario": "x", "shard": {"index": 1, "count": 2, "group": "g", "run": 1, "load_start": "2026-11-23T10:00:00Z",
			"start": {"at": "0001-01-01T00:00:00Z", "first_send": "2026-11-23T10:00:00.005Z", "skew_ns": 0}}}`,
			"bad.json: result of x: shard.start.at = 0001-01-01T00:00:00Z: the zero time"},
		{"timeline second negative", `{"schema": "loadgate.result/v1", "scenario": "x", "timeline": [{"second": -3}]}`,
			"bad.json: result of x: timeline[0].second = -3: negative"},
		{"missing shard out of range", `{"schema": "loadgate.result/v1", "scenario": "x", "shard": {"count": 4, "group": "g", "run": 1, "partial": true, "missing": [7]}}`,
			"bad.json: result of x: shard.missing[0] = 7: want 1 to shard.count = 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.json")
			if err := os.WriteFile(path, []byte(tt.give), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadtest.ReadFile(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), path) {
				t.Errorf("ReadFile: %v\nwant it to start with the path and contain %q", err, tt.want)
			}
		})
	}
	if _, err := loadtest.ReadFile(filepath.Join(dir, "missing.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
}

// TestReadFileTooLong: a file longer than any result is refused by its
// size before it is read (a fork's artifact of a gigabyte took several
// of the workflow_run job's memory).
func TestReadFileTooLong(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk written, no memory needed unless it is read.
	if err := f.Truncate(loadtest.MaxResultFileBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = loadtest.ReadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": 134217729 bytes, more than a result file holds (at most 128 MiB)") {
		t.Errorf("ReadFile of %d bytes: %v", loadtest.MaxResultFileBytes+1, err)
	}
}
