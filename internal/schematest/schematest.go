// Package schematest checks JSON documents against the repository's JSON
// Schema files in tests: valid, and with every key documented.
package schematest

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validate fails t unless doc is valid under the schema at schemaPath and
// the schema documents every key doc has (a new field must be described
// before it ships). schemaPath may end in a fragment naming a part of the
// file, "compare.v1.json#/$defs/comparison", for a document that part
// describes.
func Validate(t testing.TB, schemaPath string, doc []byte) {
	t.Helper()
	file, fragment, _ := strings.Cut(schemaPath, "#")
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("compiling %s: %v", schemaPath, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("document does not match %s: %v", schemaPath, err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	var v any
	_ = json.Unmarshal(doc, &v)
	node := schema
	if fragment != "" {
		if node = resolve(schema, "#"+fragment); node == nil {
			t.Fatalf("%s: no %s in the schema", schemaPath, fragment)
		}
	}
	for _, key := range undocumentedKeys(schema, node, v, "") {
		t.Errorf("key %s is written but not documented in %s", key, schemaPath)
	}
}

// UndocumentedKeys lists the object keys of doc that the schema does not
// declare in its properties (following local $refs, items and
// additionalProperties).
func UndocumentedKeys(schema map[string]any, doc any) []string {
	return undocumentedKeys(schema, schema, doc, "")
}

func undocumentedKeys(root, node map[string]any, v any, path string) []string {
	if ref, ok := node["$ref"].(string); ok {
		target := resolve(root, ref)
		if target == nil {
			return []string{path + " ($ref " + ref + " not found)"}
		}
		return undocumentedKeys(root, target, v, path)
	}
	var out []string
	switch v := v.(type) {
	case map[string]any:
		props, _ := node["properties"].(map[string]any)
		extra, _ := node["additionalProperties"].(map[string]any)
		for k, child := range v {
			if p, ok := props[k].(map[string]any); ok {
				out = append(out, undocumentedKeys(root, p, child, path+"."+k)...)
			} else if extra != nil {
				out = append(out, undocumentedKeys(root, extra, child, path+"."+k)...)
			} else {
				out = append(out, path+"."+k)
			}
		}
	case []any:
		if items, ok := node["items"].(map[string]any); ok {
			for _, child := range v {
				out = append(out, undocumentedKeys(root, items, child, path+"[]")...)
			}
		}
	}
	return out
}

func resolve(root map[string]any, ref string) map[string]any {
	node := root
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		node, _ = node[part].(map[string]any)
	}
	return node
}
