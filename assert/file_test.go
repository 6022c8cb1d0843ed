package assert_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/assert"
)

func TestParseFile(t *testing.T) {
	f, err := assert.ParseFile("testdata/sla.txt")
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"error_rate < 1%", "goroutine_growth <= 5"}
	tests := []struct {
		name string
		give string // scenario
		want []string
	}{
		{"prefix glob", "checkout", append(all, "p99 < 200ms", "status(5xx) < 1%")},
		{"longer name", "checkout-eu", append(all, "p99 < 200ms", "status(5xx) < 1%")},
		{"subtest", "TestLoad/browse", append(all, "throughput >= 95%")},
		{"exact name", "browse", append(all, `p99{name="#1"} < 1s`)},
		{"no section", "search", all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.For(tt.give)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("For(%q):\n got %q\nwant %q", tt.give, got, tt.want)
			}
		})
	}
	if len(f.Sections) != 4 || f.Sections[1].Pattern != "checkout*" || f.Sections[1].Line != 6 {
		t.Errorf("sections = %+v", f.Sections)
	}
}

// TestFileWhere: a breach can name the line of the rule that applies to
// its scenario, found by the expression's canonical form.
func TestFileWhere(t *testing.T) {
	f, err := assert.ParseFile("testdata/sla.txt")
	if err != nil {
		t.Fatal(err)
	}
	canon := func(text string) string {
		e, err := assert.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		return e.String()
	}
	for _, tt := range []struct{ scenario, expr, want string }{
		{"checkout", canon("p99 < 200ms"), "testdata/sla.txt:7"},
		{"checkout", canon("error_rate < 1%"), "testdata/sla.txt:3"},
		{"search", canon("p99 < 200ms"), ""},   // the section is not search's
		{"checkout", canon("p99 < 300ms"), ""}, // no such rule
	} {
		if got := f.Where(tt.scenario, tt.expr); got != tt.want {
			t.Errorf("Where(%q, %q) = %q, want %q", tt.scenario, tt.expr, got, tt.want)
		}
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name string
		give string // the file's content
		want string // the error, with F for the file's path
	}{
		{"type error", "p99 < 5%\n", "F:1:7: a latency needs a duration such as 200ms"},
		{"indented", "\n  p99 < 5%\n", "F:2:9: a latency needs a duration such as 200ms"},
		{"after a comment", "# SLA\n\tp99{name=\"é\"} < 5% # tab and é\n", "F:2:18: a latency needs a duration such as 200ms"},
		{"CRLF", "p99 < 1s\r\np99 < 5%\r\n", "F:2:7: a latency needs a duration such as 200ms"},
		{"byte-order mark", "\ufeffp99 < 5%\n", "F:1:7: a latency needs a duration such as 200ms"},
		{"UTF-16", "\xff\xfep\x009\x009\x00", "F:1:1: the file is UTF-16: save it as UTF-8"},
		{"unclosed header", "[checkout\n", "F:1:1: a section header is [pattern] alone on its line"},
		{"header with an expression", "[checkout] p99 < 1s\n", "F:1:1: a section header is [pattern] alone on its line"},
		{"empty header", "  []\n", "F:1:3: empty section header: write [name] or a pattern such as [checkout*]"},
		{"bad pattern", "[a[]\n", `F:1:2: bad pattern "a[": syntax error in pattern`},
		// A header with no limits under it (it was accepted, and checked
		// nothing); one whose only line is wrong gets that line's fault.
		{"empty section", "p99 < 1s\n[checkout]\n\n# soon\n[cart]\np50 < 2s\n", "F:2:1: section [checkout] has no expressions: write its limits on the lines below it, or remove it"},
		{"empty last section", "[cart]\np99 < 2s\n[checkout]\n", "F:3:1: section [checkout] has no expressions: write its limits on the lines below it, or remove it"},
		{"a section's only line is wrong", "[checkout]\np99 < 5%\n", "F:2:7: a latency needs a duration such as 200ms"},
		{"a bad header with lines", "[a[]\np99 < 1s\n", `F:1:2: bad pattern "a[": syntax error in pattern`},
		// Rules that can never be the one to fail: written twice (each
		// breach was reported twice), two limits on one metric in a
		// section, and a section's limit that the lines above the first
		// header already hold tighter, as every matching rule applies.
		{"duplicate", "p99 < 1s\nerror_rate < 1%\n  p99  <  1s # again\n", "F:3:3: p99 < 1s repeats line 1: remove one"},
		{"duplicate in another form", "[checkout]\np(99.9) <= 1000ms\np999 <= 1s\n", "F:3:1: p999 <= 1s repeats line 2: remove one"},
		{"duplicate of the top in a section", "error_rate < 1%\n[checkout]\nerror_rate < 0.01\n", "F:3:1: error_rate < 0.01 repeats line 1: remove one"},
		{"two limits in a section", "[checkout]\np99 < 200ms\np50 < 50ms\np99 <= 300ms\n",
			"F:4:1: p99 <= 300ms and line 2's p99 < 200ms both bound p99 from the same side, and only the tighter one can fail: keep one"},
		{"a looser section", "p99 < 200ms\n[checkout]\np99 < 300ms\n",
			"F:3:1: p99 < 300ms can never fail: line 1's p99 < 200ms applies to every scenario, [checkout] included, and is at least as tight " +
				"(a section's limits add to those above the first header, they do not replace them); move line 1 under the sections that need it"},
		{"the same limit, <= under <", "p99 < 200ms\n[checkout]\np99 <= 200ms\n",
			"F:3:1: p99 <= 200ms can never fail: line 1's p99 < 200ms applies to every scenario, [checkout] included, and is at least as tight " +
				"(a section's limits add to those above the first header, they do not replace them); move line 1 under the sections that need it"},
		{"every fault", "p99 < 5%\nerrors < 1%\n[x]\navg > 1ms\n", "F:1:7: a latency needs a duration such as 200ms\n" +
			"F:2:10: a count needs a bare number such as 10\nF:4:1: unknown metric \"avg\"; write mean < 100ms (k6's avg)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sla.txt")
			if err := os.WriteFile(path, []byte(tt.give), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := assert.ParseFile(path)
			want := strings.ReplaceAll(tt.want, "F:", path+":")
			if err == nil || err.Error() != want {
				t.Fatalf("ParseFile = %+v, %v\nwant error\n%s", f, err, want)
			}
			var se *assert.SyntaxError
			if !errors.As(err, &se) || se.File != path {
				t.Errorf("error %#v holds no *SyntaxError for %s", err, path)
			}
		})
	}
}

// TestParseFileByteOrderMark: an SLA file saved with a UTF-8 byte-order
// mark, as some Windows editors write it, was refused at 1:1 with
// "unexpected character '\ufeff'", a character the user cannot see.
func TestParseFileByteOrderMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sla.txt")
	if err := os.WriteFile(path, []byte("\ufeffp99 < 200ms\r\n[checkout]\r\nerror_rate < 1%\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := assert.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.For("checkout"), []string{"p99 < 200ms", "error_rate < 1%"}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("For(checkout) = %q, want %q", got, want)
	}
}

// TestParseFileLimitsThatAddUp: the rules that deadRule refuses are only
// those that can never fail; a section may tighten a limit of every
// scenario, bound a metric from both sides, repeat a limit of another
// section or select another part of the result.
func TestParseFileLimitsThatAddUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sla.txt")
	body := "p99 < 300ms\nthroughput >= 90%\n" +
		"[checkout]\np99 < 200ms\np99 > 1ms\np99{stage=\"peak\"} < 300ms\nthroughput >= 100/s\nstatus(503) != 0.5%\n" +
		"[cart]\np99 < 200ms\nthroughput >= 95%\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := assert.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.For("checkout"); len(got) != 7 {
		t.Errorf("For(checkout) = %q, want 7 rules", got)
	}
}

func TestParseFileMissing(t *testing.T) {
	_, err := assert.ParseFile(filepath.Join(t.TempDir(), "none.txt"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ParseFile(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestParseFileEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sla.txt")
	if err := os.WriteFile(path, []byte("# nothing yet\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := assert.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.For("x"); len(got) != 0 {
		t.Errorf("For = %q, want nothing", got)
	}
}

// TestUnmatched: a section whose pattern matches none of the scenarios is
// reported, so that a typo in a header is seen; a glob that matches one is
// not, nor are the lines before the first header.
func TestUnmatched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sla.txt")
	os.WriteFile(path, []byte("error_rate < 1%\n\n[TestLoadChekout]\np99 < 200ms\n\n[TestLoad*/browse]\np99 < 50ms\n"), 0o644)
	f, err := assert.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := f.Unmatched([]string{"TestLoadCheckout", "TestLoadShop/browse"})
	if len(got) != 1 || got[0].Pattern != "TestLoadChekout" || got[0].Line != 3 {
		t.Errorf("Unmatched = %+v, want the section [TestLoadChekout] of line 3", got)
	}
}
