package baseline

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/schematest"
	"github.com/loadgate/loadgate/loadtest"
)

// TestSLABreachNamesItsLine: a breach of an SLA file's rule ends with the
// file and line that hold it, in the comparison and in CheckSLA, so that
// the rule to change is found in a file of many sections; a policy's own
// expression names none.
func TestSLABreachNamesItsLine(t *testing.T) {
	dir := t.TempDir()
	sla := filepath.Join(dir, "loadgate.sla")
	if err := os.WriteFile(sla, []byte("error_rate < 1%\n\n[checkout]\np99 < 1ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	schema, err := filepath.Abs("../schema/compare.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	j, err := LoadJudge("", "loadgate.sla")
	if err != nil {
		t.Fatal(err)
	}
	j.Policy.SLA = []string{"p50 < 1us"}
	var runs []*loadtest.Result
	for i := range uint64(5) {
		runs = append(runs, result("checkout", 2*time.Millisecond, i))
	}
	outs, err := j.CheckSLA("checkout", runs)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		switch {
		case o.Expr == "p99 < 1ms" && !strings.HasSuffix(o.Message, "over); loadgate.sla:4"):
			t.Errorf("breach of the file's rule: %q, want it to end naming loadgate.sla:4", o.Message)
		case o.Expr == "p50 < 1us" && strings.Contains(o.Message, "loadgate.sla"):
			t.Errorf("breach of the policy's expression: %q, want no file named", o.Message)
		case o.Pass && strings.Contains(o.Message, "loadgate.sla"):
			t.Errorf("a rule that held: %q, want no file named", o.Message)
		}
		want := map[string]string{"p99 < 1ms": "loadgate.sla:4", "error_rate < 1%": "loadgate.sla:1"}[o.Expr]
		if o.Where != want {
			t.Errorf("%s: Where = %q, want %q (pass or fail)", o.Expr, o.Where, want)
		}
	}
	s, err := SampleOf(runs...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := j.Compare(s, s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(c.Reasons, func(r string) bool { return strings.HasSuffix(r, "; loadgate.sla:4") }) {
		t.Errorf("the comparison's reasons %q do not name loadgate.sla:4", c.Reasons)
	}
	// A tool reading the JSON finds the line without parsing the sentence.
	var js strings.Builder
	if err := c.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"where": "loadgate.sla:4"`) {
		t.Errorf("the comparison's JSON does not say where the breached rule is:\n%s", js.String())
	}
	schematest.Validate(t, schema+"#/$defs/comparison", []byte(js.String()))
}

// TestSLABreachNamesItsLineFromAbsolutePath: an SLA file given by its
// absolute path (as loadgate run and the Action hand it on) is named from
// the working directory below which it is. On Windows the breach kept the
// absolute path ("C:\\…\\loadgate.sla:4"): the relative name was taken
// of the file and line together, and filepath.IsLocal refuses a colon.
func TestSLABreachNamesItsLineFromAbsolutePath(t *testing.T) {
	dir := t.TempDir()
	sla := filepath.Join(dir, "loadgate.sla")
	if err := os.WriteFile(sla, []byte("error_rate < 1%\n\n[checkout]\np99 < 1ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	j, err := LoadJudge("", sla)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := j.CheckSLA("checkout", []*loadtest.Result{result("checkout", 2*time.Millisecond, 1)})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if o.Expr == "p99 < 1ms" && !strings.HasSuffix(o.Message, "over); loadgate.sla:4") {
			t.Errorf("breach of the file's rule: %q, want it to end naming loadgate.sla:4", o.Message)
		}
	}
}

// TestCheckComparisonNamesSLALine: the comparison baseline.Check makes of
// the pooled runs names the SLA file's line of a breach, as its check of
// each run does. It judged with the policy alone, whose breaches named no
// file.
func TestCheckComparisonNamesSLALine(t *testing.T) {
	dir := t.TempDir()
	for i := range 5 {
		Check(&fakeTB{}, result("checkout", time.Millisecond, uint64(i)), WithDir(dir), WithUpdate(true), WithUpdateID("u1"), WithRuns(5))
	}
	sla := filepath.Join(t.TempDir(), "sla.txt")
	if err := os.WriteFile(sla, []byte("[checkout]\np99 < 1ms\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(sla))
	t.Setenv(EnvSLA, sla)
	var c *Comparison
	tb := &fakeTB{}
	for i := range 5 {
		c = Check(tb, result("checkout", time.Millisecond, uint64(100+i)), WithDir(dir), WithUpdate(false), WithRuns(5))
	}
	if c == nil || !slices.ContainsFunc(c.Reasons, func(r string) bool { return strings.HasSuffix(r, "; sla.txt:2") }) {
		t.Errorf("the comparison's reasons do not name sla.txt:2: %v\n%s", c, tb.text())
	}
}
