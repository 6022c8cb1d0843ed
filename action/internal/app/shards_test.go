package app

import (
	"errors"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/action/internal/ghdouble"
	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/internal/merge"
	"github.com/loadgate/loadgate/loadtest"
)

// The sharded run of the tests below: a matrix job "shards" of the
// workflow "loadgate shards", each shard starting at one instant.
const (
	shardStart  = "1795428000000"
	shardCommit = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
)

// shardManifest is the manifest a shard job writes (GoTest, shard input).
func shardManifest(i, n int) Manifest {
	m := Manifest{
		Schema: ManifestSchema, Compare: CompareBaseline, Repository: repoFull, PR: prNumber,
		HeadSHA: shardCommit, PRHeadSHA: shardCommit,
		Marker: Marker("loadgate shards", "shards"), RunURL: "https://github.com/loadgate/loadgate/actions/runs/43",
		Count: 1, Packages: []string{"./examples/shop"}, Run: "^TestLoadcheckout$", WorkingDirectory: ".",
		Positions: map[string]Position{shopPkg + ".TestLoadcheckout": {File: "examples/shop/load_test.go", Line: 200}},
		Tests:     []TestStatus{{Side: HeadDir, Run: 1, Package: shopPkg, Test: "TestLoadcheckout", Action: "pass", Shard: i}},
		Shard:     &ShardManifest{Index: i, Count: n, StartAt: shardStart},
	}
	cfg := &Config{Run: m.Run, Packages: m.Packages, Count: 1, Shard: &Shard{i, n}, StartAt: shardStart}
	m.Reproduce = reproduce(cfg, &m)
	return m
}

// writeShardJobs writes the results directories of the shard jobs of a
// run of n shards into dir, one sub-directory each, as download-artifact
// leaves the artifacts a pattern matches; tweak, when not nil, changes a
// job's manifest and result before they are written. It returns the
// sub-directories.
func writeShardJobs(t *testing.T, dir string, n int, tweak func(i int, m *Manifest, r *loadtest.Result)) []string {
	t.Helper()
	var dirs []string
	for i := 1; i <= n; i++ {
		m := shardManifest(i, n)
		r := fixture.ShardFake{Scenario: "checkout", Index: i, Count: n, Commit: shardCommit}.Result()
		if tweak != nil {
			tweak(i, &m, r)
		}
		d := filepath.Join(dir, fmt.Sprintf("loadgate-shard-%d", i))
		if r != nil {
			if _, err := writeResultFile(d, HeadDir, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := WriteManifest(d, &m); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	return dirs
}

// mergeEnv is the environment of the merge job of the sharded run.
func mergeEnv(t *testing.T, apiURL string, inputs map[string]string) *actionEnv {
	e := newActionEnv(t, apiURL, inputs)
	e.vars["GITHUB_WORKFLOW"], e.vars["GITHUB_JOB"], e.vars["GITHUB_RUN_ID"] = "loadgate shards", "merge", "43"
	return e
}

const shardSLA = "error_rate < 5%\np99 < 500ms\n"

func TestConfigShard(t *testing.T) {
	fromDir := t.TempDir()
	tests := []struct {
		name    string
		give    map[string]string
		want    func(*Config) bool
		wantErr []string
	}{
		{name: "shard", give: map[string]string{"shard": "2/4", "start-at": shardStart},
			want: func(c *Config) bool {
				s := c.settings("/out")
				return *c.Shard == Shard{2, 4} && c.StartAt == shardStart && c.Compare == CompareBaseline && !c.RerunBaselineCommit &&
					c.Count == 1 && !c.Adaptive && s.Shard == "2/4" && s.StartAt == shardStart
			}},
		{name: "runs of a shard", give: map[string]string{"shard": " 1/2 ", "start-at": "2026-11-23T10:00:00.250Z", "count": "3", "compare": "baseline"},
			want: func(c *Config) bool { return *c.Shard == Shard{1, 2} && c.Count == 3 && c.Compare == CompareBaseline }},
		{name: "merge", give: map[string]string{"from-results": fromDir + "\n" + fromDir, "partial": "true"},
			want: func(c *Config) bool {
				return c.Partial && slices.Equal(c.FromResults, []string{fromDir, fromDir}) && c.Shard == nil
			}},
		{name: "shard 0", give: map[string]string{"shard": "0/4", "start-at": shardStart},
			wantErr: []string{`input shard: "0/4": the shard must be from 1 to 4`}},
		{name: "shard past N", give: map[string]string{"shard": "5/4", "start-at": shardStart},
			wantErr: []string{`input shard: "5/4": the shard must be from 1 to 4`}},
		{name: "no N", give: map[string]string{"shard": "2", "start-at": shardStart},
			wantErr: []string{`input shard: "2": want i/N`, "matrix.shard"}},
		{name: "no start", give: map[string]string{"shard": "2/4"},
			wantErr: []string{`input start-at: "": a shard needs the instant every shard starts at`}},
		{name: "start in seconds", give: map[string]string{"shard": "2/4", "start-at": "1795428000"},
			wantErr: []string{`input start-at: "1795428000": want Unix milliseconds`}},
		{name: "start without shard", give: map[string]string{"start-at": shardStart},
			wantErr: []string{`input start-at: "1795428000000": for a sharded run only`}},
		{name: "shard and base-ref", give: map[string]string{"shard": "2/4", "start-at": shardStart, "compare": "base-ref"},
			wantErr: []string{`input compare: "base-ref": a shard job runs the head only`}},
		{name: "shard and from-results", give: map[string]string{"shard": "2/4", "start-at": shardStart, "from-results": fromDir},
			wantErr: []string{`input shard: "2/4": a shard job runs the load tests`}},
		{name: "partial without from-results", give: map[string]string{"partial": "true"},
			wantErr: []string{`input partial: "true": only the job that merges`}},
		{name: "partial not a boolean", give: map[string]string{"partial": "yes", "from-results": fromDir},
			wantErr: []string{`input partial: "yes": want true or false`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ConfigFrom(newActionEnv(t, "http://127.0.0.1:1", tt.give).action())
			if len(tt.wantErr) > 0 {
				for _, w := range tt.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("err = %v, want it to say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(cfg) {
				t.Errorf("config %+v (shard %+v)", cfg, cfg.Shard)
			}
		})
	}
}

// TestShardJob: a shard job (issue 16) posts no comment and has no
// verdict; its job summary says which shard it ran and what it measured.
func TestShardJob(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	e := newActionEnv(t, srv.URL, map[string]string{"shard": "2/3", "start-at": shardStart, "github-token": writeToken})
	e.vars["GITHUB_WORKFLOW"], e.vars["GITHUB_JOB"] = "loadgate shards", "shards"
	r := fixture.ShardFake{Scenario: "checkout", Index: 2, Count: 3, Commit: shardCommit}.Result()
	m := shardManifest(2, 3)
	m.Tests = append(m.Tests, TestStatus{Side: HeadDir, Run: 1, Package: shopPkg, Test: "TestLoadMix", Action: "fail", Shard: 2,
		Output: "    load_test.go:180: a gate failed\n"})
	out, err := runAction(t, e, &Results{Manifest: m, Head: []*loadtest.Result{r}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Comment != nil || len(d.State().Comments) != 0 || out.Report != nil {
		t.Errorf("a shard job commented or judged: %+v", out)
	}
	outputs := e.outputs(t)
	if outputs["results-dir"] == "" || outputs["verdict"] != "" || outputs["report-path"] == "" {
		t.Errorf("outputs %v: want results-dir and report-path, no verdict", outputs)
	}
	summary, err := os.ReadFile(e.vars["GITHUB_STEP_SUMMARY"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## loadgate: shard 2 of 3\n",
		"(`LOADGATE_SHARD=2/3`), every shard starting at 2026-11-23T10:00:00.000Z",
		"| scenario | shard | requests | errors | rate | p99 | start skew | pacer lag | CPU | stopped |",
		"| `checkout` | 2 | 533 | 10 | 133/s | 91.2ms | 50µs | 20µs | 0.50s |  |",
		"- ❌ `TestLoadMix` in `" + shopPkg + "` failed in shard 2 of 3: load\\_test.go:180: a gate failed",
	} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("the job summary lacks %q:\n%s", want, summary)
		}
	}
	if !strings.Contains(e.stdout.String(), "::warning::loadgate: TestLoadMix in "+shopPkg+" failed in shard 2 of 3") {
		t.Errorf("no warning for the failed test:\n%s", e.stdout.String())
	}
}

// TestRunMergedShards: the merge job of a sharded run (issue 16) merges
// the shard jobs' results, judges the merged result and keeps one sticky
// comment with the per-shard table; a missing shard is refused with the
// merge's message, unless partial: true.
func TestRunMergedShards(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	sla := filepath.Join(t.TempDir(), "sla.txt")
	writeFile(t, sla, shardSLA)
	artifacts := t.TempDir()
	dirs := writeShardJobs(t, artifacts, 3, nil)

	e := mergeEnv(t, srv.URL, map[string]string{"from-results": artifacts, "github-token": writeToken, "sla": sla})
	out, err := runAction(t, e, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict != baseline.Pass || out.Comment == nil || !out.CommentCreated {
		t.Fatalf("verdict %v, comment %+v: want a pass, commented", out.Verdict, out.Comment)
	}
	comments := d.State().Comments
	if len(comments) != 1 {
		t.Fatalf("%d comments, want 1", len(comments))
	}
	// The SLA file as the workflow names it, not this test's temporary one.
	golden.Check(t, "sharded.md.golden", []byte(strings.ReplaceAll(comments[0].Body, sla, "loadgate.sla")))
	// A scenario without a baseline shows what it measured, as loadgate
	// run's table and the HTML report do; it showed only a chart.
	if want := "| metric | head |\n|:--|--:|\n| p50 | 1.01ms |\n| p99 | 114ms |\n| error_rate | 1.88% |\n| throughput | 383/s |\n"; !strings.Contains(comments[0].Body, want) {
		t.Errorf("the comment lacks the merged result's figures %q", want)
	}
	res, err := ReadResults(out.ResultsDir)
	if err != nil || len(res.Head) != 1 || res.Head[0].Requests != 1600 || len(res.Head[0].Shards) != 3 || res.Manifest.Shard.Count != 3 {
		t.Fatalf("merged results: %v, %+v", err, res)
	}

	// The same results listed one directory a line: the same comment.
	e = mergeEnv(t, srv.URL, map[string]string{"from-results": strings.Join(dirs, "\n"), "github-token": writeToken, "sla": sla})
	if out, err := runAction(t, e, nil); err != nil || out.CommentCreated || len(d.State().Comments) != 1 {
		t.Fatalf("from a list: %v, created %v, %d comments; want the one comment updated", err, out.CommentCreated, len(d.State().Comments))
	}

	// Shard 3's job uploaded nothing.
	if err := os.RemoveAll(dirs[2]); err != nil {
		t.Fatal(err)
	}
	e = mergeEnv(t, srv.URL, map[string]string{"from-results": artifacts, "github-token": writeToken, "sla": sla})
	_, err = runAction(t, e, nil)
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "scenario checkout: shard.index: shard 3 of 3 missing; have 1 (") ||
		!strings.Contains(err.Error(), "Merge what there is with partial: true") {
		t.Fatalf("err = %v, want the merge's refusal of the missing shard, naming the partial input", err)
	}
	if summary, _ := os.ReadFile(e.vars["GITHUB_STEP_SUMMARY"]); !strings.Contains(string(summary), "shard 3 of 3 missing") {
		t.Errorf("the job summary does not say why:\n%s", summary)
	}
	e = mergeEnv(t, srv.URL, map[string]string{"from-results": artifacts, "github-token": writeToken, "sla": sla, "partial": "true"})
	out, err = runAction(t, e, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Verdict != baseline.Warn {
		// The SLA held on 2/3 of the load: a pass would read as the whole
		// load's.
		t.Errorf("partial: verdict %v, want warn", out.Verdict)
	}
	body := d.State().Comments[0].Body
	for _, want := range []string{
		"one load split over 3 generator jobs and merged (shard 3 missing: partial)",
		"no leaks, partial: head run 1: 2 of 3 shards merged, shard 3 missing",
		"⚠️ partial: head run 1: 2 of 3 shards merged, shard 3 missing: the counts and rates are those of a share of the planned load",
		"**Shards:** one load split over 3 generators and merged", // the missing one is the last
		"note: no results of shard 3 of 3: its job uploaded none",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the partial comment lacks %q:\n%s", want, body)
		}
	}
	if len(d.State().Comments) != 1 {
		t.Errorf("%d comments, want the one sticky comment", len(d.State().Comments))
	}
}

// TestMergeShardsRefuses: shard jobs' results of different runs are not
// merged, and the refusal names the directory and the field.
func TestMergeShardsRefuses(t *testing.T) {
	tests := []struct {
		name  string
		tweak func(i int, m *Manifest, r *loadtest.Result)
		want  string
	}{
		{"different commits", func(i int, m *Manifest, r *loadtest.Result) {
			if i == 2 {
				m.HeadSHA = "0000000000000000000000000000000000000000"
			}
		}, "loadgate-shard-2: head_sha: 0000000000000000000000000000000000000000, shard 1 ("},
		{"different splits", func(i int, m *Manifest, r *loadtest.Result) {
			if i == 3 {
				m.Shard.Count = 4
			}
		}, "loadgate-shard-3: shard.count: 4, shard 1 ("},
		{"different starts", func(i int, m *Manifest, r *loadtest.Result) {
			if i == 2 {
				m.Shard.StartAt = "1795428060000"
			}
		}, "shard.start_at: 1795428060000"},
		{"one shard twice", func(i int, m *Manifest, r *loadtest.Result) {
			if i == 3 {
				m.Shard.Index = 2
			}
		}, "shard.index: shard 2 of 3 again"},
		{"the merge's own refusal", func(i int, m *Manifest, r *loadtest.Result) {
			if i == 2 {
				r.Shard.Commit = "fedcba"
			}
		}, "shard.commit: commit fedcba, shard 1 ("},
		{"not a shard job", func(i int, m *Manifest, r *loadtest.Result) {
			if i == 1 {
				m.Shard = nil
			}
		}, "loadgate-shard-1: not the results of a shard job"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			artifacts := t.TempDir()
			writeShardJobs(t, artifacts, 3, tt.tweak)
			e := mergeEnv(t, "http://127.0.0.1:1", map[string]string{"from-results": artifacts, "comment": "false"})
			_, err := runAction(t, e, nil)
			if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to say %q", err, tt.want)
			}
		})
	}
}

func TestOnePackage(t *testing.T) {
	pkg := func(path string, tests ...string) gotest.ListedPackage {
		return gotest.ListedPackage{ImportPath: path, Dir: "/src/" + path, TestGoFiles: tests}
	}
	if err := onePackage([]gotest.ListedPackage{pkg("a", "a_test.go"), pkg("b")}); err != nil {
		t.Errorf("one package with tests: %v", err)
	}
	err := onePackage([]gotest.ListedPackage{pkg("a", "a_test.go"), pkg("b", "b_test.go")})
	if err == nil || !strings.Contains(err.Error(), "these match 2 packages with tests: a, b") {
		t.Errorf("err = %v, want a refusal naming both packages", err)
	}
}

// TestReproduceShards: the script runs every shard at once from one
// start and merges them. It builds the tests before it sets the start,
// as the README's local recipe does: it set the start 10 s ahead, then
// each shard compiled the pull request's code, and on a machine whose
// build cache did not hold it the shards began 250 to 350 ms late, or
// more than 5 s late and refused to run.
func TestReproduceShards(t *testing.T) {
	m := shardManifest(1, 3)
	build := "(go test -run '^$' ./examples/shop) >/dev/null"
	if b, at := strings.Index(m.Reproduce, build), strings.Index(m.Reproduce, "at=$("); b < 0 || at < 0 || b > at {
		t.Errorf("reproduce does not build the tests (%q) before it sets the start:\n%s", build, m.Reproduce)
	}
	for _, want := range []string{
		"for i in $(seq 3); do\n",
		"(LOADGATE_SHARD=$i/3 LOADGATE_START_AT=$at LOADGATE_OUT=\"$out/shard-$i\" go test -run '^TestLoadcheckout$' -count=1 ./examples/shop) &\n",
		"loadgate merge -out \"$out/merged\" \"$out\"/shard-*\n",
	} {
		if !strings.Contains(m.Reproduce, want) {
			t.Errorf("reproduce lacks %q:\n%s", want, m.Reproduce)
		}
	}
}

// TestReproduceJudgement: the script of a sharded run judges the merged
// result as the merge job did: with the package's stored baselines when
// it compared with one, else by its SLA limits alone (loadgate compare
// NEW). It always ended with loadgate compare <pkg>/testdata/loadgate,
// which exits 2 where the package stores no baseline, the usual first
// run, and without the merge job's SLA file.
func TestReproduceJudgement(t *testing.T) {
	sla := filepath.Join(t.TempDir(), "sla.txt")
	writeFile(t, sla, shardSLA)
	tests := []struct {
		name      string
		baselines bool
		inputs    map[string]string
		want      string
	}{
		{"a stored baseline", true, map[string]string{"sla": sla},
			"go run github.com/loadgate/loadgate/cmd/loadgate compare -sla loadgate.sla ./examples/shop/testdata/loadgate \"$out/merged\"\n"},
		{"no stored baseline", false, map[string]string{"sla": sla},
			"go run github.com/loadgate/loadgate/cmd/loadgate compare -sla loadgate.sla \"$out/merged\"  # no stored baseline: judged by its SLA limits\n"},
		{"no stored baseline, no SLA", false, nil,
			"# no stored baseline and no SLA limits: the merged result was judged by its leaks and failed tests alone, which the merge and go test print\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			artifacts := t.TempDir()
			dirs := writeShardJobs(t, artifacts, 3, nil)
			if tt.baselines {
				// As a shard job leaves the package's stored baselines:
				// beside its results.
				r := fixture.ShardFake{Scenario: "checkout", Index: 1, Count: 1, Commit: shardCommit}.Result()
				r.Shard = nil
				if _, err := baseline.Record(filepath.Join(dirs[0], BaselinesDir, "001-checkout.json"), "u1", r); err != nil {
					t.Fatal(err)
				}
			}
			inputs := map[string]string{"from-results": artifacts, "comment": "false"}
			maps.Copy(inputs, tt.inputs)
			out, err := runAction(t, mergeEnv(t, "http://127.0.0.1:1", inputs), nil)
			if err != nil {
				t.Fatal(err)
			}
			if compared := out.Report.Scenarios[0].Comparison != nil; compared != tt.baselines {
				t.Fatalf("compared with a stored baseline: %v, want %v", compared, tt.baselines)
			}
			got := strings.ReplaceAll(out.Report.Manifest.Reproduce, sla, "loadgate.sla")
			if !strings.HasSuffix(got, "merge -out \"$out/merged\" \"$out\"/shard-*\n"+tt.want) {
				t.Errorf("the script:\n%s\nwant it to end with\n%s", got, tt.want)
			}
		})
	}
}

// TestAnnotationsShards: in a sharded run a test's runs are shards; its
// annotation names those it failed in, as the comment does (was: "in 1
// of 3 runs" of a load that ran once).
func TestAnnotationsShards(t *testing.T) {
	dirs := writeShardJobs(t, t.TempDir(), 3, func(i int, m *Manifest, r *loadtest.Result) {
		if i == 2 {
			m.Tests[0].Action, m.Tests[0].Output = "fail", "    load_test.go:201: shard boom\n--- FAIL: TestLoadcheckout\n"
		}
	})
	out := t.TempDir()
	if _, err := MergeShards(dirs, out, merge.Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := ReadResults(out)
	if err != nil {
		t.Fatal(err)
	}
	r := analyze(t, res, shardSLA)
	if text := r.failureText(r.Failures[0]); !strings.Contains(text, "failed in shard 2 of 3") {
		t.Errorf("failure %q, want it to name shard 2 of 3", text)
	}
	a := r.Annotations()
	if len(a) != 1 || !strings.Contains(a[0].Message, "the test failed in shard 2 of 3: load_test.go:201: shard boom") {
		t.Errorf("annotations %+v, want one saying the test failed in shard 2 of 3", a)
	}
}
