package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/action/internal/ghdouble"
)

// TestAnnotationsWorstFirst: GitHub shows 10 annotations of a kind in a
// step and drops the rest silently, so the worst ten are the ones sent.
func TestAnnotationsWorstFirst(t *testing.T) {
	r := analyze(t, regressedTests(15), "")
	got := r.Annotations()
	// Two errors are left to the action's own and the runner's on the
	// step's exit status; of the eight, the last says what is left out.
	if len(got) != MaxAnnotations-2 {
		t.Fatalf("%d annotations, want %d", len(got), MaxAnnotations-2)
	}
	for i, a := range got[:len(got)-1] {
		wantTest := fmt.Sprintf("TestLoad%02d", 14-i)
		if a.Level != "error" || !strings.Contains(a.Title, wantTest) || a.Line != 100+14-i {
			t.Errorf("annotation %d: %s %s:%d %s, want an error on %s", i, a.Level, a.File, a.Line, a.Title, wantTest)
		}
	}
	last := got[len(got)-1]
	if last.Level != "error" || last.File != "" || last.Title != "loadgate: 8 more tests failed or regressed" ||
		!strings.Contains(last.Message, "see the job summary") {
		t.Errorf("last annotation %+v, want one saying 8 more tests are in the job summary", last)
	}
}

// regressedTests are the results of n tests, each of whose scenario
// regressed, TestLoad<n-1>'s most.
func regressedTests(n int) *Results {
	res := &Results{Manifest: baseRefManifest()}
	res.Manifest.Positions = map[string]Position{}
	for i := range n {
		test := fmt.Sprintf("TestLoad%02d", i)
		res.Manifest.Positions[shopPkg+"."+test] = Position{File: "examples/shop/load_test.go", Line: 100 + i}
		f := fake{scenario: fmt.Sprintf("s%02d", i), test: test}
		res.Base = append(res.Base, runs(f, []float64{10, 10, 10, 10, 10}, []float64{100, 101, 99, 100.5, 99.5})...)
		worse := 1.2 + 0.1*float64(i)
		res.Head = append(res.Head, runs(f, []float64{10, 10, 10, 10, 10},
			[]float64{100 * worse, 101 * worse, 99 * worse, 100.5 * worse, 99.5 * worse})...)
	}
	return res
}

// TestAnnotationsLeaveRoomForErrors: a comment the action could not post
// is an error of its own (action.Run writes the error Run returns), after
// the tests' errors, and the runner adds one on the step's exit status.
// With room for the runner's only, ten or more failing tests and a failed
// comment made eleven errors, and GitHub dropped the runner's silently.
func TestAnnotationsLeaveRoomForErrors(t *testing.T) {
	d := ghdouble.New(map[string]ghdouble.Permission{writeToken: ghdouble.Write})
	srv := httptest.NewServer(d)
	defer srv.Close()
	d.Inject(ghdouble.Fault{Method: http.MethodPost, Path: "/repos/", Status: http.StatusUnprocessableEntity, Message: "Validation Failed", Times: 10})
	e := newActionEnv(t, srv.URL, map[string]string{"compare": "base-ref", "github-token": writeToken})
	_, err := runAction(t, e, regressedTests(11))
	if err == nil || errors.Is(err, ErrCheckFailed) || !strings.Contains(err.Error(), "commenting on pull request") {
		t.Fatalf("err = %v, want the comment's failure", err)
	}
	// The step ends on the comment's error; the log still says what the
	// tests found and that the check fails on it.
	if !strings.Contains(e.stdout.String(), "loadgate: the check failed (verdict fail, fail-on regression)") {
		t.Errorf("the log does not say the check failed:\n%s", e.stdout.String())
	}
	errs := strings.Count(e.stdout.String(), "::error ")
	if errs+2 > MaxAnnotations {
		t.Errorf("%d error annotations of the tests, then the action's and the runner's: %d, more than GitHub shows (%d)",
			errs, errs+2, MaxAnnotations)
	}
}

// TestAnnotationsLeaveRoom: the action's own warnings about commenting (a
// pull request it could not check, a login it could not learn) come after
// the tests' and were dropped by GitHub when ten tests warned; three are
// left for them.
func TestAnnotationsLeaveRoom(t *testing.T) {
	as := make([]Annotation, 12)
	for i := range as {
		as[i] = Annotation{Level: "warning", Title: fmt.Sprint(i)}
	}
	r := &Report{}
	got := r.fitAnnotations(as, "warn")
	if len(got) != MaxAnnotations-3 || got[5].Title != "5" || got[6].Title != "loadgate: 6 more tests warn" {
		t.Errorf("%d warnings, the last %+v; want 7, the last saying 6 more tests warn", len(got), got[len(got)-1])
	}
	if got := r.fitAnnotations(as[:7], "warn"); len(got) != 7 || got[6].Title != "6" {
		t.Errorf("seven warnings fit: %+v", got)
	}
}

func TestIsTestName(t *testing.T) {
	for _, tt := range []struct {
		give string
		want bool
	}{{"Test", true}, {"TestLoad", true}, {"Test_x", true}, {"Testify", false}, {"TestÄ", true}, {"Testé", false}, {"BenchmarkX", false}} {
		if got := isTestName(tt.give); got != tt.want {
			t.Errorf("isTestName(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

// TestAnnotationTitleSLABreach: a test whose scenario breached the SLA
// file's limits (its own test passed: it does not check them) is
// annotated "failed", as the comment says "SLA breached"; it was titled
// "regressed", though no metric regressed.
func TestAnnotationTitleSLABreach(t *testing.T) {
	res := regressedTests(2)
	for _, r := range res.Head {
		if r.Scenario == "s01" {
			r.Latency = res.Base[0].Latency // as fast as the base
		}
	}
	got := analyze(t, res, "[s01]\np99 < 1us\n").Annotations()
	titles := map[string]bool{}
	for _, a := range got {
		titles[a.Title] = true
	}
	for _, want := range []string{"loadgate: TestLoad00 regressed", "loadgate: TestLoad01 failed"} {
		if !titles[want] {
			t.Errorf("no annotation titled %q: %v", want, titles)
		}
	}
}
