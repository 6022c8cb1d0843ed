package baseline

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/loadgate/loadgate/loadtest"
)

const schemaPath = "../schema/baseline.v1.json"

// goldenBaseline is a baseline covering every field, recorded from fixed
// results, so that the golden file shows the whole v1 layout.
func goldenBaseline(t *testing.T) *Baseline {
	t.Helper()
	r1, r2 := result("checkout", time.Millisecond, 1), result("checkout", 1100*time.Microsecond, 2)
	r2.Phases = map[string]loadtest.Latency{"ttfb": {Count: 1000, P50NS: 800000, P99NS: 1500000}, "connect": {Count: 0}}
	r2.Stopped = &loadtest.Stop{Cause: "gate", Stage: "peak", Reason: "p95 = 3ms, want < 2ms"}
	b := &Baseline{
		Schema: SchemaVersion, Scenario: "checkout", Package: "example.com/shop", Test: "TestLoad",
		UpdateID: "pid42-20261123T010203Z-0123456789ab", Recorded: time.Date(2026, 11, 23, 1, 2, 5, 0, time.UTC),
		Commit: "0123456789abcdef0123456789abcdef01234567", Env: testEnv,
	}
	for _, r := range []*loadtest.Result{r1, r2} {
		b.Runs = append(b.Runs, RunOf(r))
		if err := mergeLatency(&b.Latency, &r.Latency); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// TestBaselineGolden guards the JSON layout of schema loadgate.baseline/v1:
// a change to it must be deliberate (go test -update) and show in review.
func TestBaselineGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkout.json")
	if err := Save(path, goldenBaseline(t)); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "baseline.golden.json", got)
	validate(t, got)

	b, err := Parse(got, "golden")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(goldenBaseline(t), b, cmpopts.IgnoreUnexported(loadtest.Latency{})); diff != "" {
		t.Errorf("baseline does not survive a round trip (-saved +parsed):\n%s", diff)
	}
	if b.Latency.Count != 2000 {
		t.Errorf("merged latency counts %d requests, want 2000", b.Latency.Count)
	}
}

// TestBaselineSchemaOfRealRecord records real runs, one of them over HTTP
// with phases, and checks the file against the schema.
func TestBaselineSchemaOfRealRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("runs load")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	path := Path(t.TempDir(), "schema check")
	for _, target := range []loadtest.Target{
		loadtest.Func(func(ctx context.Context) error { return nil }),
		loadtest.Mix(loadtest.Request{URL: srv.URL}),
	} {
		res := loadtest.Run(t, loadtest.Scenario{
			Name: "schema check", Target: target,
			Load: loadtest.Rate(200).For(300 * time.Millisecond),
		})
		if res == nil {
			t.FailNow()
		}
		if _, err := Record(path, "session", res); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, data)
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Runs) != 2 || b.Runs[1].Phases["ttfb"].Count == 0 {
		t.Errorf("runs %+v, want 2, the second with HTTP phases", b.Runs)
	}
}

func validate(t *testing.T, doc []byte) {
	t.Helper()
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
		t.Errorf("baseline does not match %s: %v", schemaPath, err)
	}
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	var v any
	_ = json.Unmarshal(doc, &v)
	for _, key := range undocumentedKeys(schema, schema, v, "") {
		t.Errorf("key %s is written but not documented in %s", key, schemaPath)
	}
}

// undocumentedKeys lists the object keys of v that the schema node does not
// declare in its properties (following local $refs, items and
// additionalProperties). It is loadtest's schema test helper.
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
