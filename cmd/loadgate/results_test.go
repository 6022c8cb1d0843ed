package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorPositions checks that compare, baseline show and -policy name
// the line and column of the byte or value at fault, and the path of the
// value, the same way for results, baselines and policies.
func TestErrorPositions(t *testing.T) {
	read := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	storedBaseline := read("testdata/baselines/checkout_at_150_per_second.json")
	result := read("testdata/results/same/checkout_at_150_per_second.json")
	// replaceNth replaces the nth (1-based) occurrence of old.
	replaceNth := func(s, old, new string, n int) string {
		i := -1
		for ; n > 0; n-- {
			j := strings.Index(s[i+1:], old)
			if j < 0 {
				t.Fatalf("%q occurs fewer times than wanted", old)
			}
			i += 1 + j
		}
		return s[:i] + new + s[i+len(old):]
	}
	// replaceLine replaces old on the 1-based line n.
	replaceLine := func(s string, n int, old, new string) string {
		lines := strings.Split(s, "\n")
		if !strings.Contains(lines[n-1], old) {
			t.Fatalf("line %d %q lacks %q", n, lines[n-1], old)
		}
		lines[n-1] = strings.Replace(lines[n-1], old, new, 1)
		return strings.Join(lines, "\n")
	}
	tests := []struct {
		name string
		file string // contents of the file given
		cmd  string // compare (as NEW, with a baseline), compare-base (as BASE, with results), show, policy
		want string // in stderr, after the file's name
	}{
		{"not JSON", "# README\n\nSome text.\n", "compare", ":1:1: invalid character '#' looking for beginning of value"},
		{"baseline brace changed", replaceLine(storedBaseline, 15, "}", "]"), "compare-base", ":15:3: invalid character ']' after object key:value pair"},
		{"baseline brace changed, show", replaceLine(storedBaseline, 15, "}", "]"), "show", ":15:3: invalid character ']' after object key:value pair"},
		{"result brace changed", replaceNth(result, "}", "]", 1), "compare", ":15:3: invalid character ']' after object key:value pair"},
		{"baseline recorded", replaceLine(storedBaseline, 7, "2026-11-23T01:21:08Z", "yesterday"), "compare-base", `:7:15: recorded: parsing time "yesterday"`},
		{"baseline recorded, show", replaceLine(storedBaseline, 7, "2026-11-23T01:21:08Z", "yesterday"), "show", `:7:15: recorded: parsing time "yesterday"`},
		{"baseline run started, show", replaceNth(storedBaseline, `"started": "2026-11-23T01:21:00`, `"started": "soon", "x": "`, 1), "show", `:51:18: runs[2].started: parsing time "soon"`},
		{"result started", replaceNth(result, `"started": "2026`, `"started": "soon", "x": "2026`, 1), "compare", `:7:14: started: parsing time "soon"`},
		{"baseline wrong type", replaceNth(storedBaseline, `"requests": 300`, `"requests": "300"`, 2), "show", `:37:19: runs[1].requests: cannot use JSON string as int64`},
		{"policy type in a rule", "{\n  \"rules\": {\n    \"p50\": {\"tolerance\": \"big\"}\n  }\n}\n", "policy", ":3:26: rules.p50.tolerance: cannot use JSON string as float64"},
		{"policy unknown field", "{\n  \"alpha\": 0.05,\n  \"rulez\": {}\n}\n", "policy", `:3:3: unknown field "rulez"`},
		{"policy unknown field of a rule", "{\"rules\": {\"p99\": {\"tol\": 0.2}}}", "policy", `:1:20: rules.p99: unknown field "tol"`},
		{"policy trailing data", "{\"alpha\": 0.05} garbage", "policy", `:1:17: unexpected data after the policy object`},
		{"policy null", "null\n", "policy", `: null: a policy is a JSON object`},
		{"policy key twice", "{\n  \"alpha\": 0.05,\n  \"alpha\": 0.9\n}\n", "policy", `:3:3: alpha: a key given twice`},
		{"policy rule twice", "{\"rules\": {\"p50\": {\"tolerance\": 0.9}}, \"rules\": {\"p99\": {\"tolerance\": 0.2}}}", "policy", `:1:40: rules: a key given twice`},
		{"policy bad SLA", "{\"sla\": [\"p99 < 1s\", \"p99 <<< banana\"]}", "policy", `:1:22: policy: sla[1]: "p99 <<< banana": column 6`},
		{"a JSON array", "[]\n", "compare", `: a JSON array, not an object: not a loadgate result`},
		{"result trailing data", "{\"schema\": \"loadgate.result/v1\"} x", "compare", `:1:34: unexpected data after the JSON object`},
		{"baseline trailing data", "{\"schema\": \"loadgate.baseline/v1\"}\n\n  {}", "show", `:3:3: unexpected data after the baseline object`},
		{"schema not a string", "{\"schema\": 5}", "compare", `:1:12: schema: cannot use JSON number as string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "checkout_at_150_per_second.json")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			var args []string
			switch tt.cmd {
			case "compare":
				args = []string{"compare", "testdata/baselines", path}
			case "compare-base":
				args = []string{"compare", path, "testdata/results/same"}
			case "show":
				args = []string{"baseline", "show", path}
			case "policy":
				args = []string{"compare", "-policy", path, "testdata/results/base", "testdata/results/slow"}
			}
			r := loadgate(context.Background(), args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, path+tt.want) {
				t.Errorf("%s: exit status %d, stderr:\n%s\nwant status 2 and %q", tt.name, r.code, r.stderr, "FILE"+tt.want)
			}
		})
	}
}
