package cell

import (
	"math"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchmath"
)

func TestCells(t *testing.T) {
	for _, tt := range []struct {
		name, give, want string
	}{
		{"worse", Change(0.2585), "+25.85%"},
		{"better", Change(-0.041), "-4.10%"},
		{"none", Change(0), "0.00%"},
		{"from zero", Change(math.Inf(1)), "+∞%"},
		{"not significant", ChangeOrSame(0.3, true, false), "~"},
		{"not judged: no pass", Icon(""), "⚪"},
		{"a pass", Icon("pass"), "✅"},
		{"untested", ChangeOrSame(0.3, false, false), "+30.00%"},
		{"median", Median("1.02ms", 5, 1.02, 0.95, 1.1), "1.02ms ± 8%"},
		{"one run", Median("1.02ms", 1, 1.02, 1.02, 1.02), "1.02ms"},
		{"test", Test(true, 0.0079, 5, 5), "p=0.008 n=5"},
		{"untestable", Test(false, 1, 5, 1), "n=5+1"},
		{"icon", Icon("warn"), "⚠️"},
		{"commit", Commit("25b6ca6b97f0a1b2c3d4"), "25b6ca6b97f0"},
		{"plural", Plural(1, "run") + ", " + Plural(5, "run"), "1 run, 5 runs"},
		{"mention", Markdown("thanks @octocat | <b>*x*</b>"), "thanks @\u200boctocat \\| &lt;b&gt;\\*x\\*&lt;/b&gt;"},
		{"link", Markdown("[docs](https://x.example) ![p](https://x.example/p.png)"), `\[docs\](https://x.example) !\[p\](https://x.example/p.png)`},
		{"issue", Markdown("see #123, loadgate/loadgate#7 and gh-9; #x stays"), "see #\u200b123, loadgate/loadgate#\u200b7 and gh-\u200b9; #x stays"},
		{"code", Code("a`b|c"), "`a'b\\|c`"},
		{"code text", CodeText("a`b|c <x>"), "``a`b|c <x>``"},
		{"code text fences", CodeText("``` x"), "```` ``` x ````"},
		{"code text lines", CodeText("a\r\nb\nc"), "`a b c`"},
		{"code text spaces", CodeText(" a "), "`  a  `"},
	} {
		if tt.give != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.give, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		give string
		n    int
		want string
	}{
		{"short", 24, "short"},
		{"exactly5", 8, "exactly5"},
		{"one too long", 11, "one too lo…"},
		{"оформление заказа", 5, "офор…"}, // cut between characters, not bytes
		{"x", 1, "x"},
		{"xy", 1, "…"},
	} {
		if got := Clip(tt.give, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.give, tt.n, got, tt.want)
		}
	}
}

// TestIntervalRuns: the legend's "too few runs" agrees with the interval
// the table's cells show (benchmath's): infinite below IntervalRuns runs,
// finite from it.
func TestIntervalRuns(t *testing.T) {
	for _, level := range []float64{0.9, 0.95, 0.99} {
		need := IntervalRuns(level)
		for n := 2; n <= need+1; n++ {
			values := make([]float64, n)
			for i := range values {
				values[i] = float64(100 + i)
			}
			s := benchmath.AssumeNothing.Summary(benchmath.NewSample(values, &benchmath.DefaultThresholds), level)
			if infinite := math.IsInf(s.Lo, 0) || math.IsInf(s.Hi, 0); infinite != (n < need) {
				t.Errorf("level %g, %d runs: interval [%g, %g]; IntervalRuns says %d are needed", level, n, s.Lo, s.Hi, need)
			}
		}
	}
	if got := Legend(0.9, 0.05, 3); !strings.HasSuffix(got, " ± ∞: 3 runs are too few for an interval (5 or more give one).") {
		t.Errorf("Legend for 3 runs = %q, want it to say why the interval is ∞", got)
	}
	for _, n := range []int{1, 5, 7} {
		if got := Legend(0.9, 0.05, n); strings.Contains(got, "∞") {
			t.Errorf("Legend for %d runs = %q, want no word of ∞", n, got)
		}
	}
}

func TestScenarioNames(t *testing.T) {
	got := ScenarioNames([]Scenario{
		{"TestLoad", "example.com/a/cart"}, {"TestLoad", "example.com/orders"},
		{"checkout", "example.com/a/cart"}, {"TestLoad", "example.com/b/cart"},
	})
	want := []string{"TestLoad (example.com/a/cart)", "TestLoad (orders)", "checkout", "TestLoad (example.com/b/cart)"}
	if !slices.Equal(got, want) {
		t.Errorf("ScenarioNames = %q, want %q", got, want)
	}
}
