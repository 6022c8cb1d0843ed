package app

import (
	"fmt"
	"strings"
	"testing"
)

// TestAnnotationsWorstFirst: GitHub shows 10 annotations of a kind in a
// step and drops the rest silently, so the worst ten are the ones sent.
func TestAnnotationsWorstFirst(t *testing.T) {
	res := &Results{Manifest: baseRefManifest()}
	res.Manifest.Positions = map[string]Position{}
	for i := range 15 {
		test := fmt.Sprintf("TestLoad%02d", i)
		res.Manifest.Positions[shopPkg+"."+test] = Position{File: "examples/shop/load_test.go", Line: 100 + i}
		f := fake{scenario: fmt.Sprintf("s%02d", i), test: test}
		res.Base = append(res.Base, runs(f, []float64{10, 10, 10, 10, 10}, []float64{100, 101, 99, 100.5, 99.5})...)
		worse := 1.2 + 0.1*float64(i) // s14 regressed most
		res.Head = append(res.Head, runs(f, []float64{10, 10, 10, 10, 10},
			[]float64{100 * worse, 101 * worse, 99 * worse, 100.5 * worse, 99.5 * worse})...)
	}
	r := analyze(t, res, "")
	got := r.Annotations()
	// One error is left to the runner's on the step's exit status; of the
	// nine, the last says what is left out.
	if len(got) != MaxAnnotations-1 {
		t.Fatalf("%d annotations, want %d", len(got), MaxAnnotations-1)
	}
	for i, a := range got[:len(got)-1] {
		wantTest := fmt.Sprintf("TestLoad%02d", 14-i)
		if a.Level != "error" || !strings.Contains(a.Title, wantTest) || a.Line != 100+14-i {
			t.Errorf("annotation %d: %s %s:%d %s, want an error on %s", i, a.Level, a.File, a.Line, a.Title, wantTest)
		}
	}
	last := got[len(got)-1]
	if last.Level != "error" || last.File != "" || last.Title != "loadgate: 7 more tests failed or regressed" ||
		!strings.Contains(last.Message, "see the job summary") {
		t.Errorf("last annotation %+v, want one saying 7 more tests are in the job summary", last)
	}
}

// TestAnnotationsLeaveRoom: the action's own warnings (a comment it could
// not post) come after the tests' and were dropped by GitHub when ten
// tests warned; three are left for them.
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
