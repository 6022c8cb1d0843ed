package app

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
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
	// setup-go is used by action.yml itself, not by the binary.
	read := []string{InputPackages, InputRun, InputCount, InputWorkingDirectory, InputCompare, InputSLA, InputPolicy, InputGoTestFlags,
		InputComment, InputFailOn, InputGitHubToken, InputFromResults, InputResultsDir, InputCommentKey,
		InputShard, InputStartAt, InputPartial}
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
		if in != "setup-go" && !slices.Contains(read, in) {
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
