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
	if len(got) != MaxAnnotations {
		t.Fatalf("%d annotations, want %d", len(got), MaxAnnotations)
	}
	for i, a := range got {
		wantTest := fmt.Sprintf("TestLoad%02d", 14-i)
		if a.Level != "error" || !strings.Contains(a.Title, wantTest) || a.Line != 100+14-i {
			t.Errorf("annotation %d: %s %s:%d %s, want an error on %s", i, a.Level, a.File, a.Line, a.Title, wantTest)
		}
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
