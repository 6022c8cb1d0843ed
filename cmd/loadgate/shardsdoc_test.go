package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/gotest"
	"github.com/loadgate/loadgate/loadtest"
)

// shardsDocIntro is the sentence of docs/SHARDS.md that the block
// TestShardsDocBlock runs follows.
const shardsDocIntro = "Three shards on one machine"

// TestShardsDocBlock runs the three-shard script of docs/SHARDS.md,
// section 1, as a reader copies it, and checks what the page says of its
// outcome: merged/TestLoadCatalogue.json holds the 200 requests of 200/s
// for 1 s from three shards of 67, 67 and 66. Two things differ from the
// page: the shop listens on a free loopback port, not 8080, which another
// program may hold, and the shards start 4 s after the clock is read, not
// 10 (the tests are built before it is read). The script runs from a
// directory that links to this module's files, so its binaries and
// results stay out of the checkout, with loadgate on the PATH.
func TestShardsDocBlock(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example shop and three shards of its load test; skipped in -short mode")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the script reads the clock with GNU date, as the page says of Linux")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	script := shardsDocScript(t, filepath.Join(root, "docs", "SHARDS.md"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for old, new := range map[string]string{"127.0.0.1:8080": addr, "'+10 seconds'": "'+4 seconds'"} {
		if !strings.Contains(script, old) {
			t.Fatalf("docs/SHARDS.md's script no longer holds %s, which this test replaces: update the test", old)
		}
		script = strings.ReplaceAll(script, old, new)
	}

	work := t.TempDir()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); n != ".git" && n != "shards" && n != "merged" {
			if err := os.Symlink(filepath.Join(root, n), filepath.Join(work, n)); err != nil {
				t.Skip("no symbolic links here:", err)
			}
		}
	}
	bin := t.TempDir() // beside the links, not among them
	build := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(bin, "loadgate"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building loadgate: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "LOADGATE_SCALE=")
	gotest.Isolate(cmd)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil || ctx.Err() != nil {
		t.Fatalf("docs/SHARDS.md's script: %v (%v)\n%s", err, ctx.Err(), lastLines(string(out), 40))
	}
	r, err := loadtest.ReadFile(filepath.Join(work, "merged", "TestLoadCatalogue.json"))
	if err != nil {
		t.Fatalf("the page promises merged/TestLoadCatalogue.json: %v\n%s", err, lastLines(string(out), 40))
	}
	var counts []int64
	for _, sr := range r.Shards {
		counts = append(counts, sr.Requests)
	}
	if r.Requests != 200 || len(counts) != 3 || counts[0]+counts[1]+counts[2] != 200 || counts[0] != 67 || counts[2] != 66 {
		t.Errorf("merged %d requests from shards %v, want the page's 200 from 67, 67 and 66", r.Requests, counts)
	}
}

// shardsDocScript returns the code block that follows shardsDocIntro.
func shardsDocScript(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), shardsDocIntro)
	if !ok {
		t.Fatalf("%s no longer says %q before its script: update the test", path, shardsDocIntro)
	}
	_, rest, ok = strings.Cut(rest, "\n```")
	if !ok {
		t.Fatalf("%s: no code block after %q", path, shardsDocIntro)
	}
	_, rest, _ = strings.Cut(rest, "\n") // the fence's language, if any
	block, _, ok := strings.Cut(rest, "\n```")
	if !ok {
		t.Fatalf("%s: the code block after %q does not end", path, shardsDocIntro)
	}
	return block + "\n"
}
