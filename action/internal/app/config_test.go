package app

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestConfigDefaults(t *testing.T) {
	e := newActionEnv(t, "http://127.0.0.1:1", nil)
	cfg, err := ConfigFrom(e.action())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Packages, []string{"./..."}) || cfg.Run != "Load" || cfg.Count != 12 || !cfg.Adaptive ||
		cfg.Compare != CompareBaseRef || cfg.Comment != CommentAlways || cfg.FailOn != FailOnRegression {
		t.Errorf("defaults: %+v", cfg)
	}
	g := cfg.GitHub
	if g.PR != 7 || g.BaseSHA != "1a2b3c4d" || g.HeadSHA != "9f8e7d6c" || g.Owner != "loadgate" || g.Repo != "loadgate" {
		t.Errorf("context: %+v", g)
	}
	if got := g.RunURL(); got != "https://github.com/loadgate/loadgate/actions/runs/42" {
		t.Errorf("RunURL = %s", got)
	}
	if cfg.ResultsDir != filepath.Join(e.vars["RUNNER_TEMP"], "loadgate-results") {
		t.Errorf("results dir %s", cfg.ResultsDir)
	}
	if got := cfg.Marker(); got != "<!-- loadgate-action: loadgate / load -->" {
		t.Errorf("marker %s", got)
	}
	// compare: auto is base-ref on a pull request (above), and the stored
	// baselines on an event without a base commit.
	e.vars["GITHUB_EVENT_NAME"] = "push"
	writeFile(t, e.vars["GITHUB_EVENT_PATH"], `{"after": "9f8e7d6c"}`)
	if cfg, err := ConfigFrom(e.action()); err != nil || cfg.Compare != CompareBaseline {
		t.Errorf("compare on push: %v, %v; want baseline", cfg, err)
	}
}

func TestConfigInputs(t *testing.T) {
	sla := writeSLA(t)
	e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{
		"packages": "./examples/shop\n./examples/other", "run": "^TestLoad", "count": "9",
		"compare": "base-ref", "sla": sla, "comment": "on-change", "fail-on": "sla",
		"comment-key": " go-1.27\n linux ", "go-test-flags": "-timeout 20m -tags integration",
	})
	cfg, err := ConfigFrom(e.action())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Packages, []string{"./examples/shop", "./examples/other"}) || cfg.Run != "^TestLoad" ||
		cfg.Count != 9 || cfg.Compare != CompareBaseRef || cfg.Comment != CommentOnChange || cfg.FailOn != FailOnSLA {
		t.Errorf("config: %+v", cfg)
	}
	if !slices.Equal(cfg.TestFlags, []string{"-timeout", "20m", "-tags", "integration"}) {
		t.Errorf("go test flags %q", cfg.TestFlags)
	}
	if cfg.Judge.SLAFile == "" || !filepath.IsAbs(cfg.Judge.SLAFile) {
		t.Errorf("the SLA file the tests get: %q, want it absolute", cfg.Judge.SLAFile)
	}
	if got := cfg.settings("/out"); got.SLAFile != cfg.Judge.SLAFile || got.Out != "/out" {
		t.Errorf("settings %+v", got)
	}
	if got := cfg.Judge.SLA.For("checkout"); !slices.Equal(got, []string{"error_rate < 1%", "p99 < 200ms"}) {
		t.Errorf("SLA for checkout: %q", got)
	}
	if got := cfg.Marker(); got != "<!-- loadgate-action: loadgate / load [go-1.27 linux] -->" {
		t.Errorf("marker %s", got)
	}
}

// TestConfigCase: the words of the inputs are taken in any case, as
// "True" for comment always was (was: compare: Baseline, fail-on: Never
// and count: Auto were refused, and count's error did not mention auto).
func TestConfigCase(t *testing.T) {
	e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{
		"count": "Auto", "compare": "Baseline", "comment": "On-Change", "fail-on": "Never", "setup-go": "False",
	})
	cfg, err := ConfigFrom(e.action())
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Adaptive || cfg.Compare != CompareBaseline || cfg.Comment != CommentOnChange || cfg.FailOn != FailOnNever {
		t.Errorf("config: %+v", cfg)
	}
}

// TestConfigErrors: every bad input is reported, each naming its input.
func TestConfigErrors(t *testing.T) {
	badSLA := filepath.Join(t.TempDir(), "sla.txt")
	writeFile(t, badSLA, "p99 < 5%\n")
	badPolicy := filepath.Join(t.TempDir(), "policy.json")
	writeFile(t, badPolicy, "{\"rules\": {\"p99\": {\"tolerance\": \"15%\"}}}\n")
	tests := []struct {
		input, give, want string
	}{
		{"count", "many", `input count: "many": want auto or a whole number of runs a side, from 1 to 100`},
		{"count", "-3", `input count: "-3": want from 1 to 100 runs a side`},
		{"compare", "base_ref", `input compare: "base_ref": want auto, baseline or base-ref`},
		{"partial", "yes", `input partial: "yes": want true or false`},
		{"setup-go", "yes", `input setup-go: "yes": want true or false`},
		{"count", "0", `input count: "0": want from 1 to 100 runs a side`},
		{"compare", "main", `input compare: "main": want auto, baseline or base-ref`},
		{"comment", "sometimes", `input comment: "sometimes": want true, false or on-change`},
		{"fail-on", "regressions", `input fail-on: "regressions": want regression, warn, sla or never`},
		{"run", "Load(", `input run: "Load(": not a regular expression`},
		{"packages", "-race ./...", `input packages: "-race": a package pattern cannot start with '-'`},
		{"working-directory", "no/such/dir", `input working-directory: "no/such/dir": not a directory`},
		{"sla", badSLA, `sla.txt:1:7: a latency needs a duration`},
		{"policy", badPolicy, `policy.json:1:33: rules.p99.tolerance: cannot use JSON string as float64`},
		{"policy", "no-such-policy.json", `no-such-policy.json: no such file`},
		{"from-results", "no/such/dir", `input from-results: "no/such/dir": not a directory`},
		{"results-dir", "config_test.go", `input results-dir: "config_test.go": not a directory`},
		{"results-dir", "testdata", `input results-dir: "testdata": not empty and holds no loadgate-action.json`},
		{"results-dir", "out\n_GitHubActionsFileCommandDelimeter_\nverdict<<EOF\npass\nEOF", "holds a line break: a step output cannot carry it"},
		{"comment-key", strings.Repeat("go", 101), "longer than 200 bytes"},
		{"go-test-flags", "-count=3", "-count: use the count input"},
		{"go-test-flags", "-timeout 5m -run Foo", "-run: use the run input"},
		{"go-test-flags", "-json", "-json: go test always runs with -json: loadgate reads its events"},
		{"go-test-flags", "-c", "-c: go test -c builds the test binary and runs no test"},
		{"go-test-flags", "-n", "-n: go test -n prints the commands and runs no test"},
		{"go-test-flags", "-list .", "-list: -list lists the tests and runs none"},
		{"go-test-flags", "./... -timeout 5m", `"./..." is not a flag`},
	}
	for _, tt := range tests {
		t.Run(tt.input+"="+tt.give, func(t *testing.T) {
			e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{tt.input: tt.give})
			_, err := ConfigFrom(e.action())
			var ie *InputError
			if !errors.As(err, &ie) || ie.Input != tt.input {
				t.Fatalf("err = %v, want an InputError naming %s", err, tt.input)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
	// All at once: each is reported.
	e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{"count": "x", "compare": "y", "fail-on": "z"})
	_, err := ConfigFrom(e.action())
	for _, input := range []string{"input count", "input compare", "input fail-on"} {
		if err == nil || !strings.Contains(err.Error(), input) {
			t.Errorf("err = %v, want it to name %s", err, input)
		}
	}
}

// TestConfigShardErrorsOnce: a bad shard or start-at input is reported
// once, naming the input (was: again as the LOADGATE_SHARD or
// LOADGATE_START_AT variable the workflow never set).
func TestConfigShardErrorsOnce(t *testing.T) {
	for _, tt := range []struct {
		inputs map[string]string
		want   string
	}{
		{map[string]string{"shard": "2/4"}, `input start-at: "": a shard needs the instant every shard starts at`},
		{map[string]string{"shard": "2/4", "start-at": "soon"}, `input start-at: "soon": want RFC 3339`},
	} {
		e := newActionEnv(t, "http://127.0.0.1:1", tt.inputs)
		_, err := ConfigFrom(e.action())
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "LOADGATE_") {
			t.Errorf("%v: err = %v\nwant %s, and no LOADGATE_ variable", tt.inputs, err, tt.want)
		}
	}
}

// TestConfigLoadgateEnv: the LOADGATE_* variables the job sets for the
// tests are checked with the inputs, as loadgate run checks them, naming
// the variable; an absolute LOADGATE_POLICY or LOADGATE_SLA judges the
// report when its input is empty, as it judges the tests' baseline.Check.
func TestConfigLoadgateEnv(t *testing.T) {
	sla := writeSLA(t)
	t.Setenv("LOADGATE_SLA", sla)
	e := newActionEnv(t, "http://127.0.0.1:1", nil)
	cfg, err := ConfigFrom(e.action())
	if err != nil || cfg.Judge.SLAFile != sla || cfg.settings("/out").SLAFile != sla {
		t.Fatalf("ConfigFrom = %+v, %v; want the SLA of %s", cfg, err, sla)
	}
	e.vars["INPUT_SLA"] = writeSLA(t)
	if cfg, err := ConfigFrom(e.action()); err != nil || cfg.Judge.SLAFile != e.vars["INPUT_SLA"] {
		t.Errorf("with the sla input: %+v, %v; want the input's file", cfg, err)
	}
	t.Setenv("LOADGATE_PROFILE", "bogus")
	t.Setenv("LOADGATE_POLICY", "policy.json")
	_, err = ConfigFrom(e.action())
	for _, want := range []string{`LOADGATE_PROFILE="bogus": unknown profile`, "LOADGATE_POLICY=policy.json: want an absolute path"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %s", err, want)
		}
	}
	// No test runs in the job that judges results of an earlier one.
	e.vars["INPUT_FROM_RESULTS"] = t.TempDir()
	t.Setenv("LOADGATE_POLICY", "")
	if _, err := ConfigFrom(e.action()); err != nil {
		t.Errorf("with from-results: %v", err)
	}
}

// TestConfigGitHubContext: a broken GitHub context is bad input, refused
// before any test runs, naming the variable or the event file (was: a
// pull_request event without its file ran as no pull request, a payload
// of the wrong types was compared with the stored baselines, a truncated
// one named neither variable nor file, and a bad GITHUB_API_URL or
// GITHUB_REPOSITORY failed only after the whole load, at the comment).
// The contexts GitHub Actions gives are taken.
func TestConfigGitHubContext(t *testing.T) {
	tests := []struct {
		name  string
		vars  map[string]string
		event string // "" leaves the pull request's
		want  string // "" for no error
	}{
		{name: "pull request", want: ""},
		{name: "pull_request_target", vars: map[string]string{"GITHUB_EVENT_NAME": "pull_request_target"}},
		{name: "push", vars: map[string]string{"GITHUB_EVENT_NAME": "push"}, event: `{"after": "9f8e7d6c"}`},
		{name: "workflow_dispatch", vars: map[string]string{"GITHUB_EVENT_NAME": "workflow_dispatch"}, event: `{"inputs": {}}`},
		{name: "schedule without a file", vars: map[string]string{"GITHUB_EVENT_NAME": "schedule", "GITHUB_EVENT_PATH": ""}},
		{name: "GitHub Enterprise", vars: map[string]string{"GITHUB_API_URL": "https://ghe.example.com/api/v3", "GITHUB_SERVER_URL": "https://ghe.example.com"}},
		{name: "no event file", vars: map[string]string{"GITHUB_EVENT_PATH": "/nonexistent.json"},
			want: "GITHUB_EVENT_PATH: reading the event's payload: open /nonexistent.json: no such file"},
		{name: "pull request without a file", vars: map[string]string{"GITHUB_EVENT_PATH": ""},
			want: "GITHUB_EVENT_NAME=pull_request needs the event's payload, and GITHUB_EVENT_PATH is not set"},
		{name: "wrong types", event: `{"pull_request": {"number": "seven", "base": {"sha": 5}}}`,
			want: "event.json:1:29: pull_request.number: cannot use JSON string as int"},
		{name: "truncated", event: `{"pull_request": {"number": 7,`, want: "event.json:1:31: unexpected end of file (truncated?)"},
		{name: "no pull_request", event: `{"number": 7}`, want: "the payload of a pull_request event has no pull_request"},
		{name: "no base", event: `{"pull_request": {"number": 7}}`, want: "pull_request.base.sha: want the base commit"},
		{name: "API URL", vars: map[string]string{"GITHUB_API_URL": "not-a-url"}, want: `GITHUB_API_URL="not-a-url": want an absolute http:// or https:// URL`},
		{name: "server URL", vars: map[string]string{"GITHUB_SERVER_URL": "github.com"}, want: `GITHUB_SERVER_URL="github.com": want an absolute`},
		{name: "repository", vars: map[string]string{"GITHUB_REPOSITORY": "noslash"}, want: `GITHUB_REPOSITORY="noslash": want owner/name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{"compare": "auto"})
			if tt.event != "" {
				writeFile(t, e.vars["GITHUB_EVENT_PATH"], tt.event)
			}
			for k, v := range tt.vars {
				e.vars[k] = v
			}
			cfg, err := ConfigFrom(e.action())
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ConfigFrom: %v", err)
				}
				if _, other := tt.vars["GITHUB_EVENT_NAME"]; tt.event == "" && (!other || tt.vars["GITHUB_EVENT_NAME"] == "pull_request_target") && (cfg.GitHub.PR != 7 || cfg.GitHub.BaseSHA != "1a2b3c4d" || cfg.Compare != CompareBaseRef) {
					t.Errorf("context %+v, compare %s; want PR 7 at base 1a2b3c4d, base-ref", cfg.GitHub, cfg.Compare)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ConfigFrom: %v; want %q", err, tt.want)
			}
		})
	}
}

// TestConfigFromResultsInDefaultDir: the fork workflow of issue 13 downloads
// the artifact to RUNNER_TEMP/loadgate-results, the default results-dir; the
// report then goes beside it instead of the action refusing (exit 2). A
// results-dir given equal to from-results is still refused.
func TestConfigFromResultsInDefaultDir(t *testing.T) {
	e := newActionEnv(t, "http://127.0.0.1:1", nil)
	dl := filepath.Join(e.vars["RUNNER_TEMP"], "loadgate-results")
	writeFile(t, filepath.Join(dl, ManifestFile), "{}")
	e.vars["INPUT_FROM_RESULTS"] = dl
	cfg, err := ConfigFrom(e.action())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ResultsDir == dl || filepath.Dir(cfg.ResultsDir) != e.vars["RUNNER_TEMP"] {
		t.Errorf("results dir %s, want a directory beside %s", cfg.ResultsDir, dl)
	}
	e.vars["INPUT_RESULTS_DIR"] = dl
	if _, err := ConfigFrom(e.action()); err == nil || !strings.Contains(err.Error(), "input results-dir") {
		t.Errorf("results-dir = from-results: err %v, want it refused", err)
	}
}

// TestConfigShardsInDefaultDir: the shards' artifacts downloaded each into
// a directory of RUNNER_TEMP/loadgate-results (download-artifact without
// merge-multiple) put the report beside them; the action empties its
// results-dir, so one given that holds a from-results directory, or lies
// within one, is refused. It emptied loadgate-results and the merge then
// found no shards, or refused the directory as someone else's.
func TestConfigShardsInDefaultDir(t *testing.T) {
	e := newActionEnv(t, "http://127.0.0.1:1", nil)
	dl := filepath.Join(e.vars["RUNNER_TEMP"], "loadgate-results")
	var shards []string
	for _, name := range []string{"shard-1", "shard-2"} {
		d := filepath.Join(dl, name)
		writeFile(t, filepath.Join(d, ManifestFile), "{}")
		shards = append(shards, d)
	}
	e.vars["INPUT_FROM_RESULTS"] = strings.Join(shards, "\n")
	cfg, err := ConfigFrom(e.action())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ResultsDir == dl || filepath.Dir(cfg.ResultsDir) != e.vars["RUNNER_TEMP"] {
		t.Errorf("results dir %s, want a directory beside %s", cfg.ResultsDir, dl)
	}
	// A link to a shard's directory, or to a directory that holds one, is
	// that directory: emptying it empties the shard.
	link, linkUp := filepath.Join(t.TempDir(), "link"), filepath.Join(t.TempDir(), "up")
	if err := os.Symlink(shards[1], link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if err := os.Symlink(dl, linkUp); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{dl, filepath.Join(shards[0], "report"), link, linkUp, filepath.Join(link, "not-yet", "report")} {
		e.vars["INPUT_RESULTS_DIR"] = dir
		if _, err := ConfigFrom(e.action()); err == nil || !strings.Contains(err.Error(), "input results-dir") {
			t.Errorf("results-dir %s: err %v, want it refused", dir, err)
		}
	}
}

// TestConfigFromFork: a pull request comes from a fork when its head is
// in another repository. FromFork was head.repo.fork, which says that the
// head's repository is itself a fork: in a repository forked from another
// (a user trying the action in their fork of a project), a pull request
// between its own branches was told of the fork pattern on a 403 instead
// of the pull-requests: write permission it lacked.
func TestConfigFromFork(t *testing.T) {
	for _, tt := range []struct {
		name, head string
		want       bool
	}{
		{"same repository, itself a fork", `{"full_name": "` + repoFull + `", "fork": true}`, false},
		{"same repository, other case", `{"full_name": "` + strings.ToUpper(repoFull) + `", "fork": false}`, false},
		{"a fork", `{"full_name": "someone/loadgate", "fork": true}`, true},
		{"another repository, not a fork", `{"full_name": "someone/other", "fork": false}`, true},
		{"a deleted fork", `null`, true},
		{"no full_name", `{"fork": false}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newActionEnv(t, "http://127.0.0.1:1", map[string]string{"compare": "auto"})
			writeFile(t, e.vars["GITHUB_EVENT_PATH"], `{"number": 7, "pull_request": {"number": 7, "base": {"sha": "1a2b3c4d"}, "head": {"sha": "9f8e7d6c", "repo": `+tt.head+`}}}`)
			cfg, err := ConfigFrom(e.action())
			if err != nil {
				t.Fatal(err)
			}
			if cfg.GitHub.FromFork != tt.want {
				t.Errorf("head.repo %s in %s: FromFork %v, want %v", tt.head, repoFull, cfg.GitHub.FromFork, tt.want)
			}
		})
	}
}
