// Package jsonpos places JSON decoding errors in their data: it turns the
// error of encoding/json into the 1-based line and column, and the JSON
// path (runs[1].started, rules.p50.tolerance) of the value at fault, that
// error messages name.
package jsonpos

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Position returns the 1-based line and column of byte offset off in data;
// offsets out of range are clamped.
func Position(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// Error is a decoding error placed in the data it was about.
type Error struct {
	Offset    int64  // of the byte at fault
	Line, Col int    // 1-based; Col counts bytes
	Path      string // JSON path of the value at fault; "" for the document or when unknown
	Err       error  // what is wrong, naming Path when there is one
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %v", e.Line, e.Col, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// Locate places err, the error of decoding data (with json.Unmarshal or a
// json.Decoder) into v, at the value at fault:
//
//   - a syntax error at the offending byte (encoding/json's offset is
//     just past it), or at the end of a truncated file (as package
//     baseline places it);
//   - a type error at the start of the value, named by its full path with
//     map keys and indices (encoding/json's Field leaves them out);
//   - an unknown field (json.Decoder.DisallowUnknownFields) at its key;
//   - an error of a value's UnmarshalJSON or UnmarshalText, such as a bad
//     time, which carries no position, at the first value whose type in v
//     refuses it (v may be nil: then it is not looked for).
//
// fallback is the offset used when nothing better is known.
func Locate(data []byte, err error, fallback int64, v any) *Error {
	e := &Error{Offset: fallback, Err: err}
	end := int64(len(bytes.TrimRight(data, " \t\r\n")))
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		e.Offset = se.Offset
		if e.Offset >= end && strings.Contains(se.Error(), "unexpected end of JSON input") {
			e.Offset = int64(len(data))
			e.Err = fmt.Errorf("unexpected end of file (truncated?): %w", err)
		} else if e.Offset > 0 && !isSpace(data[e.Offset-1]) {
			e.Offset-- // Offset is just past the offending byte
		}
	case errors.As(err, &te):
		e.Offset = te.Offset
		e.Path = te.Field
		// Offset is just past a scalar, or just past the '{' or '[' of
		// a composite value.
		walk(data, func(val value) bool {
			if val.end == te.Offset && !val.composite || val.composite && val.start+1 == te.Offset {
				e.Offset, e.Path = val.start, val.path
				return false
			}
			return true
		})
		e.Err = fmt.Errorf("%s: cannot use JSON %s as %v", orValue(e.Path), te.Value, te.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Offset = int64(len(data))
		e.Err = errors.New("unexpected end of file (truncated?)")
		if end == 0 {
			e.Err = errors.New("empty file")
		}
	case strings.HasPrefix(err.Error(), `json: unknown field "`):
		name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if uerr != nil {
			break
		}
		walk(data, func(val value) bool {
			if val.key == name {
				e.Offset, e.Path = val.keyStart, val.parent
				return false
			}
			return true
		})
		if e.Path != "" {
			e.Err = fmt.Errorf("%s: unknown field %q", e.Path, name)
		} else {
			e.Err = fmt.Errorf("unknown field %q", name)
		}
	default:
		if v == nil {
			break
		}
		t := reflect.TypeOf(v)
		walk(data, func(val value) bool {
			vt := typeAt(t, val.steps)
			if vt == nil || !refuses(vt, data[val.start:val.end]) {
				return true
			}
			e.Offset, e.Path = val.start, val.path
			e.Err = fmt.Errorf("%s: %w", orValue(val.path), err)
			return false
		})
	}
	e.Line, e.Col = Position(data, e.Offset)
	return e
}

func orValue(path string) string {
	if path == "" {
		return "value"
	}
	return path
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// value is one JSON value of a document, as walk finds it.
type value struct {
	path      string // runs[1].started
	parent    string // the path of the object or array holding it
	key       string // its key in an object ("" in an array)
	keyStart  int64  // offset of the key's opening quote
	steps     []step
	start     int64 // offset of its first byte
	end       int64 // offset just past its last byte
	composite bool  // an object or an array
}

// step is one step of a path: a key, or an index.
type step struct {
	key   string
	index int // -1 for a key
}

// walk calls fn for every value of data in the order of their ends
// (scalars in document order; an object or array after its contents)
// until fn returns false. It stops at the first syntax error.
func walk(data []byte, fn func(value) bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		value
		object  bool
		index   int
		wantKey bool
		key     string
		keyAt   int64
	}
	var stack []*frame
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return
		}
		after := dec.InputOffset()
		start := skipSeparators(data, before)
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			f.end = after
			if !fn(f.value) {
				return
			}
			continue
		}
		var parent *frame
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		if parent != nil && parent.object && parent.wantKey {
			parent.key, _ = tok.(string)
			parent.keyAt = start
			parent.wantKey = false
			continue
		}
		val := value{start: start, end: after}
		if parent != nil {
			val.parent = parent.path
			if parent.object {
				val.key, val.keyStart = parent.key, parent.keyAt
				val.path = joinKey(parent.path, parent.key)
				val.steps = append(append([]step(nil), parent.steps...), step{key: parent.key, index: -1})
				parent.wantKey = true
			} else {
				val.path = fmt.Sprintf("%s[%d]", parent.path, parent.index)
				val.steps = append(append([]step(nil), parent.steps...), step{index: parent.index})
				parent.index++
			}
		}
		if d, ok := tok.(json.Delim); ok {
			val.composite = true
			stack = append(stack, &frame{value: val, object: d == '{', wantKey: d == '{'})
			continue
		}
		if !fn(val) {
			return
		}
	}
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// skipSeparators returns the offset of the first byte from off that is
// not white space, ':' or ','.
func skipSeparators(data []byte, off int64) int64 {
	for off < int64(len(data)) && (isSpace(data[off]) || data[off] == ':' || data[off] == ',') {
		off++
	}
	return off
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// typeAt returns the Go type that decoding a value of type t puts the
// value at steps into, or nil if none does.
func typeAt(t reflect.Type, steps []step) reflect.Type {
	for _, s := range steps {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			if s.index >= 0 {
				return nil
			}
			f, ok := fieldByName(t, s.key)
			if !ok {
				return nil
			}
			t = f
		case reflect.Map:
			if s.index >= 0 {
				return nil
			}
			t = t.Elem()
		case reflect.Slice, reflect.Array:
			if s.index < 0 {
				return nil
			}
			t = t.Elem()
		default:
			return nil
		}
	}
	return t
}

// fieldByName returns the type of the field of struct t that the JSON key
// name decodes into, as encoding/json matches them: by tag or name,
// promoted from embedded structs, an exact match before a case-insensitive
// one.
func fieldByName(t reflect.Type, name string) (reflect.Type, bool) {
	var fold reflect.Type
	var find func(t reflect.Type, depth int) reflect.Type
	find = func(t reflect.Type, depth int) reflect.Type {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			tagName, _, _ := strings.Cut(tag, ",")
			if f.Anonymous && tagName == "" {
				et := f.Type
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct && depth < 8 {
					if ft := find(et, depth+1); ft != nil {
						return ft
					}
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			n := tagName
			if n == "" {
				n = f.Name
			}
			if n == name {
				return f.Type
			}
			if fold == nil && strings.EqualFold(n, name) {
				fold = f.Type
			}
		}
		return nil
	}
	if ft := find(t, 0); ft != nil {
		return ft, true
	}
	return fold, fold != nil
}

// refuses tells whether a value of type t, through its own UnmarshalJSON
// or UnmarshalText, refuses raw.
func refuses(t reflect.Type, raw []byte) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	p := reflect.New(t)
	switch {
	case p.Type().Implements(jsonUnmarshaler):
		return p.Interface().(json.Unmarshaler).UnmarshalJSON(raw) != nil
	case p.Type().Implements(textUnmarshaler) && len(raw) > 0 && raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return true
		}
		return p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)) != nil
	}
	return false
}

// Duplicate returns the first key that an object of data holds twice, as
// an *Error inside its second value that names the key's path; nil if
// there is none, or if data is not valid JSON (decoding it says why). Go's
// decoder keeps the last of two values silently; a file a person writes,
// such as a policy, should not lose the first without a word.
func Duplicate(data []byte) *Error {
	seen := map[string]bool{}
	var dup *Error
	walk(data, func(v value) bool {
		n := len(v.steps)
		if n == 0 || v.steps[n-1].index != -1 {
			return true // the document, or an element of an array
		}
		if !seen[v.path] {
			seen[v.path] = true
			return true
		}
		// An object given twice ends after its members, which collide
		// first: name the outermost path that collides.
		path, prefix := v.path, ""
		for _, s := range v.steps[:n-1] {
			if s.index >= 0 {
				prefix = fmt.Sprintf("%s[%d]", prefix, s.index)
				continue
			}
			if prefix = joinKey(prefix, s.key); seen[prefix] {
				path = prefix
				break
			}
		}
		line, col := Position(data, v.keyStart)
		dup = &Error{Line: line, Col: col, Err: fmt.Errorf("%s: a key given twice (the second would replace the first)", path)}
		return false
	})
	return dup
}

// Trailing returns where the data after a decoded value begins: the first
// byte from off (the decoder's offset just past the value) that is not
// white space. After a failed Token, json.Decoder's own offset is not the
// same in every Go release.
func Trailing(data []byte, off int64) int64 {
	for off < int64(len(data)) && isSpace(data[off]) {
		off++
	}
	return off
}

// Find returns the offset in data of the value at path, whose steps are
// object keys (string) and array indices (int): Find(data, "rules",
// "ttfb.p99", "tolerance"). A key may hold a dot, as the keys of a
// policy's rules do, which a dotted path could not tell apart. false when
// data holds no such value or is not valid JSON.
func Find(data []byte, path ...any) (int64, bool) {
	var off int64
	found := false
	walk(data, func(v value) bool {
		if len(v.steps) != len(path) {
			return true
		}
		for i, s := range v.steps {
			switch p := path[i].(type) {
			case string:
				if s.index != -1 || s.key != p {
					return true
				}
			case int:
				if s.index != p {
					return true
				}
			default:
				return true
			}
		}
		off, found = v.start, true
		return false
	})
	return off, found
}
