package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/gotest"
)

// readmeCommand is a command from a ```sh block of the README, with the
// exit status a trailing "# exit status N" comment promises (default 0).
type readmeCommand struct {
	line   int
	cmd    string
	status int
}

var exitComment = regexp.MustCompile(`\s+#\s*exit status (\d+)\b.*$`)

// readmeCommands returns the commands of the README's sh blocks: one per
// line, lines ending in \ joined, comment lines skipped. A ```shell block
// is one command, a script run whole (for steps that need one another: a
// server started in the background, then loaded, then stopped).
func readmeCommands(t *testing.T, path string) []readmeCommand {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []readmeCommand
	sc := bufio.NewScanner(f)
	inSh, n, pending, start, skip := false, 0, "", 0, false
	var script *readmeCommand
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case script == nil && !inSh && strings.HasPrefix(line, "## "):
			skip = strings.TrimSpace(line) == adoptionHeading
			continue
		case skip:
			continue
		case script == nil && !inSh && strings.TrimSpace(line) == "```shell":
			script = &readmeCommand{line: n + 1}
			continue
		case script != nil && strings.TrimSpace(line) == "```":
			cmds = append(cmds, *script)
			script = nil
			continue
		case script != nil:
			script.cmd += line + "\n"
			continue
		case !inSh && strings.TrimSpace(line) == "```sh":
			inSh = true
			continue
		case inSh && strings.TrimSpace(line) == "```":
			inSh = false
			continue
		case !inSh:
			continue
		}
		if pending == "" {
			start = n
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			pending += cont + " "
			continue
		}
		line = strings.TrimSpace(pending + line)
		pending = ""
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := readmeCommand{line: start, cmd: line}
		if m := exitComment.FindStringSubmatch(line); m != nil {
			c.status, _ = strconv.Atoi(m[1])
			c.cmd = strings.TrimSpace(line[:len(line)-len(m[0])])
		}
		cmds = append(cmds, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cmds
}

// TestREADME runs the commands of the README's sh code blocks from the
// repository's root, as a reader would, and checks their exit status. The
// section for a module of one's own (adoptionHeading) is TestAdoption's.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's commands, the example's load tests among them; skipped in -short mode")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(t, filepath.Join(root, "README.md"))
	if len(cmds) < 2 {
		t.Fatalf("found %d commands in the README's sh blocks, want the Quick start's two at least", len(cmds))
	}
	// The Quick start is the promise: its main command must be loadgate.
	if cmds[0].cmd != "go run ./cmd/loadgate run ./examples/..." {
		t.Errorf("the README's first command is %q, want go run ./cmd/loadgate run ./examples/...", cmds[0].cmd)
	}
	for _, c := range cmds {
		t.Run("README.md:"+strconv.Itoa(c.line), func(t *testing.T) {
			if c.cmd == "go test ./..." {
				// This test is part of go test ./...: running it from here
				// would run this test again, recursively. CI runs it.
				t.Skip("go test ./... is the suite this test belongs to")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", c.cmd)
			cmd.Dir = root
			// loadgate run's results go to a new directory under TMPDIR.
			cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
			// On timeout, stop everything the command started (go run,
			// loadgate, go test, the tests), not only the shell.
			gotest.Isolate(cmd)
			cmd.WaitDelay = 10 * time.Second
			out, err := cmd.CombinedOutput()
			status := 0
			var ee *exec.ExitError
			switch {
			case errors.As(err, &ee):
				status = ee.ExitCode()
			case err != nil:
				t.Fatalf("README.md:%d: %s: %v", c.line, c.cmd, err)
			}
			if ctx.Err() != nil {
				t.Fatalf("README.md:%d: %s: did not finish in 5 minutes", c.line, c.cmd)
			}
			text := string(out)
			if strings.Contains(c.cmd, "loadgate run") {
				if !strings.Contains(text, "== scenarios of") {
					t.Errorf("README.md:%d: %s printed no scenario table:\n%s", c.line, c.cmd, text)
				}

				// The quick start's words on how it ends: the
				// example that leaks on purpose, reported only.
				lines := strings.Split(strings.TrimSpace(text), "\n")
				last := lines[len(lines)-1]
				if strings.HasSuffix(c.cmd, "run ./examples/...") && (!strings.HasPrefix(last, "WARN: ") || !strings.Contains(last, "; goroutines leaked in 1 scenario, reported only")) {
					t.Errorf("README.md:%d: %s ended %q, not as the quick start says (WARN: … tests passed; goroutines leaked in 1 scenario, reported only …)", c.line, c.cmd, last)
				}
			}
			if status != c.status {
				t.Errorf("README.md:%d: %s: exit status %d, want %d\n%s", c.line, c.cmd, status, c.status, lastLines(text, 60))
			}
		})
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

func TestReadmeCommands(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "README.md")
	os.WriteFile(path, []byte("text\n```sh\n# a comment\ngo run . \\\n  -x\n\nloadgate compare a b # exit status 1: a regression\n```\n```go\nnot a command\n```\n```shell\nserve &\nload\n```\n"+
		adoptionHeading+"\n```sh\ngo get example.com/m@v1.0.0\n```\n## Next\n```sh\nnext\n```\n"), 0o644)
	got := readmeCommands(t, path)
	want := []readmeCommand{{4, "go run .    -x", 0}, {7, "loadgate compare a b", 1}, {13, "serve &\nload\n", 0}, {22, "next", 0}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("command %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestReadmeFlags: the README's section on the command gives each
// command's synopsis, and every flag its -h lists is named in that
// command's entry. The entry of loadgate run named neither -target,
// -rate-scale, -allow-hosts, -report nor -progress (a CI log wants
// -progress plain), and compare's omitted -policy and -sla.
func TestReadmeFlags(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## The `loadgate` command\n")
	if !ok {
		t.Fatal("README.md has no section ## The `loadgate` command")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	flagRE := regexp.MustCompile(`(?m)^  (-[a-z][a-z0-9-]*)\b`)
	for _, cmd := range []string{"run", "compare", "report", "merge", "export", "baseline update"} {
		t.Run(cmd, func(t *testing.T) {
			var help strings.Builder
			if err := run(t.Context(), append(strings.Fields(cmd), "-h"), &help, &help); err != nil {
				t.Fatalf("loadgate %s -h: %v", cmd, err)
			}
			_, flags, ok := strings.Cut(help.String(), "\nFlags:\n")
			if !ok {
				t.Fatalf("loadgate %s -h lists no flags:\n%s", cmd, help.String())
			}
			_, entry, ok := strings.Cut(section, "\n- `loadgate "+cmd+" ")
			if !ok {
				t.Fatalf("README.md's command section has no entry \"- `loadgate %s …`\"", cmd)
			}
			entry, _, _ = strings.Cut(entry, "\n- ")
			entry, _, _ = strings.Cut(entry, "\n\n")
			for _, m := range flagRE.FindAllStringSubmatch(flags, -1) {
				if !regexp.MustCompile(regexp.QuoteMeta(m[1]) + `\b[^-]`).MatchString(entry + " ") {
					t.Errorf("README.md's entry of loadgate %s does not name %s, which loadgate %[1]s -h lists", cmd, m[1])
				}
			}
		})
	}
}
