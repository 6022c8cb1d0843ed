package app

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/loadtest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares got with testdata/name. With -update it rewrites the
// file; on a mismatch it writes testdata/name.got beside it and prints a
// diff, as benchstat's tests do.
func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		_ = os.WriteFile(path+".got", []byte(got), 0o644)
		t.Errorf("%s changed (-golden +got), got written to %s.got; if intended, run go test -update:\n%s", path, path, diff)
	} else {
		os.Remove(path + ".got")
	}
}

// testEnv is the machine of synthetic results.
var testEnv = fixture.Env

const shopPkg = fixture.Package

// fake describes a synthetic result (see internal/fixture).
type fake struct {
	scenario, test string
	p50, p99       float64 // milliseconds
	errorRate      float64
	seconds        int
	leaks          []loadtest.Leak
	env            *loadtest.Env
}

func (f fake) result(run int) *loadtest.Result {
	return fixture.Fake{Scenario: f.scenario, Test: f.test, P50: f.p50, P99: f.p99, ErrorRate: f.errorRate,
		Seconds: f.seconds, Leaks: f.leaks, Env: f.env}.Result(run)
}

// writeResults writes results into dir/side as loadtest does.
func writeResults(t *testing.T, dir, side string, results ...*loadtest.Result) {
	t.Helper()
	for _, r := range results {
		if _, err := loadtest.WriteFile(filepath.Join(dir, side), r); err != nil {
			t.Fatal(err)
		}
	}
}

// runs makes one result per value of p99 (ms); p50 moves with noise.
func runs(f fake, p50s, p99s []float64) []*loadtest.Result {
	var out []*loadtest.Result
	for i := range p99s {
		g := f
		g.p50, g.p99 = p50s[i], p99s[i]
		out = append(out, g.result(i+1))
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeResultFile(dir, side string, r *loadtest.Result) (string, error) {
	return loadtest.WriteFile(filepath.Join(dir, side), r)
}

// The repository, pull request and tokens the GitHub API double knows.
const (
	writeToken = "ghs_writeTOKEN0123456789"
	readToken  = "ghs_readonlyTOKEN0123456789"
	repoFull   = "loadgate/loadgate"
	prNumber   = 7
)
