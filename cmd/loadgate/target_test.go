package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunPassesTargetToTests (issues 14, 15): -target, -rate-scale,
// -allow-hosts and -flight reach the tests as LOADGATE_TARGET (checked,
// without its trailing slash), LOADGATE_RATE_SCALE, LOADGATE_ALLOW_HOSTS
// and LOADGATE_FLIGHT.
func TestRunPassesTargetToTests(t *testing.T) {
	for _, k := range []string{"LOADGATE_TARGET", "LOADGATE_RATE_SCALE", "LOADGATE_ALLOW_HOSTS", "LOADGATE_FLIGHT"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	log := fakeRun{events: "../../testdata/gotest/examples.jsonl", results: "testdata/results/base"}.install(t)
	r := loadgate(context.Background(), "run", "-progress", "off", "-out", t.TempDir(),
		"-target", "https://staging.example.com/", "-rate-scale", "0.5", "-allow-hosts", "staging.example.com, 10.0.0.7", "-flight", "./examples/shop")
	logged, _ := os.ReadFile(log)
	for _, want := range []string{
		"env LOADGATE_TARGET=https://staging.example.com\n",
		"env LOADGATE_RATE_SCALE=0.5\n",
		"env LOADGATE_ALLOW_HOSTS=staging.example.com,10.0.0.7\n",
		"env LOADGATE_FLIGHT=1\n",
	} {
		if !strings.Contains(string(logged), want) {
			t.Errorf("go test was not run with %s; the fake logged:\n%s\nloadgate said:\n%s%s", strings.TrimSpace(want), logged, r.stdout, r.stderr)
		}
	}

	// Without the flags, the tests get none of the variables.
	log = fakeRun{events: "../../testdata/gotest/examples.jsonl", results: "testdata/results/base"}.install(t)
	loadgate(context.Background(), "run", "-progress", "off", "-out", t.TempDir(), "./examples/shop")
	logged, _ = os.ReadFile(log)
	for _, k := range []string{"LOADGATE_TARGET", "LOADGATE_RATE_SCALE", "LOADGATE_ALLOW_HOSTS", "LOADGATE_FLIGHT"} {
		if strings.Contains(string(logged), "env "+k) {
			t.Errorf("%s set without its flag:\n%s", k, logged)
		}
	}
}

// TestRunRefusesBadTargetFlags (issues 14 and 15): a malformed -target,
// -rate-scale, -allow-hosts or -profile is bad usage, named, before any
// test runs.
func TestRunRefusesBadTargetFlags(t *testing.T) {
	tests := []struct {
		name string
		give []string
		want string
	}{
		{"target without scheme", []string{"-target", "staging.example.com"}, `-target "staging.example.com": want an absolute http:// or https:// URL`},
		{"target with a query", []string{"-target", "http://127.0.0.1:8080/?a=1"}, `-target "http://127.0.0.1:8080/?a=1": a query is not allowed`},
		{"rate scale zero", []string{"-rate-scale", "0"}, `-rate-scale "0": want a positive number up to 1e6`},
		{"rate scale not a number", []string{"-rate-scale", "half"}, `-rate-scale "half": want a positive number`},
		{"allow-hosts with a port", []string{"-allow-hosts", "staging.example.com:443"}, `-allow-hosts or LOADGATE_ALLOW_HOSTS: entry "staging.example.com:443": want a host alone`},
		{"unknown profile", []string{"-profile", "cpu,flame"}, `-profile "cpu,flame": unknown profile "flame"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := fakeRun{events: "../../testdata/gotest/examples.jsonl"}.install(t)
			args := append([]string{"run", "-progress", "off", "-out", t.TempDir()}, tt.give...)
			r := loadgate(context.Background(), append(args, "./examples/shop")...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit status %d, stderr:\n%s\nwant %d and %q", r.code, r.stderr, exitUsage, tt.want)
			}
			if logged, _ := os.ReadFile(log); strings.Contains(string(logged), "go test") {
				t.Errorf("go test ran:\n%s", logged)
			}
		})
	}
}

// TestCompareRefusesOtherTarget (issue 14): loadgate compare of runs
// against two targets is bad input naming both, not a regression.
func TestCompareRefusesOtherTarget(t *testing.T) {
	head := withTarget(t, "testdata/results/slow", "http://127.0.0.1:8080")
	r := loadgate(context.Background(), "compare", "testdata/results/base", head)
	for _, want := range []string{"target mismatch", "the base ran against a server its test started itself (no LOADGATE_TARGET)", "the head against LOADGATE_TARGET=http://127.0.0.1:8080"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	if r.code != exitUsage || strings.Contains(r.stdout, "FAIL") {
		t.Errorf("exit status %d, stdout:\n%s\nwant %d (bad input) and no verdict", r.code, r.stdout, exitUsage)
	}
}

// TestRunRefusesOtherTarget (issue 14): loadgate run's comparison of runs
// against a target with a baseline of the test's own server is bad input
// (exit status 2) naming both, not a regression.
func TestRunRefusesOtherTarget(t *testing.T) {
	results := withTarget(t, "testdata/results/slow", "http://127.0.0.1:8080")
	fakeRun{events: "../../testdata/gotest/slow.jsonl", results: results}.install(t)
	r := loadgate(context.Background(), "run", "-progress", "off", "-out", t.TempDir(), "-count", "5",
		"-baselines", "testdata/baselines", "-base", "stored", "-target", "http://127.0.0.1:8080", "./examples/shop", "-run", "TestBaselineCheckout")
	for _, want := range []string{"target mismatch", "the baseline ran against a server its test started itself (no LOADGATE_TARGET)", "the head against LOADGATE_TARGET=http://127.0.0.1:8080"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the summary does not say %q:\n%s", want, r.stdout)
		}
	}
	if r.code != exitUsage {
		t.Errorf("exit status %d, want %d (bad input):\n%s", r.code, exitUsage, r.stdout)
	}
}

// withTarget copies the results in dir to a new directory, recorded as
// runs against target, and returns it.
func withTarget(t *testing.T, dir, target string) string {
	t.Helper()
	return editResults(t, dir, func(_, _ string, doc map[string]any) {
		doc["env"].(map[string]any)["target"] = target
	})
}

// editResults copies the results in dir to a new directory, each changed
// by edit (given the new directory, the file's base name and its JSON),
// and returns the directory.
func editResults(t *testing.T, dir string, edit func(out, name string, doc map[string]any)) string {
	t.Helper()
	out := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("no results in %s", dir)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		edit(out, filepath.Base(f), doc)
		data, _ = json.Marshal(doc)
		if err := os.WriteFile(filepath.Join(out, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
