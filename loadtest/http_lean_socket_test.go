package loadtest

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// envCannedServer makes the test binary a canned HTTP server in its own
// process (TestLeanCannedServerProcess), so that the system calls the test
// counts are the client's alone.
const envCannedServer = "LOADGATE_TEST_CANNED_SERVER"

// TestLeanSystemCallsPerRequest checks what the Lean profile exists for: one
// write and one read system call per small request, as wrk makes, not the
// two reads of a read through net.Conn (the first of which finds nothing).
// It counts the test process's own system calls in /proc/self/io, against a
// server in another process.
func TestLeanSystemCallsPerRequest(t *testing.T) {
	if _, err := os.Stat("/proc/self/io"); err != nil || runtime.GOOS != "linux" {
		t.Skip("needs Linux's /proc/self/io to count system calls")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLeanCannedServerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCannedServer+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }() // closing stdin stops the server
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the server process printed no address: %v", err)
	}
	addr := strings.TrimSpace(line)

	_, hit := leanHits(t, addr)
	hit() // dials
	const n = 2000
	r0, w0 := procIOCount(t, "syscr"), procIOCount(t, "syscw")
	for range n {
		hit()
	}
	r1, w1 := procIOCount(t, "syscr"), procIOCount(t, "syscw")
	// Reading /proc/self/io is one read; the runtime makes a few more of
	// its own. A read that found nothing would add n.
	reads, writes := float64(r1-r0)/n, float64(w1-w0)/n
	t.Logf("%d requests: %.3f reads and %.3f writes each", n, reads, writes)
	if reads > 1.1 || writes > 1.1 {
		t.Errorf("%.3f read and %.3f write system calls per request, want 1 of each", reads, writes)
	}

	// The same through the engine, with the closed model's users on user
	// loops (userloop.go): their waits are in epoll, which is neither.
	target := GET("http://" + addr + "/")
	target.Transport = Lean
	r0, w0 = procIOCount(t, "syscr"), procIOCount(t, "syscw")
	res := runHTTP(t, target, Users(4).SharedIterations(n).For(time.Minute))
	r1, w1 = procIOCount(t, "syscr"), procIOCount(t, "syscw")
	if res.Requests != n || res.Errors != 0 {
		t.Fatalf("%d requests, %d errors, want %d and none", res.Requests, res.Errors, n)
	}
	reads, writes = float64(r1-r0)/n, float64(w1-w0)/n
	t.Logf("%d requests of users on loops: %.3f reads and %.3f writes each", n, reads, writes)
	if reads > 1.1 || writes > 1.1 {
		t.Errorf("users on loops: %.3f read and %.3f write system calls per request, want 1 of each", reads, writes)
	}
}

// TestLeanCannedServerProcess is the server TestLeanSystemCallsPerRequest
// starts in another process; it does nothing in an ordinary run.
func TestLeanCannedServerProcess(t *testing.T) {
	if os.Getenv(envCannedServer) == "" {
		t.Skip("a helper process of TestLeanSystemCallsPerRequest")
	}
	addr, stop := startCannedServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	defer stop()
	fmt.Println(addr)
	io.Copy(io.Discard, os.Stdin) // until the test closes it
}

func procIOCount(t *testing.T, key string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("/proc/self/io has no %s", key)
	return 0
}

// TestLeanLargeBody checks the path where the request does not fit in the
// socket's send buffer at once: the rest is written the ordinary way and
// the server receives every byte.
func TestLeanLargeBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprint(w, n)
	}))
	defer srv.Close()
	const size = 16 << 20
	body := strings.Repeat("x", size)
	target := &HTTP{Transport: Lean, Requests: []Request{{
		Method: http.MethodPost, URL: srv.URL, Body: []byte(body),
		Check: func(_ *http.Response, got []byte) error {
			if string(got) != strconv.Itoa(size) {
				return fmt.Errorf("server read %s bytes, want %d", got, size)
			}
			return nil
		},
	}}}
	res := runHTTP(t, target, Users(2).For(30*time.Second).SharedIterations(20))
	if res.Requests != 20 || res.Errors != 0 {
		t.Errorf("%d requests, %d errors (%v); want 20 without error", res.Requests, res.Errors, res.ErrorSamples)
	}
}
