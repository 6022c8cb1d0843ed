package tabular

import (
	"reflect"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	got, err := ReadCSV(strings.NewReader("\ufeffemail,name\na@x,\"A, B\"\nb@x,Zoë\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Table{Header: []string{"email", "name"}, Fields: []string{"a@x", "A, B", "b@x", "Zoë"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadCSV = %+v, want %+v", got, want)
	}
}

func TestReadJSONLines(t *testing.T) {
	give := "{\"email\": \"a@x\", \"n\": 1}\r\n\n  {\"n\": 2.50, \"tags\": [\"x\"], \"email\": null}\n{\"email\": \"c\\u0040x\"}"
	got, err := ReadJSONLines(strings.NewReader(give))
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"email", "n", "tags"}
	wantFields := []string{"a@x", "1", "", "", "2.50", `["x"]`, "c@x", "", ""}
	if !reflect.DeepEqual(got.Header, wantHeader) || !reflect.DeepEqual(got.Fields, wantFields) {
		t.Errorf("ReadJSONLines = %q %q, want %q %q", got.Header, got.Fields, wantHeader, wantFields)
	}
	if raw := string(got.Raw[got.RawEnd[0]:got.RawEnd[1]]); raw != `{"n": 2.50, "tags": ["x"], "email": null}` {
		t.Errorf("row 1's object = %s", raw)
	}
}

func TestErrorPositions(t *testing.T) {
	tests := []struct {
		name string
		read func(string) error
		give string
		want string
	}{
		{name: "csv empty", read: readCSV, give: "", want: "1:1: empty file: the first line must name the columns"},
		{name: "csv header only", read: readCSV, give: "a,b\n", want: "2:1: no rows after the header"},
		{name: "csv field count", read: readCSV, give: "a,b\n1,2\n3\n", want: "3:1: wrong number of fields: 1, want 2 (one per header name)"},
		{name: "csv trailing comma", read: readCSV, give: "a,b\n1,2,\n", want: "2:1: wrong number of fields: 3, want 2 (one per header name)"},
		{name: "csv bare quote", read: readCSV, give: "a,b\n1,x\"y\n", want: "2:4: bare \" in a field"},
		{name: "csv duplicate name", read: readCSV, give: "email,name,email\n1,2,3\n", want: `1:12: duplicate column name "email" (also column 1)`},
		{name: "csv empty name", read: readCSV, give: "email,,x\n1,2,3\n", want: "1:7: column 2 has an empty name"},
		{name: "csv latin-1", read: readCSV, give: "email,name\na@x,Jos\xe9\n", want: "2:5: field 2: byte 0xE9 is not UTF-8 (the file may be Latin-1 or Windows-1252): save it as UTF-8"},
		{name: "csv latin-1 quoted", read: readCSV, give: "email,note\na@x,\"caf\xe9, bar\"\n", want: "2:5: field 2: byte 0xE9 is not UTF-8"},
		{name: "csv latin-1 header", read: readCSV, give: "email,pr\xe9nom\na@x,b\n", want: "1:7: field 2: byte 0xE9 is not UTF-8"},
		{name: "csv utf-16", read: readCSV, give: "\xff\xfee\x00m\x00\n\x00", want: "1:1: the file is UTF-16 (it starts with the byte order mark FF FE): save it as UTF-8"},
		{name: "jsonl empty", read: readJSONL, give: "\n\n", want: "2:1: empty file"},
		{name: "jsonl invalid", read: readJSONL, give: "{\"a\": 1}\n{\"a\": x}\n", want: "2:7: invalid JSON: invalid character 'x'"},
		{name: "jsonl truncated", read: readJSONL, give: "{\"a\": 1}\n{\"a\":\n 1}\n", want: "2:6: invalid JSON: unexpected end of line (an object must fit on one line)"},
		{name: "jsonl not object", read: readJSONL, give: "{\"a\": 1}\n  [1, 2]\n", want: "2:3: not a JSON object: a line must hold one object, got an array"},
		{name: "jsonl duplicate key", read: readJSONL, give: "{\"a\": 1,  \"a\": 2}\n", want: `1:11: duplicate key "a"`},
		{name: "jsonl latin-1", read: readJSONL, give: "{\"a\": 1}\n{\"a\": \"Jos\xe9\"}\n", want: "2:11: byte 0xE9 is not UTF-8 (the file may be Latin-1 or Windows-1252): save it as UTF-8"},
		{name: "jsonl utf-16", read: readJSONL, give: "\xfe\xff\x00{\x00}\n", want: "1:1: the file is UTF-16 (it starts with the byte order mark FE FF): save it as UTF-8"},
		{name: "jsonl array", read: readJSONL, give: "[{\"a\": 1}, {\"a\": 2}]\n", want: "1:1: the file is a JSON array: want JSON lines, one object a line (jq -c '.[]' converts an array of objects)"},
		{name: "jsonl lines of arrays", read: readJSONL, give: "[1, 2]\n[3, 4]\n", want: "1:1: not a JSON object: a line must hold one object, got an array"},
		{name: "jsonl array indented", read: readJSONL, give: "\n[\n  {\"a\": 1},\n  {\"a\": 2}\n]\n", want: "2:1: the file is a JSON array: want JSON lines"},
		{name: "jsonl empty key", read: readJSONL, give: "{\"a\": 1, \"\": 2}\n", want: "1:10: empty key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.read(tt.give)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want one starting %q", err, tt.want)
			}
		})
	}
}

func readCSV(s string) error   { _, err := ReadCSV(strings.NewReader(s)); return err }
func readJSONL(s string) error { _, err := ReadJSONLines(strings.NewReader(s)); return err }
