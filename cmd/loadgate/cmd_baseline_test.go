package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBaselineShowFinds checks which files baseline show takes for
// baselines: unrelated JSON files beside them are not, results are named
// for what they are, and a baseline stored under another scenario's file
// name is flagged as go test's baseline.Check would fail on it.
func TestBaselineShowFinds(t *testing.T) {
	stored, err := os.ReadFile("testdata/baselines/checkout_at_150_per_second.json")
	if err != nil {
		t.Fatal(err)
	}
	results, err := filepath.Abs("testdata/results/same")
	if err != nil {
		t.Fatal(err)
	}
	resultData, err := os.ReadFile(filepath.Join(results, "checkout_at_150_per_second.json"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T, path string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const good = "checkout_at_150_per_second.json"
	tests := []struct {
		name      string
		files     map[string][]byte // in the current directory
		args      []string
		wantCode  int
		wantOut   []string // in stdout
		wantErr   []string // in stderr
		forbidErr string   // not in stderr
	}{
		{
			name:     "unrelated JSON, no baselines",
			files:    map[string][]byte{"renovate.json": []byte("{}\n"), "go.mod": []byte("module x\n")},
			wantCode: exitUsage,
			wantErr:  []string{"no baselines in ."},
		},
		{
			name:      "unrelated JSON beside packages",
			files:     map[string][]byte{"renovate.json": []byte("{}\n"), "package.json": []byte(`{"name": "x"}`), "shop/testdata/loadgate/" + good: stored},
			wantCode:  exitOK,
			wantOut:   []string{"checkout at 150 per second  shop/testdata/loadgate/" + good},
			forbidErr: "renovate.json",
		},
		{
			name:     "in testdata/loadgate",
			files:    map[string][]byte{"testdata/loadgate/" + good: stored},
			args:     []string{"testdata/loadgate"},
			wantCode: exitOK,
			wantOut:  []string{"checkout at 150 per second  testdata/loadgate/" + good},
		},
		{
			name:     "a broken file in testdata/loadgate",
			files:    map[string][]byte{"testdata/loadgate/" + good: stored, "testdata/loadgate/broken.json": []byte("{\n")},
			wantCode: exitUsage,
			wantOut:  []string{"checkout at 150 per second"},
			wantErr:  []string{"testdata/loadgate/broken.json:2:1: unexpected end of file"},
		},
		{
			name:     "a truncated baseline in a -baselines directory",
			files:    map[string][]byte{"staging/" + good: stored[:1500]},
			args:     []string{"staging"},
			wantCode: exitUsage,
			wantErr:  []string{"staging/" + good + ":", "unexpected end of file (truncated?)"},
		},
		{
			// A file named testdata/loadgate was read as a baseline of
			// bad JSON ("1:1: invalid character"), while baseline.Check
			// fails on it to record or read any baseline of its package.
			name:      "a file where testdata/loadgate should be a directory",
			files:     map[string][]byte{"shop/testdata/loadgate/" + good: stored, "cart/testdata/loadgate": []byte("hi\n")},
			wantCode:  exitUsage,
			wantOut:   []string{"shop/testdata/loadgate/" + good},
			wantErr:   []string{"cart/testdata/loadgate: not a directory: baseline.Check keeps the baselines of a package in the directory testdata/loadgate"},
			forbidErr: "invalid character",
		},
		{
			name:      "a file named testdata/loadgate given by name",
			files:     map[string][]byte{"testdata/loadgate": []byte("hi\n")},
			args:      []string{"testdata/loadgate"},
			wantCode:  exitUsage,
			wantErr:   []string{"testdata/loadgate: not a directory"},
			forbidErr: "invalid character",
		},
		{
			name:     "another scenario's file name",
			files:    map[string][]byte{"testdata/loadgate/TestLoadCatalogue.json": stored},
			wantCode: exitUsage,
			wantErr:  []string{"testdata/loadgate/TestLoadCatalogue.json: scenario mismatch", `baseline of scenario "checkout at 150 per second", whose file is ` + good},
		},
		{
			name:     "another scenario's file name in a -baselines directory",
			files:    map[string][]byte{"shared/" + good: stored, "shared/TestLoadCatalogue.json": stored},
			args:     []string{"shared"},
			wantCode: exitUsage,
			wantOut:  []string{"shared/" + good},
			wantErr:  []string{"shared/TestLoadCatalogue.json: scenario mismatch"},
		},
		{
			name:     "a copy given by name",
			files:    map[string][]byte{"copy.json": stored},
			args:     []string{"copy.json"},
			wantCode: exitOK,
			wantOut:  []string{"checkout at 150 per second  copy.json"},
		},
		{
			name:     "a directory of results",
			args:     []string{results},
			wantCode: exitUsage,
			wantErr:  []string{results + " holds loadgate results (loadgate.result/v1), not baselines: loadgate compare and loadgate export read results"},
		},
		{
			name:     "a result file",
			args:     []string{filepath.Join(results, good)},
			wantCode: exitUsage,
			wantErr:  []string{`"loadgate.result/v1": it is a loadgate result, not a baseline (loadgate compare and loadgate export read results`},
		},
		// Were "no baselines in staging" and "no baselines in newer": a
		// file of another version's schema did not make its directory one
		// of baselines or of results, so show said nothing of it.
		{
			name:     "a newer baseline in a -baselines directory",
			files:    map[string][]byte{"staging/" + good: []byte(strings.Replace(string(stored), "loadgate.baseline/v1", "loadgate.baseline/v2", 1))},
			args:     []string{"staging"},
			wantCode: exitUsage,
			wantErr:  []string{"staging/" + good + ": ", `unsupported baseline schema "loadgate.baseline/v2"`},
		},
		{
			name:     "a directory of newer results",
			files:    map[string][]byte{"newer/" + good: []byte(strings.Replace(string(resultData), "loadgate.result/v1", "loadgate.result/v2", 1))},
			args:     []string{"newer"},
			wantCode: exitUsage,
			wantErr:  []string{"newer holds loadgate results (loadgate.result/v2), not baselines", "of another version of loadgate"},
			// compare and export refuse them: not to be sent there.
			forbidErr: "loadgate compare and loadgate export read results",
		},
		{
			name:     "a newer baseline",
			files:    map[string][]byte{"testdata/loadgate/" + good: []byte(strings.Replace(string(stored), "loadgate.baseline/v1", "loadgate.baseline/v2", 1))},
			wantCode: exitUsage,
			wantErr:  []string{`unsupported baseline schema "loadgate.baseline/v2"; this loadgate reads loadgate.baseline/v1 (a newer loadgate may have written the file)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			for name, data := range tt.files {
				write(t, name, data)
			}
			r := loadgate(context.Background(), append([]string{"baseline", "show"}, tt.args...)...)
			ok := r.code == tt.wantCode
			for _, w := range tt.wantOut {
				ok = ok && strings.Contains(r.stdout, w)
			}
			for _, w := range tt.wantErr {
				ok = ok && strings.Contains(r.stderr, w)
			}
			if tt.forbidErr != "" && strings.Contains(r.stderr, tt.forbidErr) {
				ok = false
			}
			if !ok {
				t.Errorf("got\n%s\nwant exit status %d, stdout with %q, stderr with %q", r, tt.wantCode, tt.wantOut, tt.wantErr)
			}
		})
	}
}

// TestBaselineShowBound: the medians baseline show prints leave out the
// generator-bound runs, as comparisons do, and say so.
func TestBaselineShowBound(t *testing.T) {
	r := loadgate(t.Context(), "baseline", "show", "../../testdata/agreement/boundbase/baselines")
	if r.code != exitOK || !strings.Contains(r.stdout, "  1 of 5 runs generator-bound, left out of p50, p99 and throughput") {
		t.Errorf("exit status %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
