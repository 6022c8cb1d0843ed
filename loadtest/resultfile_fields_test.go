package loadtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRequiredFieldsMatchSchema: the fields ReadFile requires are the
// schema's required ones.
func TestRequiredFieldsMatchSchema(t *testing.T) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var schema struct{ Required []string }
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(schema.Required, requiredFields) {
		t.Errorf("requiredFields %q, schema/result.v1.json requires %q", requiredFields, schema.Required)
	}
}

// TestReadFileIncomplete: a result without a field loadtest always writes
// is refused, naming the file and the field, not read as zero; a JSON
// value that is not an object says so, in words.
func TestReadFileIncomplete(t *testing.T) {
	dir := t.TempDir()
	path, err := WriteFile(dir, goldenResult())
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var top map[string]json.RawMessage
	json.Unmarshal(data, &top)
	delete(top, "latency")
	cut, _ := json.Marshal(top)
	bad := filepath.Join(dir, "cut.json")
	os.WriteFile(bad, cut, 0o644)
	if _, err := ReadFile(bad); err == nil || !strings.Contains(err.Error(), bad+`: no "latency" field`) {
		t.Errorf("ReadFile without latency: %v", err)
	}
	arr := filepath.Join(dir, "array.json")
	os.WriteFile(arr, []byte("[1,2,3]\n"), 0o644)
	if _, err := ReadFile(arr); err == nil || err.Error() != arr+": a JSON array, not an object: not a loadgate result ("+SchemaVersion+")" {
		t.Errorf("ReadFile of an array: %v", err)
	}
}
