// Package tabular reads test data files into rows of named string fields:
// CSV whose first record is the header, and JSON lines, one object a line.
// It checks a file whole and places whatever is wrong at its 1-based line
// and column, so that a bad file is refused before any load; package
// loadtest adds the file's name and shares the rows.
package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/loadgate/loadgate/internal/jsonpos"
)

// Table is what a file held. Row i's fields are
// Fields[i*len(Header) : (i+1)*len(Header)], in the order of Header.
type Table struct {
	Header []string
	Fields []string
	// For JSON lines, row i's object is Raw[RawEnd[i-1]:RawEnd[i]]
	// (RawEnd[-1] being 0). Both are nil for CSV.
	Raw    []byte
	RawEnd []int
}

// Rows returns the number of rows.
func (t *Table) Rows() int {
	if len(t.Header) == 0 {
		return 0
	}
	return len(t.Fields) / len(t.Header)
}

// Error is what is wrong with a file, and where.
type Error struct {
	Line, Col int // 1-based; Col counts bytes
	Err       error
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %v", e.Line, e.Col, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

func errorAt(line, col int, format string, args ...any) *Error {
	return &Error{Line: line, Col: col, Err: fmt.Errorf(format, args...)}
}

// bom is the byte order mark some spreadsheets write at the start of a
// UTF-8 file; left in, it would be part of the first column's name.
var bom = []byte("\ufeff")

// utf16BOMs are the byte order marks of UTF-16, which a spreadsheet's
// "Unicode text" export starts with: read as UTF-8, the file would be
// one garbled column.
var utf16BOMs = [][]byte{{0xff, 0xfe}, {0xfe, 0xff}}

// checkEncoding refuses a file that starts as UTF-16 does.
func checkEncoding(br *bufio.Reader) error {
	head, _ := br.Peek(2)
	for _, b := range utf16BOMs {
		if bytes.Equal(head, b) {
			return errorAt(1, 1, "the file is UTF-16 (it starts with the byte order mark % X): save it as UTF-8", b)
		}
	}
	return nil
}

// notUTF8 describes the first byte of s that is not UTF-8, in the words
// of an error: a file saved as Latin-1 or Windows-1252 would otherwise
// reach the service with bytes it cannot read, or, through encoding/json,
// with U+FFFD in their place.
func notUTF8(s string) (at int, msg string) {
	if utf8.ValidString(s) {
		return -1, ""
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i, fmt.Sprintf("byte 0x%02X is not UTF-8 (the file may be Latin-1 or Windows-1252): save it as UTF-8", s[i])
		}
		i += n
	}
	return -1, ""
}

// ReadCSV reads CSV (RFC 4180, as encoding/csv without LazyQuotes) in
// UTF-8 whose first record names the columns. Every record must have as
// many fields as the header, every name must be non-empty and unique, and
// there must be at least one row.
func ReadCSV(r io.Reader) (*Table, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(len(bom)); bytes.Equal(head, bom) {
		br.Discard(len(bom))
	}
	if err := checkEncoding(br); err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errorAt(1, 1, "empty file: the first line must name the columns")
	}
	if err != nil {
		return nil, csvError(err)
	}
	if err := checkFieldsUTF8(cr, header); err != nil {
		return nil, err
	}
	header = append([]string(nil), header...)
	cols := make([]int, len(header))
	for i := range header {
		_, cols[i] = cr.FieldPos(i)
	}
	if err := checkNames(header, func(i int) (int, int) { return 1, cols[i] }); err != nil {
		return nil, err
	}
	t := &Table{Header: header}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			// The counts say which side is short: a field missing
			// in the row, or a trailing comma.
			return nil, errorAt(pe.Line, pe.Column, "wrong number of fields: %d, want %d (one per header name)", len(rec), len(header))
		}
		if err != nil {
			return nil, csvError(err)
		}
		if err := checkFieldsUTF8(cr, rec); err != nil {
			return nil, err
		}
		t.Fields = append(t.Fields, rec...)
	}
	if len(t.Fields) == 0 {
		line, _ := cr.FieldPos(0)
		return nil, errorAt(line+1, 1, "no rows after the header")
	}
	return t, nil
}

// checkFieldsUTF8 refuses a record with a field that is not UTF-8, placed
// at the field's first byte.
func checkFieldsUTF8(cr *csv.Reader, rec []string) error {
	for i, f := range rec {
		at, msg := notUTF8(f)
		if at < 0 {
			continue
		}
		line, col := cr.FieldPos(i)
		return errorAt(line, col, "field %d: %s", i+1, msg)
	}
	return nil
}

// csvError places an error of encoding/csv in its own words.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return errorAt(pe.Line, pe.Column, `bare " in a field that is not quoted (quote the field and double the quote: "a ""b"" c")`)
	case errors.Is(pe.Err, csv.ErrQuote):
		return errorAt(pe.Line, pe.Column, `extraneous or missing " in a quoted field`)
	}
	return &Error{Line: pe.Line, Col: pe.Column, Err: pe.Err}
}

// checkNames refuses empty and duplicate column names; at says where name
// i was written.
func checkNames(names []string, at func(i int) (line, col int)) error {
	seen := make(map[string]int, len(names))
	for i, name := range names {
		line, col := at(i)
		if name == "" {
			return errorAt(line, col, "column %d has an empty name", i+1)
		}
		if j, dup := seen[name]; dup {
			return errorAt(line, col, "duplicate column name %q (also column %d)", name, j+1)
		}
		seen[name] = i
	}
	return nil
}

// opensArray tells whether the first line of a file opens a JSON array
// of the whole file: a line that is not a JSON value by itself ("[" of a
// pretty-printed array, "[{...},"), or an array of objects on one line. A
// line that is a whole array of other values is JSON lines of arrays, and
// jq -c '.[]' would not convert it.
func opensArray(line []byte) bool {
	if line[0] != '[' {
		return false
	}
	if !json.Valid(line) {
		return true
	}
	var elems []json.RawMessage
	if json.Unmarshal(line, &elems) != nil || len(elems) == 0 {
		return false
	}
	return bytes.HasPrefix(bytes.TrimSpace(elems[0]), []byte("{"))
}

// ReadJSONLines reads JSON lines in UTF-8: one JSON object a line (blank
// lines are skipped). The columns are the objects' keys in the order they
// first appear; a row lacking a key has "" for it. A field is a JSON
// string's value, "" for null, or the JSON text of any other value (a
// number as written, true, an array). Keys must be non-empty and unique
// within an object, and there must be at least one object.
func ReadJSONLines(r io.Reader) (*Table, error) {
	br := bufio.NewReader(r)
	if err := checkEncoding(br); err != nil {
		return nil, err
	}
	t := &Table{}
	cols := map[string]int{}
	var widths []int // of each row: the columns known when it was read
	var set []bool   // which columns this line has set
	line := 0
	for {
		text, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, err
		}
		if len(text) == 0 {
			break
		}
		line++
		if line == 1 {
			text = bytes.TrimPrefix(text, bom)
		}
		text = bytes.TrimRight(text, "\r\n")
		if !utf8.Valid(text) {
			at, msg := notUTF8(string(text))
			return nil, errorAt(line, at+1, "%s", msg)
		}
		if start := len(text) - len(bytes.TrimLeft(text, " \t")); start < len(text) {
			if len(widths) == 0 && opensArray(text[start:]) {
				// k6 scripts read their users from a JSON array; this
				// is one object a line.
				return nil, errorAt(line, start+1, "the file is a JSON array: want JSON lines, one object a line (jq -c '.[]' converts an array of objects)")
			}
			if err := checkObject(text, start); err != nil {
				return nil, &Error{Line: line, Col: err.Col, Err: err.Err}
			}
			from := len(t.Fields)
			set = set[:0]
			if err := eachMember(text, func(key string, keyCol int, val []byte) error {
				col, ok := cols[key]
				if !ok {
					if key == "" {
						return errorAt(line, keyCol, "empty key")
					}
					col = len(t.Header)
					cols[key] = col
					t.Header = append(t.Header, key)
				}
				for len(set) <= col {
					set = append(set, false)
					t.Fields = append(t.Fields, "")
				}
				if set[col] {
					return errorAt(line, keyCol, "duplicate key %q", key)
				}
				t.Fields[from+col], set[col] = field(val), true
				return nil
			}); err != nil {
				return nil, err
			}
			for len(t.Fields)-from < len(t.Header) {
				t.Fields = append(t.Fields, "")
			}
			widths = append(widths, len(t.Header))
			t.Raw = append(t.Raw, bytes.TrimSpace(text)...)
			t.RawEnd = append(t.RawEnd, len(t.Raw))
		}
		if err == io.EOF {
			break
		}
	}
	if len(widths) == 0 {
		return nil, errorAt(max(line, 1), 1, "empty file: want one JSON object a line")
	}
	t.Fields = widen(t.Fields, widths, len(t.Header))
	return t, nil
}

// widen makes every row w fields wide: a column that first appeared in a
// later line is "" in the rows before it. widths[i] is row i's width.
func widen(fields []string, widths []int, w int) []string {
	if widths[len(widths)-1] == widths[0] {
		return fields // every column was known from the first line
	}
	out := make([]string, 0, w*len(widths))
	for _, n := range widths {
		out = append(out, fields[:n]...)
		for range w - n {
			out = append(out, "")
		}
		fields = fields[n:]
	}
	return out
}

// checkObject refuses a line that is not valid JSON or not an object,
// placed by package jsonpos. start is the offset of its first byte that is
// not a space.
func checkObject(text []byte, start int) *Error {
	if err := json.Unmarshal(text, new(json.RawMessage)); err != nil {
		pe := jsonpos.Locate(text, err, 0, nil)
		if pe.Offset >= int64(len(bytes.TrimRight(text, " \t"))) {
			// jsonpos speaks of a truncated file; here the line ended.
			return errorAt(1, pe.Col, "invalid JSON: unexpected end of line (an object must fit on one line)")
		}
		return &Error{Line: 1, Col: pe.Col, Err: fmt.Errorf("invalid JSON: %w", pe.Err)}
	}
	if text[start] != '{' {
		return errorAt(1, start+1, "not a JSON object: a line must hold one object, got %s", kindOf(text[start]))
	}
	return nil
}

func kindOf(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// eachMember calls fn with each key of the valid JSON object in text, the
// 1-based column of its opening quote, and its value.
func eachMember(text []byte, fn func(key string, col int, val []byte) error) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '{'
		return err
	}
	for dec.More() {
		off := int(dec.InputOffset())
		for off < len(text) && (text[off] == ',' || text[off] == ' ' || text[off] == '\t') {
			off++
		}
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return err
		}
		if err := fn(tok.(string), off+1, val); err != nil {
			return err
		}
	}
	return nil
}

// field is the text a row holds for a JSON value.
func field(val []byte) string {
	switch val[0] {
	case '"':
		var s string
		if json.Unmarshal(val, &s) == nil {
			return s
		}
	case 'n':
		return ""
	}
	return string(val)
}
