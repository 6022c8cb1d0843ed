// Command ghdouble serves the GitHub API double of package ghdouble on
// loopback, for the end-to-end test of the Action under nektos/act
// (scripts/action-e2e.sh), and checks what it recorded afterwards.
//
//	ghdouble serve -addr-file F -state F -token write=T [-token read=T] [-fault PATCH:502] [-pull owner/repo#7=sha]
//	ghdouble verify -state F -repo owner/repo -pr 7 -token T -log1 act1.json -log2 act2.json
//
// serve listens on 127.0.0.1 (never another address), writes "host:port"
// to -addr-file once it listens, and rewrites -state (JSON) after every
// request, until it is interrupted. verify checks the e2e's claims: one
// comment on the pull request, created by the first act run and updated
// once by the second, whose body reports the regression; the second run's
// job summary holds the same report; the token appears in no log.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/loadgate/loadgate/action/internal/ghdouble"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ghdouble serve|verify [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "verify":
		err = verify(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q: want serve or verify", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ghdouble: %v\n", err)
		os.Exit(1)
	}
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (loopback only)")
	addrFile := fs.String("addr-file", "", "file to write host:port to once listening")
	stateFile := fs.String("state", "", "file to write the state to after every request")
	var tokens, faults, pulls listFlag
	fs.Var(&tokens, "token", "write=TOKEN or read=TOKEN (repeatable)")
	fs.Var(&faults, "fault", "METHOD:STATUS[:TIMES], a fault to inject (repeatable)")
	fs.Var(&pulls, "pull", "owner/repo#N=HEADSHA, a pull request that exists (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-addr %s: the double serves on loopback only", *addr)
	}
	perms := map[string]ghdouble.Permission{}
	for _, t := range tokens {
		p, tok, ok := strings.Cut(t, "=")
		if !ok || (p != "write" && p != "read") || tok == "" {
			return fmt.Errorf("-token %q: want write=TOKEN or read=TOKEN", t)
		}
		perms[tok] = ghdouble.Permission(p)
	}
	d := ghdouble.New(perms)
	for _, f := range faults {
		parts := strings.Split(f, ":")
		if len(parts) < 2 {
			return fmt.Errorf("-fault %q: want METHOD:STATUS[:TIMES]", f)
		}
		status, err := strconv.Atoi(parts[1])
		if err != nil {
			return fmt.Errorf("-fault %q: %v", f, err)
		}
		times := 1
		if len(parts) > 2 {
			if times, err = strconv.Atoi(parts[2]); err != nil {
				return fmt.Errorf("-fault %q: %v", f, err)
			}
		}
		d.Inject(ghdouble.Fault{Method: parts[0], Status: status, Times: times})
	}
	for _, p := range pulls {
		repo, rest, ok1 := strings.Cut(p, "#")
		num, sha, ok2 := strings.Cut(rest, "=")
		n, err := strconv.Atoi(num)
		if !ok1 || !ok2 || err != nil {
			return fmt.Errorf("-pull %q: want owner/repo#N=SHA", p)
		}
		d.AddPull(repo, n, sha)
	}
	if *stateFile != "" {
		save := func() {
			if err := writeJSON(*stateFile, d.State()); err != nil {
				fmt.Fprintf(os.Stderr, "ghdouble: %v\n", err)
			}
		}
		d.OnChange = save
		save()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: d}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	if *addrFile != "" {
		if err := writeAtomic(*addrFile, []byte(ln.Addr().String()+"\n")); err != nil {
			return err
		}
	}
	fmt.Printf("ghdouble: serving the GitHub API double on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(b, '\n'))
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func verify(args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	stateFile := fs.String("state", "", "the double's state file")
	repo := fs.String("repo", "", "owner/repo of the pull request")
	pr := fs.Int("pr", 0, "the pull request's number")
	token := fs.String("token", "", "the token, which no log may show")
	log1 := fs.String("log1", "", "act --json log of the first run")
	log2 := fs.String("log2", "", "act --json log of the second run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := os.ReadFile(*stateFile)
	if err != nil {
		return err
	}
	var st ghdouble.State
	if err := json.Unmarshal(data, &st); err != nil {
		return err
	}
	var fails []string
	fail := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }

	var comments []ghdouble.Comment
	for _, c := range st.Comments {
		if c.Repo == *repo && c.Issue == *pr {
			comments = append(comments, c)
		}
	}
	if len(comments) != 1 {
		return fmt.Errorf("%d comments on %s#%d, want exactly 1", len(comments), *repo, *pr)
	}
	c := comments[0]
	fmt.Printf("comment id %d, written %d times\n", c.ID, len(c.Bodies))
	for i, b := range c.Bodies {
		fmt.Printf("  body %d (%d characters): %s | %s\n", i+1, len([]rune(b)), line(b, 0), line(b, 1))
	}
	if len(c.Bodies) != 2 {
		fail("the comment was written %d times, want twice (created by run 1, updated by run 2)", len(c.Bodies))
	}
	if !strings.HasPrefix(c.Body, "<!-- loadgate-action:") {
		fail("the body does not start with the marker: %q", line(c.Body, 0))
	}
	switch v := line(c.Body, 1); {
	case strings.Contains(v, "❌") && strings.Contains(v, "regression"):
	case strings.Contains(v, "inconclusive: generator-bound"):
		// A machine so busy that too few runs were left once the bound
		// ones were left out: the gate rightly claims nothing.
		// action-e2e.sh notes it rather than fail, and so does this.
		fmt.Printf("note: the updated comment's verdict is %q: the runs were generator-bound, not judged\n", v)
	default:
		fail("the updated comment's verdict is %q, want a regression", v)
	}
	creates, updates := 0, 0
	for _, r := range st.Requests {
		fmt.Printf("  %s %s → %d (%s token)\n", r.Method, r.Path, r.Status, r.Auth)
		if r.Auth != "write" {
			fail("%s %s authenticated as %q", r.Method, r.Path, r.Auth)
		}
		if r.Status/100 != 2 {
			continue
		}
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/comments"):
			creates++
		case r.Method == http.MethodPatch:
			updates++
		}
	}
	fmt.Printf("requests: %d (%d created, %d updated)\n", len(st.Requests), creates, updates)
	if creates != 1 || updates != 1 {
		fail("%d creates and %d updates succeeded, want 1 and 1", creates, updates)
	}

	for i, path := range []string{*log1, *log2} {
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if *token != "" && tokenShown(raw, *token) {
			fail("the token appears in %s", path)
		}
		summary := summaryOf(raw)
		if !strings.Contains(summary, "<!-- loadgate-action:") {
			fail("run %d: no loadgate report in the job summary", i+1)
			continue
		}
		fmt.Printf("run %d: job summary of %d bytes: %s\n", i+1, len(summary), line(summary[strings.Index(summary, "<!-- loadgate-action:"):], 1))
		if i == 1 && !strings.Contains(summary, line(c.Body, 1)) {
			fail("run 2's job summary does not hold the comment's verdict %q", line(c.Body, 1))
		}
	}
	if len(fails) > 0 {
		return errors.New(strings.Join(fails, "\n"))
	}
	fmt.Println("verify: ok")
	return nil
}

// tokenShown reports whether the token appears in act's log other than in
// the ::add-mask:: command that masks it (act logs the command's argument
// in its JSON records; GitHub shows none of it).
func tokenShown(log []byte, token string) bool {
	sc := bufio.NewScanner(strings.NewReader(string(log)))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if !strings.Contains(sc.Text(), token) {
			continue
		}
		var e struct {
			Command string `json:"command"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Command == "add-mask" {
			continue
		}
		return true
	}
	return false
}

// summaryOf collects the job summaries act logged ("command": "summary").
func summaryOf(log []byte) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(log)))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e struct {
			Command string `json:"command"`
			Content string `json:"content"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Command == "summary" {
			b.WriteString(e.Content)
		}
	}
	return b.String()
}

func line(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+2)
	if n < len(lines) {
		return lines[n]
	}
	return ""
}
