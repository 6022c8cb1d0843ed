package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/gotest"
)

// The test binary doubles as a fake go command, so that tests of loadgate
// run replay recorded go test -json output instead of running load tests.
const (
	envFakeGo      = "LOADGATE_FAKE_GO"       // events (JSON lines) to replay for go test
	envFakeResults = "LOADGATE_FAKE_RESULTS"  // results to copy into LOADGATE_OUT
	envFakePkgDir  = "LOADGATE_FAKE_PKGDIR"   // the directory go list reports
	envFakeHang    = "LOADGATE_FAKE_HANG"     // "wait": wait for SIGINT after the events; "ignore": ignore it
	envFakeLog     = "LOADGATE_FAKE_LOG"      // file that receives the arguments and what happened
	envFakePartial = "LOADGATE_FAKE_PARTIAL"  // "1": record as an update cut short, in staging files
	envFakeBaseGo  = "LOADGATE_FAKE_BASE_GO"  // events to replay instead for the base's go test (LOADGATE_OUT .../base)
	envFakeNoCheck = "LOADGATE_FAKE_NO_CHECK" // "1": the tests call no baseline.Check, so an update records nothing
)

func TestMain(m *testing.M) {
	if os.Getenv(envFakeGo) != "" {
		os.Exit(fakeGo(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeGo answers go list and go test as the environment says.
func fakeGo(args []string) int {
	logf := func(format string, a ...any) {
		if path := os.Getenv(envFakeLog); path != "" {
			f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			if err == nil {
				fmt.Fprintf(f, format+"\n", a...)
				f.Close()
			}
		}
	}
	logf("go %s", strings.Join(args, " "))
	if wd, err := os.Getwd(); err == nil {
		logf("in %s", wd)
	}
	switch args[0] {
	case "list":
		for _, a := range args[1:] {
			if strings.HasPrefix(a, "-") {
				continue
			}
			if strings.Contains(a, "nope") {
				fmt.Printf(`{"ImportPath": %q, "Error": {"Err": "stat /x/%s: directory not found"}}`+"\n", a, a)
				continue
			}
			fmt.Printf(`{"ImportPath": "github.com/loadgate/loadgate/examples/shop", "Dir": %q}`+"\n", os.Getenv(envFakePkgDir))
		}
		return 0
	case "test":
		for _, k := range []string{"LOADGATE_BASELINE_DIR", "LOADGATE_POLICY", "LOADGATE_SLA", "LOADGATE_TARGET", "LOADGATE_RATE_SCALE", "LOADGATE_ALLOW_HOSTS", "LOADGATE_PROFILE", "LOADGATE_FLIGHT", "LOADGATE_UPDATE_LEASE"} {
			if v, ok := os.LookupEnv(k); ok {
				logf("env %s=%s", k, v)
			}
		}
	default:
		fmt.Fprintf(os.Stderr, "fake go: unknown command %s\n", args[0])
		return 2
	}
	out := os.Getenv("LOADGATE_OUT")
	if os.Getenv("LOADGATE_UPDATE") == "1" && os.Getenv(envFakeNoCheck) == "" {
		// What baseline.Check does in the tests: record the baselines
		// under the session's id.
		if err := fakeRecord(os.Getenv(envFakePkgDir), os.Getenv("LOADGATE_UPDATE_ID")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	// As loadtest.Run does, write each result when the output says so.
	written := regexp.MustCompile(`result written to \$LOADGATE_OUT/([^\\"]+)`)
	runID := regexp.MustCompile(`"run_id":\s*"([^"]*)"`)
	results := os.Getenv(envFakeResults)
	hang := os.Getenv(envFakeHang)
	sigs := make(chan os.Signal, 1)
	switch hang {
	case "wait":
		signal.Notify(sigs, os.Interrupt)
	case "ignore":
		signal.Ignore(os.Interrupt)
	}
	events := os.Getenv(envFakeGo)
	if b := os.Getenv(envFakeBaseGo); b != "" && filepath.Base(out) == "base" {
		events = b
	}
	data, err := os.ReadFile(events)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	failed := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if m := written.FindStringSubmatch(sc.Text()); m != nil && results != "" {
			data, _ := os.ReadFile(filepath.Join(results, m[1]))
			name := m[1]
			if _, err := os.Stat(filepath.Join(out, name)); err == nil {
				// A later go test of the same run (loadgate adding runs):
				// the next free name, as loadtest.WriteFile picks.
				base := strings.TrimSuffix(strings.SplitN(name, ".", 2)[0], ".json")
				for n := 2; ; n++ {
					name = fmt.Sprintf("%s.%d.json", base, n)
					if _, err := os.Stat(filepath.Join(out, name)); err != nil {
						break
					}
				}
				// A run of its own, with its own id: the same id twice
				// is one run given twice, which loadgate refuses.
				data = runID.ReplaceAll(data, []byte(`"run_id": "${1}-`+strings.TrimSuffix(name, ".json")+`"`))
			}
			os.WriteFile(filepath.Join(out, name), data, 0o644)
			// The profiles it names, beside it.
			var named struct{ Profiles map[string]string }
			json.Unmarshal(data, &named)
			for _, p := range named.Profiles {
				if prof, err := os.ReadFile(filepath.Join(results, p)); err == nil {
					os.WriteFile(filepath.Join(out, p), prof, 0o644)
				}
			}
		}
		line := strings.ReplaceAll(sc.Text(), "$LOADGATE_OUT", out)
		failed = failed || strings.Contains(line, `"Action":"fail"`)
		fmt.Println(line)
	}
	if hang == "" {
		if failed {
			return 1
		}
		return 0
	}
	// A child in the process group, to show that loadgate stops it too.
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err == nil {
		logf("grandchild %d", sleep.Process.Pid)
	}
	logf("waiting")
	if hang == "ignore" {
		select {}
	}
	<-sigs
	logf("interrupted")
	// What go test says when its test binary dies of the interrupt.
	fmt.Println(`{"Action":"output","Package":"github.com/loadgate/loadgate/examples/shop","Output":"FAIL\tgithub.com/loadgate/loadgate/examples/shop\t9.243s\n"}`)
	fmt.Println(`{"Action":"fail","Package":"github.com/loadgate/loadgate/examples/shop","Elapsed":9.243}`)
	return 1
}

// fakeRecord writes the baselines of testdata/baselines into the package
// directory's testdata/loadgate (or LOADGATE_BASELINE_DIR), as recorded by
// update session id.
func fakeRecord(pkgDir, id string) error {
	files, _ := filepath.Glob(filepath.Join("testdata", "baselines", "*.json"))
	if len(files) == 0 {
		return fmt.Errorf("fake go: no baselines to record (run in %s)", pkgDir)
	}
	dir := filepath.Join(pkgDir, "testdata", "loadgate")
	if d := os.Getenv("LOADGATE_BASELINE_DIR"); filepath.IsAbs(d) { // as baseline.Check reads it
		dir = d
	} else if d != "" {
		dir = filepath.Join(pkgDir, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var b map[string]any
		if err := json.Unmarshal(data, &b); err != nil {
			return err
		}
		b["update_id"] = id
		data, err = json.MarshalIndent(b, "", "  ")
		if err != nil {
			return err
		}
		name := filepath.Join(dir, filepath.Base(f))
		if os.Getenv(envFakePartial) == "1" {
			name = baseline.StagedPath(name)
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fakeRun makes loadgate's go command the fake one for the test.
type fakeRun struct {
	events  string // testdata file of events to replay
	results string // testdata directory of results the tests "write"
	hang    string
	pkgDir  string // the package's directory; default a new temporary one
}

// install points gotest.Command at the fake and returns the file it logs to.
func (f fakeRun) install(t *testing.T) string {
	t.Helper()
	abs := func(p string) string {
		if p == "" {
			return ""
		}
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	log := filepath.Join(t.TempDir(), "fake.log")
	t.Setenv(envFakeGo, abs(f.events))
	t.Setenv(envFakeResults, abs(f.results))
	if f.pkgDir == "" {
		f.pkgDir = t.TempDir()
	}
	t.Setenv(envFakePkgDir, abs(f.pkgDir))
	t.Setenv(envFakeHang, f.hang)
	t.Setenv(envFakeLog, log)
	prev := gotest.Command
	gotest.Command = os.Args[0]
	t.Cleanup(func() { gotest.Command = prev })
	return log
}

// result is what one in-process run of the command did.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int
}

// loadgate runs the command in-process.
func loadgate(ctx context.Context, args ...string) result {
	var stdout, stderr bytes.Buffer
	err := run(ctx, args, &stdout, &stderr)
	code := exitStatus(err, &stderr)
	return result{args, stdout.String(), stderr.String(), code}
}

// String writes the run as its golden file holds it.
func (r result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ loadgate %s\n", quoteArgs(r.args))
	if r.stdout != "" {
		fmt.Fprintf(&b, "-- stdout --\n%s", ensureNewline(r.stdout))
	}
	if r.stderr != "" {
		fmt.Fprintf(&b, "-- stderr --\n%s", ensureNewline(r.stderr))
	}
	fmt.Fprintf(&b, "-- exit status %d --\n", r.code)
	return b.String()
}

// normalizer replaces what changes from one run to the next.
type normalizer []struct{ re, repl string }

func (n normalizer) apply(s string) string {
	for _, r := range n {
		s = regexp.MustCompile(r.re).ReplaceAllLiteralString(s, r.repl)
	}
	return s
}

// TestSignalStatus: a run stopped by SIGTERM (a canceled CI job, a pod
// deleted) exits 143, as shells report it; it exited 130, an interrupt's.
func TestSignalStatus(t *testing.T) {
	for _, tt := range []struct {
		code int
		sig  os.Signal
		want int
	}{
		{exitInterrupted, syscall.SIGTERM, 143},
		{exitInterrupted, os.Interrupt, 130},
		{exitInterrupted, nil, 130},
		{exitFailed, syscall.SIGTERM, exitFailed}, // it finished before the signal counted
	} {
		if got := signalStatus(tt.code, tt.sig); got != tt.want {
			t.Errorf("signalStatus(%d, %v) = %d, want %d", tt.code, tt.sig, got, tt.want)
		}
	}
}

// noGoTestRan fails t if the fake go test's log (fakeRun.install; "" for
// none) says go test ran: bad usage is refused before any test runs.
func noGoTestRan(t *testing.T, log string) {
	t.Helper()
	if log == "" {
		return
	}
	if data, _ := os.ReadFile(log); strings.Contains(string(data), "go test") {
		t.Errorf("go test ran despite bad usage:\n%s", data)
	}
}

// TestPipeWatch: a reader that went away (loadgate run | head) stops the
// run as an interrupt does; other write errors do not.
func TestPipeWatch(t *testing.T) {
	type write struct {
		err    error
		broken bool
	}
	writes := []write{
		{nil, false},
		{&os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}, false},
	}
	for _, errno := range brokenPipeErrnos {
		writes = append(writes, write{&os.PathError{Op: "write", Path: "/dev/stdout", Err: errno}, true})
	}
	for _, tt := range writes {
		called := false
		p := &pipeWatch{w: errWriter{tt.err}, broken: func() { called = true }}
		if _, err := p.Write([]byte("x")); err != tt.err || called != tt.broken {
			t.Errorf("write failing with %v: returned %v, broken called %v; want the error and %v", tt.err, err, called, tt.broken)
		}
	}
}

// errWriter fails its writes with err, if not nil.
type errWriter struct{ err error }

func (w errWriter) Write(b []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	return len(b), nil
}
