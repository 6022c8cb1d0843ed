package app

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestActionYMLInputs keeps action.yml, the Input constants and the
// README's table of inputs in step: an input declared in action.yml but not
// passed to the binary as INPUT_<NAME> would be silently ignored, and one
// the binary reads but action.yml does not declare could never be set.
func TestActionYMLInputs(t *testing.T) {
	f, err := os.Open("../../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var declared []string
	passed := map[string]string{} // INPUT_X -> the input it is set from
	inInputs := false
	declRE := regexp.MustCompile(`^  ([a-z][a-z0-9-]*):\s*$`)
	envRE := regexp.MustCompile(`^\s+(INPUT_[A-Z0-9_]+): \$\{\{ inputs\.([a-z0-9-]+) \}\}\s*$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line != "" && !strings.HasPrefix(line, " ") {
			inInputs = line == "inputs:"
		}
		if m := declRE.FindStringSubmatch(line); inInputs && m != nil {
			declared = append(declared, m[1])
		}
		// Expressions belong in an input's default only: nektos/act
		// refuses the whole action for one in a description ("expressions
		// are not allowed here"), and the e2e test runs it under act.
		if inInputs && strings.Contains(line, "${{") && !strings.HasPrefix(strings.TrimSpace(line), "default:") {
			t.Errorf("action.yml: an expression outside an input's default, which action runners refuse: %s", strings.TrimSpace(line))
		}
		if m := envRE.FindStringSubmatch(line); m != nil {
			passed[m[1]] = m[2]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// setup-go is used by action.yml itself; the binary checks its value.
	read := []string{InputPackages, InputRun, InputCount, InputWorkingDirectory, InputCompare, InputSLA, InputPolicy, InputGoTestFlags,
		InputComment, InputFailOn, InputGitHubToken, InputFromResults, InputResultsDir, InputCommentKey,
		InputShard, InputStartAt, InputPartial, InputSetupGo}
	for _, in := range read {
		if !slices.Contains(declared, in) {
			t.Errorf("the binary reads input %s, which action.yml does not declare", in)
		}
		env := "INPUT_" + strings.ToUpper(strings.ReplaceAll(in, "-", "_"))
		if passed[env] != in {
			t.Errorf("action.yml does not pass input %s to the binary as %s: ${{ inputs.%s }}", in, env, in)
		}
	}
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range declared {
		if !slices.Contains(read, in) {
			t.Errorf("action.yml declares input %s, which the binary does not read", in)
		}
		if !strings.Contains(string(readme), "| `"+in+"` |") {
			t.Errorf("README.md's table of inputs lacks %s", in)
		}
	}
	if len(declared) < len(read) {
		t.Errorf("found %d inputs in action.yml: %q", len(declared), declared)
	}
}

// TestActionYMLBuildRef runs action.yml's build step with a go that only
// records its arguments: the build is told the version of uses:
// loadgate/loadgate@v0.1.0 even where github.action_ref is empty in a
// composite action's steps (actions/runner#2473), from the directory the
// runner keeps the action in. Without it loadgate version knew no version
// and the comment's reproduce script said @latest, not the pinned one.
func TestActionYMLBuildRef(t *testing.T) {
	data, err := os.ReadFile("../../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Runs struct {
			Steps []struct {
				Name string            `yaml:"name"`
				Run  string            `yaml:"run"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	var script string
	for _, st := range a.Runs.Steps {
		if st.Name == "Build loadgate" {
			script = st.Run
			// A workflow's GOFLAGS=-mod=vendor or go.work is its module's:
			// loadgate, built in the action's directory, has neither.
			if v, ok := st.Env["GOFLAGS"]; !ok || v != "" {
				t.Errorf("the build step's GOFLAGS is %q (set: %v), want it set empty", v, ok)
			}
			if st.Env["GOWORK"] != "off" {
				t.Errorf("the build step's GOWORK is %q, want off", st.Env["GOWORK"])
			}
		}
	}
	if script == "" {
		t.Fatal(`action.yml has no step "Build loadgate"`)
	}
	bin := t.TempDir()
	writeFile(t, filepath.Join(bin, "go"), "#!/bin/sh\nprintf '%s\\n' \"$@\"\n")
	if err := os.Chmod(filepath.Join(bin, "go"), 0o755); err != nil {
		t.Fatal(err)
	}
	const sha = "0123456789abcdef0123456789abcdef01234567"
	for _, tt := range []struct{ name, ref, path, want string }{
		{"action_ref given", "v0.1.0", "/home/runner/work/_actions/loadgate/loadgate/v0.1.0", "v0.1.0"},
		{"action_ref empty: a tag", "", "/home/runner/work/_actions/loadgate/loadgate/v0.1.0", "v0.1.0"},
		{"action_ref empty: a commit", "", "/home/runner/work/_actions/loadgate/loadgate/" + sha, sha},
		{"action_ref empty: a branch with a slash", "", "/home/runner/work/_actions/loadgate/loadgate/feature/v2", ""},
		{"uses: ./", "", "/home/runner/work/svc/svc", ""},
		{"a ref that is no tag", "main;rm", "/home/runner/work/_actions/loadgate/loadgate/v0.1.0", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("bash", "-e", "-c", script)
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"LOADGATE_REF="+tt.ref, "LOADGATE_ACTION_PATH="+tt.path, "RUNNER_TEMP="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if want := "internal/version.ref=" + tt.want + "\n"; !strings.Contains(string(out), want) {
				t.Errorf("go %s\nwant -X …%s", strings.ReplaceAll(string(out), "\n", " "), want)
			}
		})
	}
}
