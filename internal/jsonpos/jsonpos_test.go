package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestPosition(t *testing.T) {
	data := []byte("{\n  \"a\": x\n}")
	tests := []struct {
		name              string
		give              int64
		wantLine, wantCol int
	}{
		{name: "start", give: 0, wantLine: 1, wantCol: 1},
		{name: "second line", give: 9, wantLine: 2, wantCol: 8},
		{name: "past the end", give: 100, wantLine: 3, wantCol: 2},
		{name: "negative", give: -5, wantLine: 1, wantCol: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if line, col := Position(data, tt.give); line != tt.wantLine || col != tt.wantCol {
				t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.give, line, col, tt.wantLine, tt.wantCol)
			}
		})
	}
}

type run struct {
	Started time.Time `json:"started"`
	N       int       `json:"n"`
}

type rule struct {
	Tolerance float64 `json:"tolerance"`
}

type doc struct {
	Name     string          `json:"name"`
	Recorded time.Time       `json:"recorded"`
	Runs     []run           `json:"runs"`
	Rules    map[string]rule `json:"rules"`
	embedded
}

type embedded struct {
	When *time.Time `json:"when"`
}

// TestLocate checks where each kind of decoding error is placed: the line
// and column of the value at fault, and its path.
func TestLocate(t *testing.T) {
	tests := []struct {
		name     string
		give     string
		decoder  bool // decode with a json.Decoder that refuses unknown fields
		wantPos  string
		wantPath string
		wantErr  string
	}{
		{name: "first byte", give: "# README\n", wantPos: "1:1", wantErr: "invalid character '#'"},
		{name: "bad byte", give: "{\n  \"name\": \"x\"]\n}", wantPos: "2:14", wantErr: "invalid character ']' after object key:value pair"},
		{name: "bad byte last", give: `{"n":1]`, wantPos: "1:7", wantErr: "invalid character ']'"},
		{name: "after space", give: "{\"name\": x}", wantPos: "1:10", wantErr: "invalid character 'x'"},
		{name: "truncated", give: "{\"name\": \"x\",\n", wantPos: "2:1", wantErr: "unexpected end of file (truncated?)"},
		{name: "truncated decoder", give: "{\"name\": \"x\",\n", decoder: true, wantPos: "2:1", wantErr: "unexpected end of file (truncated?)"},
		{name: "empty", give: " \n", decoder: true, wantPos: "2:1", wantErr: "empty file"},
		{name: "type", give: "{\n  \"runs\": [{\"n\": 1}, {\"n\": \"two\"}]\n}", wantPos: "2:28", wantPath: "runs[1].n", wantErr: "runs[1].n: cannot use JSON string as int"},
		{name: "type in map", give: `{"rules": {"p50": {"tolerance": "big"}}}`, wantPos: "1:33", wantPath: "rules.p50.tolerance", wantErr: "rules.p50.tolerance: cannot use JSON string as float64"},
		{name: "type of object", give: `{"name": {"a": 1}}`, wantPos: "1:10", wantPath: "name", wantErr: "name: cannot use JSON object as string"},
		{name: "type of document", give: `[1]`, wantPos: "1:1", wantErr: "value: cannot use JSON array as jsonpos.doc"},
		{name: "time", give: "{\n  \"name\": \"yesterday\",\n  \"recorded\": \"yesterday\"\n}", wantPos: "3:15", wantPath: "recorded", wantErr: `recorded: parsing time "yesterday"`},
		{name: "time in array", give: `{"runs": [{"started": "2026-01-02T03:04:05Z"}, {"started": "soon"}]}`, wantPos: "1:60", wantPath: "runs[1].started", wantErr: `runs[1].started: parsing time "soon"`},
		// Go 1.26 says "Time.UnmarshalJSON: input is not a JSON string",
		// Go 1.27 "cannot use JSON number as time.Time": either, placed.
		{name: "time not a string", give: `{"recorded": 5}`, wantPos: "1:14", wantPath: "recorded", wantErr: "recorded: "},
		{name: "time embedded", give: `{"when": "later"}`, wantPos: "1:10", wantPath: "when", wantErr: `when: parsing time "later"`},
		{name: "unknown field", give: "{\n  \"rules\": {\"p50\": {\"tol\": 1}}\n}", decoder: true, wantPos: "2:21", wantPath: "rules.p50", wantErr: `rules.p50: unknown field "tol"`},
		{name: "unknown top field", give: "{\n  \"rulez\": {}\n}", decoder: true, wantPos: "2:3", wantErr: `unknown field "rulez"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.give)
			var d doc
			var err error
			var fallback int64
			if tt.decoder {
				dec := json.NewDecoder(bytes.NewReader(data))
				dec.DisallowUnknownFields()
				err = dec.Decode(&d)
				fallback = dec.InputOffset()
			} else {
				err = json.Unmarshal(data, &d)
			}
			if err == nil {
				t.Fatal("no error")
			}
			e := Locate(data, err, fallback, &d)
			if pos := fmt.Sprintf("%d:%d", e.Line, e.Col); pos != tt.wantPos || e.Path != tt.wantPath || !strings.Contains(e.Err.Error(), tt.wantErr) {
				t.Errorf("Locate(%v) = %s, path %q, %q; want %s, path %q, %q", err, pos, e.Path, e.Err, tt.wantPos, tt.wantPath, tt.wantErr)
			}
			if !errors.Is(e, err) && !strings.Contains(tt.wantErr, "unknown field") && !strings.Contains(e.Err.Error(), "cannot use") && !strings.Contains(tt.wantErr, "end of file") && tt.wantErr != "empty file" {
				t.Errorf("%v does not wrap %v", e, err)
			}
		})
	}
}

func TestDuplicate(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{`{"a": 1, "b": {"c": 2}}`, ""},
		{`[{"a": 1}, {"a": 2}]`, ""},
		{`{"a": 1, "a": 2}`, "1:10: a: a key given twice (the second would replace the first)"},
		{`{"r": {"p": {"t": 1}}, "r": {"p": {"t": 2}}}`, "1:36: r: a key given twice (the second would replace the first)"},
		{`{"r": [{"x": 1, "x": 2}]}`, "1:17: r[0].x: a key given twice (the second would replace the first)"},
		{`{"a": 1, "a"`, ""},
	} {
		got := ""
		if err := Duplicate([]byte(c.data)); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Duplicate(%s) = %q, want %q", c.data, got, c.want)
		}
	}
}

func TestFind(t *testing.T) {
	data := []byte("{\n  \"rules\": {\n    \"ttfb.p99\": {\"tolerance\": -1},\n    \"ttfb\": {\"p99\": 2}\n  },\n  \"sla\": [\"a\", \"b\"]\n}")
	for _, c := range []struct {
		path []any
		want string // line:col, "" for none
	}{
		{[]any{"rules", "ttfb.p99", "tolerance"}, "3:31"},
		{[]any{"rules", "ttfb.p99"}, "3:17"},
		{[]any{"rules", "ttfb", "p99"}, "4:21"},
		{[]any{"sla", 1}, "6:16"},
		{[]any{"sla", 2}, ""},
		{[]any{"rules", "p99"}, ""},
		{[]any{}, "1:1"},
	} {
		got := ""
		if off, ok := Find(data, c.path...); ok {
			line, col := Position(data, off)
			got = fmt.Sprintf("%d:%d", line, col)
		}
		if got != c.want {
			t.Errorf("Find(%v) at %q, want %q", c.path, got, c.want)
		}
	}
	if _, ok := Find([]byte(`{"a": `), "a"); ok {
		t.Error("Find in truncated data found a value")
	}
}
