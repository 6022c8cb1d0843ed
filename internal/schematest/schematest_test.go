package schematest

import "testing"

func TestUndocumentedKeysFindsExtraKeys(t *testing.T) {
	schema := map[string]any{
		"properties": map[string]any{
			"a": map[string]any{"$ref": "#/$defs/obj"},
			"b": map[string]any{"items": map[string]any{"$ref": "#/$defs/obj"}},
		},
		"$defs": map[string]any{"obj": map[string]any{"properties": map[string]any{"x": map[string]any{}}}},
	}
	doc := map[string]any{
		"a":     map[string]any{"x": 1, "y": 2},
		"b":     []any{map[string]any{"x": 1, "z": 3}},
		"extra": true,
	}
	got := UndocumentedKeys(schema, doc)
	want := map[string]bool{".a.y": true, ".b[].z": true, ".extra": true}
	if len(got) != len(want) {
		t.Fatalf("undocumentedKeys = %v, want %v", got, want)
	}
	for _, k := range got {
		if !want[k] {
			t.Errorf("unexpected key %s in %v", k, got)
		}
	}
}
