package loadtest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestDataRefusedBeforeAnyRequest is issue 14's figure for bad files: a
// malformed CSV or JSON-lines file is refused with file:line:column when
// the test reads it, so the test stops before its load sends anything.
func TestDataRefusedBeforeAnyRequest(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		read func(string) (*loadtest.Table, error)
		give string
		// want is the message after "path:"; wantLine and wantCol the
		// position it names.
		want              string
		wantLine, wantCol int
	}{
		{name: "csv wrong field count", read: loadtest.ReadCSV, give: "email,password\na@x,1\nb@x\n",
			want: "3:1: wrong number of fields: 1, want 2 (one per header name)", wantLine: 3, wantCol: 1},
		{name: "csv bare quote", read: loadtest.ReadCSV, give: "email,password\na@x,se\"cret\n",
			want: `2:7: bare " in a field that is not quoted (quote the field and double the quote: "a ""b"" c")`, wantLine: 2, wantCol: 7},
		{name: "csv empty", read: loadtest.ReadCSV, give: "",
			want: "1:1: empty file: the first line must name the columns", wantLine: 1, wantCol: 1},
		{name: "csv duplicate header", read: loadtest.ReadCSV, give: "email,password,email\na,b,c\n",
			want: `1:16: duplicate column name "email" (also column 1)`, wantLine: 1, wantCol: 16},
		{name: "csv empty header name", read: loadtest.ReadCSV, give: "email,\na,b\n",
			want: "1:7: column 2 has an empty name", wantLine: 1, wantCol: 7},
		{name: "jsonl invalid", read: loadtest.ReadJSONLines, give: "{\"email\": \"a@x\"}\n{\"email\": a@x}\n",
			want: "2:11: invalid JSON: invalid character 'a' looking for beginning of value", wantLine: 2, wantCol: 11},
		{name: "jsonl not an object", read: loadtest.ReadJSONLines, give: "{\"email\": \"a@x\"}\n\"b@x\"\n",
			want: "2:1: not a JSON object: a line must hold one object, got a string", wantLine: 2, wantCol: 1},
		{name: "jsonl object over lines", read: loadtest.ReadJSONLines, give: "{\n  \"email\": \"a@x\"\n}\n",
			want: "1:2: invalid JSON: unexpected end of line (an object must fit on one line)", wantLine: 1, wantCol: 2},
		{name: "jsonl empty", read: loadtest.ReadJSONLines, give: "\n",
			want: "1:1: empty file: want one JSON object a line", wantLine: 1, wantCol: 1},
		{name: "jsonl duplicate key", read: loadtest.ReadJSONLines, give: "{\"email\": \"a\", \"email\": \"b\"}\n",
			want: `1:16: duplicate key "email"`, wantLine: 1, wantCol: 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext := ".csv"
			if strings.HasPrefix(tt.name, "jsonl") {
				ext = ".jsonl"
			}
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+ext)
			if err := os.WriteFile(path, []byte(tt.give), 0o644); err != nil {
				t.Fatal(err)
			}
			var hits atomic.Int64
			ft := &fakeTB{TB: t}
			// What a load test does: read its data, then run.
			func(tb testing.TB) {
				users, err := tt.read(path)
				if err != nil {
					tb.Fatalf("%v", err)
					return
				}
				feed := users.Unique()
				loadtest.Run(tb, loadtest.Scenario{Load: loadtest.Users(1).For(time.Second),
					Target: loadtest.Func(func(context.Context) error {
						hits.Add(1)
						_, err := feed.Next()
						return err
					})})
			}(ft)
			fatals := ft.fatalMessages()
			if want := path + ":" + tt.want; len(fatals) != 1 || fatals[0] != want {
				t.Errorf("the test failed with %q, want %q", fatals, want)
			}
			if hits.Load() != 0 {
				t.Errorf("%d requests were sent from a bad file", hits.Load())
			}
			_, err := tt.read(path)
			var de *loadtest.DataError
			if !errors.As(err, &de) || de.File != path || de.Line != tt.wantLine || de.Column != tt.wantCol {
				t.Errorf("error %#v, want a DataError at %s:%d:%d", err, path, tt.wantLine, tt.wantCol)
			}
		})
	}
	if _, err := loadtest.ReadCSV(filepath.Join(dir, "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: err = %v, want one that is os.ErrNotExist", err)
	}
}

func TestRowsOf(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		rows   [][]string
		want   string
	}{
		{name: "short row", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3"}},
			want: "accounts: rows[1] has 1 fields, want 2 (one per header name)"},
		{name: "empty name", header: []string{"a", ""}, rows: [][]string{{"1", "2"}}, want: "accounts: header[1] is empty"},
		{name: "duplicate name", header: []string{"a", "b", "a"}, rows: [][]string{{"1", "2", "3"}},
			want: `accounts: header[2] "a" repeats header[0]`},
		{name: "no header", rows: [][]string{{}}, want: "accounts: header has no names"},
		{name: "no rows", header: []string{"a"}, want: "accounts: no rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadtest.RowsOf("accounts", tt.header, tt.rows)
			var de *loadtest.DataError
			if err == nil || err.Error() != tt.want || !errors.As(err, &de) {
				t.Errorf("err = %v, want the DataError %q", err, tt.want)
			}
		})
	}

	header, rows := []string{"email", "plan"}, [][]string{{"a@x", "free"}, {"b@x", "pro"}}
	tab, err := loadtest.RowsOf("accounts", header, rows)
	if err != nil {
		t.Fatal(err)
	}
	rows[1][1], header[0] = "changed", "changed" // the table keeps its own copy
	row, _ := tab.Sequential().Next()
	if tab.Len() != 2 || tab.Name() != "accounts" || strings.Join(tab.Header(), ",") != "email,plan" ||
		row.Get("plan") != "free" || row.Get("nope") != "" || row.Raw() != nil {
		t.Errorf("table %s of %d rows %q, first row plan %q", tab.Name(), tab.Len(), tab.Header(), row.Get("plan"))
	}
	err = tab.Require("email", "emial", "pan")
	if want := `accounts: no column "emial", "pan" (the columns are "email", "plan")`; err == nil || err.Error() != want {
		t.Errorf("Require: err = %v, want %q", err, want)
	}
	// A spreadsheet's "email, password" names a column " password": the
	// names are quoted so that its space shows (it read "email,  password").
	spaced, err := loadtest.RowsOf("sheet", []string{"email", " password"}, [][]string{{"a@x", "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err, want := spaced.Require("password"), `sheet: no column "password" (the columns are "email", " password")`; err == nil || err.Error() != want {
		t.Errorf("Require: err = %v, want %q", err, want)
	}
	if err := tab.Require("plan"); err != nil {
		t.Errorf("Require(plan): %v", err)
	}
	if (loadtest.Row{}).Get("email") != "" {
		t.Error("the zero Row has a field")
	}
}

func TestReadJSONLinesRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "carts.jsonl")
	give := `{"user": "a@x", "items": [1, 2], "total": 12.50}` + "\n\n" + `{"user": "b@x", "coupon": null, "vip": true}` + "\n"
	if err := os.WriteFile(path, []byte(give), 0o644); err != nil {
		t.Fatal(err)
	}
	tab, err := loadtest.ReadJSONLines(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tab.Header(), ","); got != "user,items,total,coupon,vip" || tab.Len() != 2 {
		t.Errorf("header %s, %d rows", got, tab.Len())
	}
	feed := tab.Unique()
	a, _ := feed.Next()
	b, _ := feed.Next()
	if _, err := feed.Next(); !errors.Is(err, loadtest.ErrDataExhausted) {
		t.Errorf("third Next: err = %v, want ErrDataExhausted", err)
	}
	for _, c := range []struct{ got, want string }{
		{a.Get("user"), "a@x"}, {a.Get("items"), "[1, 2]"}, {a.Get("total"), "12.50"}, {a.Get("vip"), ""},
		{b.Get("user"), "b@x"}, {b.Get("coupon"), ""}, {b.Get("vip"), "true"}, {b.Get("total"), ""},
		{string(b.Raw()), `{"user": "b@x", "coupon": null, "vip": true}`},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if a.Index() != 0 || b.Index() != 1 {
		t.Errorf("indices %d, %d, want 0, 1 (blank lines are not rows)", a.Index(), b.Index())
	}
}
