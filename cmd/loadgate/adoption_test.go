package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/gotest"
)

// adoptionHeading is the README section a new user follows in a module of
// their own; TestAdoption runs it there, and TestREADME leaves it out.
const adoptionHeading = "## Use it in your service"

// adoptionStep is one step of the README's adoption section: a command of
// a ```sh block, or a file a ```go block shows (named by the last `x.go`
// the text before the block mentions).
type adoptionStep struct {
	line int    // in README.md
	cmd  string // a shell command, or
	file string // the name of a file and
	text string // its contents
}

var (
	goFileRE  = regexp.MustCompile("`([A-Za-z0-9_]+\\.go)`")
	goGetRE   = regexp.MustCompile(`^go get github\.com/loadgate/loadgate@(\S+)$`)
	installRE = regexp.MustCompile(`^go install github\.com/loadgate/loadgate/cmd/loadgate@(\S+)$`)
	goRunRE   = regexp.MustCompile(`go run github\.com/loadgate/loadgate/cmd/loadgate@(\S+)`)
)

// adoptionSteps returns the steps of the adoption section of a README.
func adoptionSteps(readme string) ([]adoptionStep, error) {
	var steps []adoptionStep
	in, fence, file, prose := false, "", adoptionStep{}, ""
	sc := bufio.NewScanner(strings.NewReader(readme))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case fence == "" && strings.HasPrefix(line, "## "):
			if in {
				return steps, nil
			}
			in = strings.TrimSpace(line) == adoptionHeading
		case !in:
		case fence == "" && strings.HasPrefix(line, "```"):
			fence = strings.TrimPrefix(line, "```")
			if fence == "go" {
				m := goFileRE.FindAllStringSubmatch(prose, -1)
				if m == nil {
					return nil, fmt.Errorf("README.md:%d: a Go block, and the text before it names no file (`x.go`)", n)
				}
				file = adoptionStep{line: n + 1, file: m[len(m)-1][1]}
			}
			prose = ""
		case fence != "" && line == "```":
			if fence == "go" {
				steps = append(steps, file)
			}
			fence = ""
		case fence == "go":
			file.text += line + "\n"
		case fence == "sh":
			if c := strings.TrimSpace(line); c != "" && !strings.HasPrefix(c, "#") {
				steps = append(steps, adoptionStep{line: n, cmd: c})
			}
		case fence == "":
			prose += line + "\n"
		}
	}
	if !in && len(steps) == 0 {
		return nil, fmt.Errorf("README.md has no section %q", adoptionHeading)
	}
	return steps, sc.Err()
}

// scratch is a user's module in a directory of its own, outside this
// repository, where the README's steps run.
type scratch struct {
	t        *testing.T
	checkout string // this repository
	dir      string // the user's module
	bin      string // GOBIN
	env      []string
	version  string // the version the README pins
	outputs  map[string]string
}

func newScratch(t *testing.T, checkout string) *scratch {
	t.Helper()
	root := t.TempDir() // outside the repository: no go.mod above it
	s := &scratch{t: t, checkout: checkout, dir: filepath.Join(root, "yourservice"), bin: filepath.Join(root, "bin"), outputs: map[string]string{}}
	for _, d := range []string{s.dir, s.bin, filepath.Join(root, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// What the user's shell has, less what a CI job running this test sets
	// for itself (its GitHub context, its own loadgate settings).
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "GITHUB_") && !strings.HasPrefix(name, "INPUT_") && !strings.HasPrefix(name, "RUNNER_") &&
			!strings.HasPrefix(name, "LOADGATE_") && name != "PATH" && name != "GOWORK" && name != "TMPDIR" {
			s.env = append(s.env, kv)
		}
	}
	s.env = append(s.env, "PATH="+s.bin+string(os.PathListSeparator)+os.Getenv("PATH"), "GOBIN="+s.bin, "GOWORK=off",
		"TMPDIR="+filepath.Join(root, "tmp"),
		"GIT_AUTHOR_NAME=you", "GIT_AUTHOR_EMAIL=you@example.com", "GIT_COMMITTER_NAME=you", "GIT_COMMITTER_EMAIL=you@example.com")
	// The user's service: a module in a git repository.
	for _, c := range []string{"go mod init example.com/yourservice", "git init -q"} {
		if _, err := s.sh(c, nil); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// sh runs a command in the user's module with bash, as a reader would
// paste it, and returns its output; an exit status other than 0 is an
// error unless it is in ok.
func (s *scratch) sh(command string, env []string, ok ...int) (string, error) {
	ctx, cancel := context.WithTimeout(s.t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-c", command)
	cmd.Dir = s.dir
	cmd.Env = append(append([]string(nil), s.env...), env...)
	gotest.Isolate(cmd)
	cmd.WaitDelay = 10 * time.Second
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	s.t.Logf("$ %s (%s)", strings.ReplaceAll(command, "\n", "; "), time.Since(t0).Round(100*time.Millisecond))
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		for _, code := range ok {
			if ee.ExitCode() == code {
				return string(out), nil
			}
		}
	}
	if err != nil {
		return string(out), fmt.Errorf("%s: %v\n%s", command, err, lastLines(string(out), 30))
	}
	return string(out), nil
}

// install stands in for go install …/cmd/loadgate@version, which builds
// the command in loadgate's own module at that version whatever the
// current directory's module is: here the checkout, told the version as
// the Action's build is (internal/version), since it is not published.
func (s *scratch) install(version string) error {
	cmd := exec.CommandContext(s.t.Context(), "go", "build", "-ldflags", "-X github.com/loadgate/loadgate/internal/version.ref="+version,
		"-o", filepath.Join(s.bin, "loadgate"), "./cmd/loadgate")
	cmd.Dir = s.checkout
	cmd.Env = s.env
	t0 := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/loadgate in %s: %v\n%s", s.checkout, err, out)
	}
	s.t.Logf("built loadgate %s from the checkout, for go install …/cmd/loadgate@%[1]s (%s)", version, time.Since(t0).Round(100*time.Millisecond))
	return nil
}

// substitute replaces go run …/cmd/loadgate@version, which runs loadgate
// at that version in its own module, by the command install built.
func (s *scratch) substitute(command string) (string, error) {
	if !goRunRE.MatchString(command) {
		return command, nil
	}
	var err error
	command = goRunRE.ReplaceAllStringFunc(command, func(m string) string {
		if v := goRunRE.FindStringSubmatch(m)[1]; v != s.version {
			err = fmt.Errorf("runs loadgate@%s, but the README pins %s", v, s.version)
		}
		return filepath.Join(s.bin, "loadgate")
	})
	if _, statErr := os.Stat(filepath.Join(s.bin, "loadgate")); err == nil && statErr != nil {
		err = s.install(s.version)
	}
	return command, err
}

// follow takes the steps in order, substituting only what the version is
// not yet published for: a replace of github.com/loadgate/loadgate by the
// checkout, and the checkout's command for the one go install or go run
// would fetch. It returns the first step that failed.
func (s *scratch) follow(steps []adoptionStep) error {
	for _, st := range steps {
		at := fmt.Sprintf("README.md:%d", st.line)
		if st.file != "" {
			if err := os.WriteFile(filepath.Join(s.dir, st.file), []byte(st.text), 0o644); err != nil {
				return err
			}
			s.t.Logf("%s: wrote %s", at, st.file)
			continue
		}
		command := st.cmd
		switch m := goGetRE.FindStringSubmatch(command); {
		case m != nil:
			s.version = m[1]
			if _, err := s.sh("go mod edit -replace github.com/loadgate/loadgate="+s.checkout, nil); err != nil {
				return err
			}
		case s.version == "" && strings.Contains(command, "loadgate"):
			return fmt.Errorf("%s: %s: before any go get github.com/loadgate/loadgate@version", at, command)
		}
		if m := installRE.FindStringSubmatch(command); m != nil {
			if m[1] != s.version {
				return fmt.Errorf("%s: %s: installs @%s, but go get pins %s", at, command, m[1], s.version)
			}
			if err := s.install(m[1]); err != nil {
				return fmt.Errorf("%s: %s: %w", at, command, err)
			}
			continue
		}
		command, err := s.substitute(command)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", at, st.cmd, err)
		}
		out, err := s.sh(command, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		s.outputs[st.cmd] = out
	}
	return nil
}

// TestAdoption follows the README's "Use it in your service" in a new
// module outside this repository, as a new user would (issue 19): go get,
// the first load test, go test, go install and loadgate run; then the
// Action's run on a pull request of that module and the commands its
// comment gives to reproduce it. It also shows a README step that only
// works in this checkout failing.
func TestAdoption(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module outside the repository and runs its load tests; skipped in -short mode")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(checkout, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)

	t.Run("broken", func(t *testing.T) {
		// A README whose install line works only in this checkout, as it
		// once did, must fail.
		good := "go install github.com/loadgate/loadgate/cmd/loadgate@"
		i := strings.Index(readme, good)
		if i < 0 {
			t.Fatalf("README.md has no %s…", good)
		}
		end := i + strings.IndexByte(readme[i:], '\n')
		broken := readme[:i] + "go install ./cmd/loadgate" + readme[end:]
		steps, err := adoptionSteps(broken)
		if err != nil {
			t.Fatal(err)
		}
		err = newScratch(t, checkout).follow(steps)
		if err == nil || !strings.Contains(err.Error(), "go install ./cmd/loadgate") {
			t.Fatalf("the broken copy: err = %v, want the go install step to fail", err)
		}
		t.Logf("the broken copy fails, as it should:\n%v", err)
	})

	steps, err := adoptionSteps(readme)
	if err != nil {
		t.Fatal(err)
	}
	var files, cmds []string
	for _, st := range steps {
		if st.file != "" {
			files = append(files, st.file)
		} else {
			cmds = append(cmds, st.cmd)
		}
	}
	t.Logf("files %q; commands %q", files, cmds)
	s := newScratch(t, checkout)
	if err := s.follow(steps); err != nil {
		t.Fatal(err)
	}
	// What each step promises.
	if s.version == "" || len(files) == 0 {
		t.Fatalf("the section has no go get github.com/loadgate/loadgate@version (%q) or no test file (%q)", s.version, files)
	}
	saw := map[string]bool{}
	for cmd, out := range s.outputs {
		switch {
		case cmd == "loadgate version":
			saw[cmd] = true
			if !strings.HasPrefix(out, "loadgate "+s.version+" ") {
				t.Errorf("loadgate version printed %q, want loadgate %s …", out, s.version)
			}
		case strings.HasPrefix(cmd, "loadgate run"):
			saw["loadgate run"] = true
			if !strings.Contains(out, "== scenarios of example.com/yourservice") {
				t.Errorf("%s printed no scenario table:\n%s", cmd, out)
			}
		case strings.HasPrefix(cmd, "go test"):
			saw["go test"] = true
			if !strings.Contains(out, "--- PASS: TestLoad") {
				t.Errorf("%s ran no load test:\n%s", cmd, out)
			}
		}
	}
	for _, want := range []string{"go test", "loadgate version", "loadgate run"} {
		if !saw[want] {
			t.Errorf("the section has no %s step", want)
		}
	}
	// The workflow the section points to pins the same version.
	if !strings.Contains(readme, "      - uses: loadgate/loadgate@"+s.version+"\n") {
		t.Errorf("README.md's workflows do not pin uses: loadgate/loadgate@%s", s.version)
	}

	// A pull request of the user's module, run by the Action's binary as
	// action.yml runs it (compare: base-ref, one run a side, no comment),
	// then the script its comment gives to reproduce the runs.
	if _, err := s.sh("git add -A && git commit -q -m base && echo 'A change.' >CHANGES && git add CHANGES && git commit -q -m head", nil); err != nil {
		t.Fatal(err)
	}
	base, _ := s.sh("git rev-parse HEAD~1", nil)
	head, _ := s.sh("git rev-parse HEAD", nil)
	root := filepath.Dir(s.dir)
	event := fmt.Sprintf(`{"number": 3, "pull_request": {"number": 3, "head": {"sha": %q}, "base": {"sha": %q}}}`, strings.TrimSpace(head), strings.TrimSpace(base))
	if err := os.WriteFile(filepath.Join(root, "event.json"), []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(root, "results")
	out, err := s.sh("loadgate action", []string{
		"GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH=" + filepath.Join(root, "event.json"),
		"GITHUB_REPOSITORY=you/yourservice", "GITHUB_SHA=" + strings.TrimSpace(head),
		"GITHUB_OUTPUT=" + filepath.Join(root, "output"), "GITHUB_STEP_SUMMARY=" + filepath.Join(root, "summary.md"),
		"RUNNER_TEMP=" + root, "INPUT_COMPARE=base-ref", "INPUT_COUNT=1", "INPUT_COMMENT=false", "INPUT_RESULTS_DIR=" + results,
	})
	if err != nil {
		t.Fatalf("the Action: %v", err)
	}
	manifest, err := os.ReadFile(filepath.Join(results, "loadgate-action.json"))
	if err != nil {
		t.Fatalf("the Action wrote no manifest: %v\n%s", err, lastLines(out, 30))
	}
	var m struct{ Reproduce string }
	if err := json.Unmarshal(manifest, &m); err != nil {
		t.Fatal(err)
	}
	t.Logf("the comment's reproduce script:\n%s", m.Reproduce)
	if want := "go run github.com/loadgate/loadgate/cmd/loadgate@" + s.version + " run -base "; !strings.Contains(m.Reproduce, want) {
		t.Fatalf("the reproduce script lacks %q", want)
	}
	script, err := s.substitute(m.Reproduce)
	if err != nil {
		t.Fatal(err)
	}
	// The comparison's own verdict on one run a side of the same code is
	// not this test's business: 1 (a false alarm) and 3 (inconclusive) are
	// loadgate run's answers, not a broken script.
	out, err = s.sh(script, nil, 1, 3)
	if err != nil {
		t.Fatalf("the reproduce script: %v", err)
	}
	if !strings.Contains(out, "hello") {
		t.Errorf("the reproduce script compared no scenario hello:\n%s", out)
	}
}

func TestAdoptionSteps(t *testing.T) {
	readme := "# x\n\n## Quick start\n\n```sh\ngo run ./cmd/loadgate\n```\n\n" + adoptionHeading + "\n\nAdd it:\n\n```sh\n# a comment\ngo get github.com/loadgate/loadgate@v0.1.0\n```\n\n" +
		"As `a_test.go`, then `b_test.go`:\n\n```go\npackage a\n```\n\n```sh\ngo test .\n\nloadgate run ./...\n```\n\n```yaml\non: push\n```\n\n## Next\n\n```sh\nnot this\n```\n"
	got, err := adoptionSteps(readme)
	if err != nil {
		t.Fatal(err)
	}
	want := []adoptionStep{
		{line: 15, cmd: "go get github.com/loadgate/loadgate@v0.1.0"},
		{line: 21, file: "b_test.go", text: "package a\n"},
		{line: 25, cmd: "go test ."},
		{line: 27, cmd: "loadgate run ./..."},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("adoptionSteps =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := adoptionSteps("# x\n\n```go\npackage a\n```\n"); err == nil {
		t.Errorf("no error for a README without the section")
	}
	if _, err := adoptionSteps(adoptionHeading + "\n\n```go\npackage a\n```\n"); err == nil || !strings.Contains(err.Error(), "README.md:3: ") {
		t.Errorf("a Go block without a file name: err = %v", err)
	}
}
