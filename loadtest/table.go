package loadtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/loadgate/loadgate/internal/tabular"
)

// Table is test data: rows of named fields, read once and shared, read-only,
// by every user of a scenario (k6's SharedArray). Read one with [ReadCSV]
// or [ReadJSONLines], or build one from Go values with [RowsOf], before the
// load: a bad file is refused then, with the place of the fault. Users take
// rows through a [Feed] ([Table.Sequential], [Table.Random],
// [Table.Unique]), which the caller builds once per run and shares.
//
// A Table is safe for concurrent use. Its rows are held in memory as
// strings, one per field: the whole file is read, and a CSV file takes
// about 2.5 times its size in heap (an 81 MB file of 2 million rows,
// 194 MB), in the test process that generates the load.
type Table struct {
	name   string
	header []string
	cols   map[string]int
	fields []string // row i is fields[i*len(header):(i+1)*len(header)]
	raw    []byte   // JSON lines: the objects, row i ending at rawEnd[i]
	rawEnd []int
}

// DataError is what is wrong with test data and where: the file (or the
// name given to [RowsOf]) and, for a file, the 1-based line and column
// (counted in bytes). Its message reads "file:line:column: what".
type DataError struct {
	File         string
	Line, Column int // 0 when the fault is not in a file
	Err          error
}

// Error returns "file:line:column: what", or "name: what" when the fault
// is not in a file.
func (e *DataError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *DataError) Unwrap() error { return e.Err }

// ReadCSV reads the CSV file at path (RFC 4180, in UTF-8; a byte order
// mark is skipped). Its first line names the columns: every name must be
// non-empty and unique. Every later record is a row with as many fields
// as the header, and there must be at least one.
//
// An error in the file is a [*DataError] naming path, line and column:
// a wrong number of fields, a bare or missing quote, an empty file, a
// duplicate or empty column name, a byte that is not UTF-8 (a file saved
// as Latin-1, Windows-1252 or UTF-16). The caller should call ReadCSV once, in
// the test before [Run] (or in TestMain for several tests), and fail the
// test on an error.
func ReadCSV(path string) (*Table, error) {
	return readTable(path, tabular.ReadCSV)
}

// ReadJSONLines reads the JSON-lines file at path: one JSON object a line,
// blank lines skipped. The columns are the objects' keys in the order they
// first appear; a row lacking a key has "" for it (its [Row.Raw] tells
// the two apart). A field is a JSON string's value, "" for null, or the JSON
// text of any other value: a number as written (2.50), true, an array or
// an object.
//
// An error in the file is a [*DataError] naming path, line and column:
// invalid JSON (an object spread over several lines included), a line that
// is not an object, a file that is one JSON array (as a k6 script reads;
// jq -c '.[]' turns it into JSON lines), an empty file, a duplicate or empty key, a byte that
// is not UTF-8 (which encoding/json would silently replace with U+FFFD). The caller
// should call ReadJSONLines once, before [Run], and fail the test on an
// error.
func ReadJSONLines(path string) (*Table, error) {
	return readTable(path, tabular.ReadJSONLines)
}

func readTable(path string, read func(io.Reader) (*tabular.Table, error)) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tt, err := read(f)
	if err != nil {
		var te *tabular.Error
		if errors.As(err, &te) {
			return nil, &DataError{File: path, Line: te.Line, Column: te.Col, Err: te.Err}
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return newTable(path, tt.Header, tt.Fields, tt.Raw, tt.RawEnd), nil
}

// RowsOf returns a table of rows built in Go; name identifies it in
// errors and in the message of a run that used it up. Each row must have
// one field per header name, the names must be non-empty and unique, and
// there must be at least one row; otherwise the error is a [*DataError]
// naming the header or row at fault (rows[3]). The table keeps its own copy.
func RowsOf(name string, header []string, rows [][]string) (*Table, error) {
	fail := func(format string, args ...any) error {
		return &DataError{File: name, Err: fmt.Errorf(format, args...)}
	}
	seen := make(map[string]int, len(header))
	for i, h := range header {
		if h == "" {
			return nil, fail("header[%d] is empty", i)
		}
		if j, dup := seen[h]; dup {
			return nil, fail("header[%d] %q repeats header[%d]", i, h, j)
		}
		seen[h] = i
	}
	switch {
	case len(header) == 0:
		return nil, fail("header has no names")
	case len(rows) == 0:
		return nil, fail("no rows")
	}
	fields := make([]string, 0, len(header)*len(rows))
	for i, r := range rows {
		if len(r) != len(header) {
			return nil, fail("rows[%d] has %d fields, want %d (one per header name)", i, len(r), len(header))
		}
		fields = append(fields, r...)
	}
	return newTable(name, append([]string(nil), header...), fields, nil, nil), nil
}

func newTable(name string, header, fields []string, raw []byte, rawEnd []int) *Table {
	cols := make(map[string]int, len(header))
	for i, h := range header {
		cols[h] = i
	}
	return &Table{name: name, header: header, cols: cols, fields: fields, raw: raw, rawEnd: rawEnd}
}

// Name returns the table's file path as given to [ReadCSV] or
// [ReadJSONLines], or the name given to [RowsOf].
func (t *Table) Name() string { return t.name }

// Len returns the number of rows.
func (t *Table) Len() int { return len(t.fields) / len(t.header) }

// Header returns the column names, in order.
func (t *Table) Header() []string { return append([]string(nil), t.header...) }

// Require returns an error naming the table and every column in names that
// it lacks. [Row.Get] returns "" for a column the table lacks, so a
// test that checks its names with Require before the load finds a
// misspelt name there, not in a run of requests sent with empty fields.
func (t *Table) Require(names ...string) error {
	var missing []string
	for _, n := range names {
		if _, ok := t.cols[n]; !ok {
			missing = append(missing, fmt.Sprintf("%q", n))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	// Quoted, as the missing names are: a column read from a spreadsheet's
	// "email, password" is " password", and the space must show.
	cols := make([]string, len(t.header))
	for i, h := range t.header {
		cols[i] = strconv.Quote(h)
	}
	return &DataError{File: t.name, Err: fmt.Errorf("no column %s (the columns are %s)",
		strings.Join(missing, ", "), strings.Join(cols, ", "))}
}

// Row is one row of a [Table], as a [Feed] hands it out: a small value,
// cheap to copy, that reads the shared table. The zero Row has no fields.
type Row struct {
	t *Table
	i int
}

// Index returns the row's position in its table, from 0 (the first row
// after a CSV file's header, the first object of a JSON-lines file).
func (r Row) Index() int { return r.i }

// Get returns the row's field in column name, or "" if the table has no
// such column (see [Table.Require]) or, in JSON lines, the row's object
// lacks the key.
func (r Row) Get(name string) string {
	if r.t == nil {
		return ""
	}
	col, ok := r.t.cols[name]
	if !ok {
		return ""
	}
	return r.t.fields[r.i*len(r.t.header)+col]
}

// Raw returns the row's JSON object, as written in a JSON-lines file, for
// a caller that needs its nested values or its types; nil for other
// tables. It is shared by every user: the caller must not modify it.
func (r Row) Raw() json.RawMessage {
	if r.t == nil || r.t.rawEnd == nil {
		return nil
	}
	from := 0
	if r.i > 0 {
		from = r.t.rawEnd[r.i-1]
	}
	return r.t.raw[from:r.t.rawEnd[r.i]:r.t.rawEnd[r.i]]
}
