package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/internal/verdict"
	"github.com/loadgate/loadgate/loadtest"
)

// writeShards writes the results of n synthetic shards of a run of
// scenario checkout into dir/shard-<i>, as loadtest.Run writes them, and
// returns the directories. change, if set, alters shard i's result.
func writeShards(t *testing.T, dir string, n int, change func(i int, r *loadtest.Result)) []string {
	t.Helper()
	var dirs []string
	for i := 1; i <= n; i++ {
		d := filepath.Join(dir, fmt.Sprintf("shard-%d", i))
		r := fixture.ShardFake{Scenario: "checkout", Index: i, Count: n, Commit: "0123456789abcdef"}.Result()
		if change != nil {
			change(i, r)
		}
		if _, err := loadtest.WriteFile(d, r); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	return dirs
}

// editShards rewrites the "shard" object of the result file in each of
// dirs (shard i in dirs[i-1]) with edit.
func editShards(t *testing.T, dirs []string, edit func(i int, shard map[string]any)) {
	t.Helper()
	for i, d := range dirs {
		files, err := filepath.Glob(filepath.Join(d, "*.json"))
		if err != nil || len(files) != 1 {
			t.Fatalf("%s: %v %v", d, files, err)
		}
		data, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		var r map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber() // nanoseconds as written
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		edit(i+1, r["shard"].(map[string]any))
		if data, err = json.Marshal(r); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(files[0], data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMerge merges four shard directories into one result, which
// loadgate compare then reads as it reads any run; a shard's own result
// is refused by compare, which says to merge first.
func TestMerge(t *testing.T) {
	dir := t.TempDir()
	dirs := writeShards(t, dir, 4, nil)
	out := filepath.Join(dir, "merged")
	r := loadgate(context.Background(), append([]string{"merge", "-out", out}, dirs...)...)
	if r.code != exitOK {
		t.Fatalf("merge: %s", r)
	}
	for _, want := range []string{
		"checkout: 4 shards of 4 merged into " + filepath.Join(out, "checkout.json"),
		"scenario checkout: 1600 requests in 4s (400/s sent",
		"merged from 4 shards of run group start-20261123T010000.000Z-0123456789abcdef, commit 0123456789ab",
		"shard  requests  errors   rate",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("merge printed\n%s\nwant it to say %q", r.stdout, want)
		}
	}
	merged, err := loadtest.ReadFile(filepath.Join(out, "checkout.json"))
	if err != nil {
		t.Fatal(err)
	}
	if merged.Requests != 1600 || len(merged.Shards) != 4 {
		t.Errorf("merged %d requests of %d shards", merged.Requests, len(merged.Shards))
	}

	if c := loadgate(context.Background(), "compare", out, out); c.code != exitOK || !strings.Contains(c.stdout, "checkout") {
		t.Errorf("compare of merged results: %s", c)
	}
	c := loadgate(context.Background(), "compare", out, dirs[1])
	if c.code != exitUsage || !strings.Contains(c.stderr, "ran as shard 2 of 4") || !strings.Contains(c.stderr, "loadgate merge") {
		t.Errorf("compare with a shard's own result: %s\nwant exit status 2 saying to merge the shards", c)
	}
}

// TestMergeRefuses checks that merge refuses what it cannot merge exactly,
// naming the shard file and the field, and writes nothing; and that
// -partial merges a run that lacks a shard, saying so.
func TestMergeRefuses(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		change func(i int, r *loadtest.Result)
		// edit, if set, alters the JSON of shard i's file after it is
		// written: values loadtest.WriteFile itself refuses.
		edit  func(i int, shard map[string]any)
		drop  int // a shard directory left out
		flags []string
		code  int
		want  string
	}{
		{name: "missing shard", n: 4, drop: 3, code: exitUsage,
			want: "scenario checkout: shard.index: shard 3 of 4 missing"},
		{name: "different commit", n: 3, code: exitUsage,
			change: func(i int, r *loadtest.Result) {
				if i == 2 {
					r.Shard.Commit = "fedcba9876543210"
				}
			},
			want: filepath.Join("shard-2", "checkout.shard-2-of-3.json") + ": shard.commit: commit fedcba9876543210, shard 1"},
		{name: "different plan", n: 2, code: exitUsage,
			change: func(i int, r *loadtest.Result) {
				if i == 2 {
					r.Load.Stages[0].DurationNS *= 2
				}
			},
			want: "checkout.shard-2-of-2.json: load.stages[0].duration_ns: 8000000000, shard 1"},
		// 10^8 shards exhausted merge's memory before shard.count was
		// checked where a result is read; one more than MaxShardCount
		// shows the bound without that risk if the check is lost.
		{name: "shard count out of bounds", n: 2, code: exitUsage,
			edit: func(i int, sh map[string]any) {
				if i == 1 {
					sh["count"] = loadtest.MaxShardCount + 1
				}
			},
			want: filepath.Join("shard-1", "checkout.shard-1-of-2.json") + ": result of checkout: shard.count = 10001: want 1 to 10000 shards"},
		{name: "zero load start", n: 2, code: exitUsage,
			edit: func(i int, sh map[string]any) {
				if i == 2 {
					sh["load_start"] = "0001-01-01T00:00:00Z"
				}
			},
			want: filepath.Join("shard-2", "checkout.shard-2-of-2.json") + ": result of checkout: shard.load_start = 0001-01-01T00:00:00Z: the zero time"},
		{name: "load starts years apart", n: 2, code: exitUsage,
			edit: func(i int, sh map[string]any) {
				if i == 2 {
					sh["load_start"] = "2099-01-01T00:00:00Z"
				}
			},
			want: filepath.Join("shard-2", "checkout.shard-2-of-2.json") + ": shard.load_start: 2099-01-01T00:00:00Z, shard 1"},
		{name: "partial", n: 4, drop: 2, flags: []string{"-partial"}, code: exitOK,
			want: "PARTIAL: merged from 3 of 4 shards of run group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dirs := writeShards(t, dir, tt.n, tt.change)
			if tt.edit != nil {
				editShards(t, dirs, tt.edit)
			}
			if tt.drop > 0 {
				dirs = append(dirs[:tt.drop-1], dirs[tt.drop:]...)
			}
			out := filepath.Join(dir, "merged")
			args := append(append([]string{"merge", "-out", out}, tt.flags...), dirs...)
			r := loadgate(context.Background(), args...)
			if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Errorf("%s\nwant exit status %d saying %q", r, tt.code, tt.want)
			}
			files, _ := filepath.Glob(filepath.Join(out, "*.json"))
			if (tt.code == exitOK) != (len(files) == 1) {
				t.Errorf("wrote %v", files)
			}
		})
	}
}

// TestMergeTwoRuns checks that the directories of two sharded runs given
// together are refused for their different run groups, naming both
// files (was: "shard 1 of 3 again").
func TestMergeTwoRuns(t *testing.T) {
	dir := t.TempDir()
	first := writeShards(t, filepath.Join(dir, "run-1"), 3, nil)
	second := writeShards(t, filepath.Join(dir, "run-2"), 3, func(i int, r *loadtest.Result) {
		r.Shard.Group = "start-20261123T020000.000Z-0123456789ab"
	})
	r := loadgate(context.Background(), append(append([]string{"merge", "-out", filepath.Join(dir, "merged")}, first...), second...)...)
	for _, want := range []string{
		filepath.Join("run-2", "shard-1", "checkout.shard-1-of-3.json") + ": shard.group: \"start-20261123T020000.000Z-0123456789ab\", shard 1 (",
		filepath.Join("run-1", "shard-1", "checkout.shard-1-of-3.json") + ") has \"start-20261123T010000.000Z-0123456789abcdef\": shards of different runs",
	} {
		if r.code != exitUsage || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "again") {
			t.Errorf("%s\nwant exit status 2 saying %q", r, want)
		}
	}
}

// TestMergeUsage checks merge's usage errors.
func TestMergeUsage(t *testing.T) {
	dir := t.TempDir()
	dirs := writeShards(t, dir, 1, nil)
	download := filepath.Join(dir, "download")
	writeShards(t, download, 1, nil)
	full := filepath.Join(dir, "full")
	if err := os.MkdirAll(full, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "x.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"merge", dirs[0]}, "-out is required"},
		{[]string{"merge", "-out", filepath.Join(dir, "m")}, "want the shards' result files or directories"},
		{[]string{"merge", "-out", full, dirs[0]}, "already holds 1 result file"},
		{[]string{"merge", "-out", dirs[0], dirs[0]}, "already holds 1 result file"},
		{[]string{"merge", "-out", filepath.Join(dir, "m"), filepath.Join(dir, "nope")}, "nope: no such file or directory"},
		// A directory of the shards' directories, as a download of
		// artifacts lays them out.
		{[]string{"merge", "-out", filepath.Join(dir, "m"), download}, "whose subdirectories are not read; " + filepath.Join(download, "shard-1") + " holds result files: give them"},
	} {
		r := loadgate(context.Background(), tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s\nwant exit status 2 saying %q", r, tt.want)
		}
	}
}

// shardRun sets up loadgate run of a shard's tests (LOADGATE_SHARD=1/2
// inherited): a fake go test whose runs write shard 1 of 2 of scenario
// "checkout at 150 per second", in a package that stores a baseline of
// the scenario. It returns the shard's run group.
func shardRun(t *testing.T) string {
	t.Helper()
	const scenario = "checkout at 150 per second"
	results, pkgDir := t.TempDir(), t.TempDir()
	r := fixture.ShardFake{Scenario: scenario, Index: 1, Count: 2, Commit: "0123456789abcdef"}.Result()
	r.Test = "TestBaselineCheckout"
	id := r.RunID
	// The runs baseline_pass.jsonl says it wrote, each a run of its own.
	for _, name := range []string{"", ".2", ".3", ".4", ".5"} {
		r.RunID = id + name
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(results, "checkout_at_150_per_second"+name+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stored := filepath.Join(pkgDir, "testdata", "loadgate")
	if err := os.MkdirAll(stored, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/baselines/checkout_at_150_per_second.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stored, "checkout_at_150_per_second.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl", results: results, pkgDir: pkgDir}.install(t)
	t.Setenv(loadtest.EnvShard, "1/2")
	t.Setenv(loadtest.EnvRunGroup, r.Shard.Group)
	return r.Shard.Group
}

// TestRunShardNotCompared: loadgate run of a shard's tests says that the
// shard's runs are not compared and why, even where the package stores a
// baseline of the scenario; it used to say "no baseline in
// testdata/loadgate" and to suggest recording one.
func TestRunShardNotCompared(t *testing.T) {
	group := shardRun(t)
	out := loadgate(t.Context(), "run", "-progress", "off", "-count", "1", "-base", "stored", "-out", t.TempDir(), "./examples/shop")
	want := "checkout at 150 per second: not compared: shard 1 of 2 of a sharded run (" + group + "), a slice of the load: merge the shards (loadgate merge)"
	if !strings.Contains(out.stdout, want) || strings.Contains(out.stdout, "no baseline in") {
		t.Errorf("exit status %d; want the summary to say %q and nothing of a missing baseline:\n%s%s", out.code, want, out.stdout, out.stderr)
	}
	// Not judged, the shard's line says so, not PASS beside the run's
	// NOT JUDGED; and the run's line sends the user to the merge, not to
	// -update, which a shard's run refuses.
	line := "NOT JUDGED  checkout at 150 per second: not compared: shard 1 of 2"
	advice := "a shard's runs are judged once merged (loadgate merge, then loadgate compare of the merged results)"
	if !strings.Contains(out.stdout, line) || strings.Contains(out.stdout, "PASS   checkout") ||
		!strings.Contains(out.stdout, advice) || strings.Contains(out.stdout, "-update records baselines") {
		t.Errorf("want the line %q, no PASS, and the advice %q rather than -update's:\n%s", line, advice, out.stdout)
	}
}

// TestRunShardNoBase: loadgate run of a shard's tests runs no base commit
// beside them (-base auto used to check out and run the commit the stored
// baselines were recorded at, then compare nothing with it), and refuses
// a -base ref for them.
func TestRunShardNoBase(t *testing.T) {
	shardRun(t)
	out := loadgate(t.Context(), "run", "-progress", "off", "-count", "1", "-out", t.TempDir(), "./examples/shop")
	want := "note: no base commit is run again: with LOADGATE_SHARD=1/2 the runs are one shard's"
	if out.code != 0 || !strings.Contains(out.stdout, want) || strings.Contains(out.stderr+out.stdout, "checked out") {
		t.Errorf("exit status %d; want 0, no base checked out and the note %q:\n%s%s", out.code, want, out.stdout, out.stderr)
	}
	out = loadgate(t.Context(), "run", "-progress", "off", "-count", "1", "-base", "HEAD", "-out", t.TempDir(), "./examples/shop")
	want = "loadgate run: -base HEAD with LOADGATE_SHARD=1/2: a shard's runs are a slice of the load"
	if out.code != exitUsage || !strings.Contains(out.stderr, want) {
		t.Errorf("-base HEAD: exit status %d, stderr %q; want 2 and %q", out.code, out.stderr, want)
	}
}

// TestBaselineUpdateShard: loadgate baseline update under LOADGATE_SHARD
// is refused before go test runs, naming the variable: baseline.Check
// records nothing of a shard, and the update used to run the whole load,
// then say that no test called baseline.Check.
func TestBaselineUpdateShard(t *testing.T) {
	shardRun(t)
	ran := fakeRun{events: "../../testdata/gotest/baseline_pass.jsonl"}.install(t)
	out := loadgate(t.Context(), "baseline", "update", "-progress", "off", "-count", "1", "./examples/shop")
	want := "loadgate baseline update: LOADGATE_SHARD=1/2: a shard's runs are a slice of the load, which baseline.Check does not record"
	if out.code != exitUsage || !strings.Contains(out.stderr, want) {
		t.Errorf("exit status %d, stderr %q; want 2 and %q", out.code, out.stderr, want)
	}
	noGoTestRan(t, ran)
}

// TestComparePartial: loadgate compare and loadgate report of a merged
// result that lacks a shard (merge -partial) say so, and leave the
// throughput and dropped arrivals of that share of the load unjudged
// (inconclusive, exit status 3). compare showed throughput -33% with no
// word of the missing shard, though the result said partial.
func TestComparePartial(t *testing.T) {
	dir := t.TempDir()
	dirs := writeShards(t, dir, 3, nil)
	full, part := filepath.Join(dir, "full"), filepath.Join(dir, "part")
	for _, m := range [][]string{append([]string{"merge", "-out", full}, dirs...), {"merge", "-partial", "-out", part, dirs[0], dirs[2]}} {
		if r := loadgate(t.Context(), m...); r.code != exitOK {
			t.Fatalf("%s: %s", m, r)
		}
	}
	const why = "partial: throughput, dropped not judged: runs that hold a share of the load have the counts and rates of that share (head run 1: 2 of 3 shards merged, shard 2 missing)"
	for _, tt := range []struct{ format, want string }{
		{"text", "throughput    383/s   255/s  -33.31%  (n=1)  inconclusive: partial: a share of the load, not judged"},
		{"text", "INCONCLUSIVE: 1 scenario, no regression confirmed; partial: checkout (a share of the load: the counts and rates were not judged)"},
		{"text", "  - inconclusive: " + why},
		{"markdown", "| throughput | 383/s | 255/s | -33.31% | n=1 | ❔ partial: a share of the load, not judged |"},
		{"markdown", "- inconclusive: " + why},
		{"json", `"partial": [` + "\n" + `        "head run 1: 2 of 3 shards merged, shard 2 missing"`},
		{"json", `"partial": true`},
	} {
		c := loadgate(t.Context(), "compare", "-format", tt.format, full, part)
		if c.code != verdict.ExitInconclusive || !strings.Contains(c.stdout, tt.want) {
			t.Errorf("compare -format %s: %s\nwant exit status %d and %q", tt.format, c, verdict.ExitInconclusive, tt.want)
		}
	}
	html := filepath.Join(dir, "report.html")
	if r := loadgate(t.Context(), "report", "-o", html, full, part); r.code != exitOK {
		t.Fatalf("report: %s", r)
	}
	if data, err := os.ReadFile(html); err != nil || !strings.Contains(string(data), "<li>inconclusive: "+why+"</li>") {
		t.Errorf("the HTML report (%v) does not say why: %q", err, why)
	}
}

// TestCompareNewAlone: loadgate compare -sla FILE NEW judges the merged
// results of a sharded run with no stored baseline by their SLA limits,
// as the Action's merge job judges them, with the verdict's exit status:
// the Action's script to reproduce such a run ended with loadgate compare
// <pkg>/testdata/loadgate "$out/merged", which exits 2 when the package
// stores no baseline. Without SLA limits it would judge nothing, and
// refuses.
func TestCompareNewAlone(t *testing.T) {
	dir := t.TempDir()
	merged := filepath.Join(dir, "merged")
	shards := writeShards(t, dir, 3, nil)
	if r := loadgate(t.Context(), append([]string{"merge", "-out", merged}, shards...)...); r.code != exitOK {
		t.Fatalf("merge: %s", r)
	}
	held, breached := filepath.Join(dir, "held.sla"), filepath.Join(dir, "breached.sla")
	if err := os.WriteFile(held, []byte("p99 < 500ms\nerror_rate < 5%\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(breached, []byte("p99 < 500ms\nerror_rate < 1%\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"held", []string{"compare", "-sla", held, merged}, exitOK, "checkout: PASS (2 SLA limits held in 1 run)\nPASS: 1 scenario, all passed\n"},
		{"breached", []string{"compare", "-sla", breached, merged}, exitFailed,
			"checkout: FAIL (1 of 2 SLA limits breached)\n  - SLA breached: scenario checkout: error_rate = 1.88%, want < 1% (87.5% over); " + breached + ":2\nFAIL: 1 of 1 scenario failed: checkout (SLA breached)\n"},
		{"markdown", []string{"compare", "-format", "markdown", "-sla", held, merged}, exitOK, "## ✅ loadgate: PASS: 1 scenario, all passed\n\n- ✅ `checkout`: 2 SLA limits held in 1 run\n"},
		{"no SLA", []string{"compare", merged}, exitUsage, "with NEW alone (" + merged + "), compare judges it by its SLA limits, and none were given (-sla, or a policy's sla)"},
		// A shard's SLA limits held on its slice of the load: compare
		// passed it, exit status 0, as k6 judges each instance's
		// thresholds alone.
		{"a shard", []string{"compare", "-sla", held, shards[1]}, exitUsage,
			"loadgate compare: NEW: " + filepath.Join(shards[1], "checkout.shard-2-of-3.json") + ": a shard's result: scenario checkout ran as shard 2 of 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := loadgate(t.Context(), tt.args...)
			if got := r.stdout + r.stderr; r.code != tt.code || (tt.code == exitUsage && !strings.Contains(got, tt.want)) || (tt.code != exitUsage && r.stdout != tt.want) {
				t.Errorf("%s\nwant exit status %d and\n%s", r, tt.code, tt.want)
			}
		})
	}
}
