package errorkinds

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/loadgate/loadgate/loadtest"
)

func TestOf(t *testing.T) {
	long := strings.Repeat("x", 200)
	runs := []*loadtest.Result{
		{ErrorKinds: map[string]int64{"timeout": 2, "http_500": 2, "zero": 0},
			ErrorSamples: map[string][]string{"http_500": {"500 Internal\r\n\tServer Error", "second"}}},
		nil, // a run that wrote no result is skipped
		{ErrorKinds: map[string]int64{"timeout": 3, "connection_refused": 1},
			ErrorSamples: map[string][]string{"timeout": {long}, "http_500": {"not this run's"}}},
	}
	got := Of(runs, []string{"connection_refused", "not_here"})
	want := []Kind{
		{Name: "timeout", Count: 5, Runs: 2, Sample: strings.Repeat("x", SampleRunes-1) + "…"},
		{Name: "http_500", Count: 2, Runs: 1, Sample: "500 Internal Server Error"},
		{Name: "connection_refused", Count: 1, Runs: 1, New: true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Of (-want +got):\n%s", d)
	}
	if Of([]*loadtest.Result{{}, {ErrorKinds: map[string]int64{"x": 0}}}, []string{"x"}) != nil {
		t.Error("runs without errors have kinds")
	}
	// A kind no base run had says so in every list (loadgate run's
	// summary, the HTML report, the Action's comment).
	if got := got[2].Cells(true, 2); got[0] != "connection_refused (new)" {
		t.Errorf("cells of a new kind %q, want its name marked (new)", got)
	}
}

func TestMore(t *testing.T) {
	var kinds []Kind
	for i := range Shown + 2 {
		kinds = append(kinds, Kind{Name: string(rune('a' + i)), Count: int64(10 - i)})
	}
	if got := More(kinds[:Shown]); got != "" {
		t.Errorf("More of %d kinds = %q, want none", Shown, got)
	}
	if got, want := More(kinds[:Shown+1]), "and 1 more kind (5 errors)"; got != want {
		t.Errorf("More = %q, want %q", got, want)
	}
	if got, want := More(kinds), "and 2 more kinds (9 errors)"; got != want {
		t.Errorf("More = %q, want %q", got, want)
	}
	// A kind no base run had, left out of the rows, is named all the same.
	kinds[Shown+1].New = true
	if got, want := More(kinds), "and 2 more kinds (9 errors), "+kinds[Shown+1].Name+" (new) among them"; got != want {
		t.Errorf("More = %q, want %q", got, want)
	}
	kinds[Shown+1].New = false
	// One error left out was "(1 errors)".
	kinds[Shown].Count = 1
	if got, want := More(kinds[:Shown+1]), "and 1 more kind (1 error)"; got != want {
		t.Errorf("More = %q, want %q", got, want)
	}
}

// TestOfControlCharacters: a message that quotes the service (an HTTP
// target's Check returning the body) and a kind of the target's own
// (loadtest.KindError) may hold any text. loadgate run printed an ESC of
// one to the terminal as it was ("\x1b[31m" turned the rest of the
// summary red), and a kind with a line break split the table's row in two.
func TestOfControlCharacters(t *testing.T) {
	got := Of([]*loadtest.Result{{
		ErrorKinds:   map[string]int64{"quota\nexceeded": 1},
		ErrorSamples: map[string][]string{"quota\nexceeded": {"503: \x1b[31mred\x1b[0m\x00 日本語 \u202etxt.exe <b>|`x`</b>"}},
	}}, nil)
	want := []Kind{{Name: "quota exceeded", Count: 1, Runs: 1, Sample: `503: \x1b[31mred\x1b[0m\x00 日本語 \u202etxt.exe <b>|` + "`x`</b>"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Of (-want +got):\n%s", d)
	}
}

// TestRows: a summary shows the first Shown kinds, with a runs column only
// for a scenario of more than one run.
func TestRows(t *testing.T) {
	var kinds []Kind
	for i := range Shown + 2 {
		kinds = append(kinds, Kind{Name: string(rune('a' + i)), Count: int64(10 - i), Runs: 1})
	}
	if rows := Rows(kinds, 1); len(rows) != Shown || len(rows[0]) != len(Header(false)) {
		t.Errorf("Rows of %d kinds, 1 run: %q; want %d rows under %q", len(kinds), rows, Shown, Header(false))
	}
	if got, want := Rows(kinds[:1], 3), [][]string{{"a", "10", "1 of 3", "-"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Rows of 3 runs = %q, want %q", got, want)
	}
}
