package baseline

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// TestNewErrorKinds: the kinds of error the head had and no base run did
// are named, most requests first, in Comparison.NewErrorKinds, a warning
// and the JSON, whatever the verdict (the error rate decides it); from a
// stored baseline too, whose runs keep their kinds; and nothing is said
// when the base's runs do not say their kinds.
func TestNewErrorKinds(t *testing.T) {
	base, head := results(5, time.Millisecond), results(5, time.Millisecond)
	for i, r := range base {
		r.Errors, r.ErrorRate, r.Throughput = 10, 0.01, 990
		r.ErrorKinds = map[string]int64{"http_503": 10}
		head[i].Errors, head[i].ErrorRate, head[i].Throughput = 10, 0.01, 990
		head[i].ErrorKinds = map[string]int64{"http_503": 8, "timeout": 2}
	}
	head[4].ErrorKinds = map[string]int64{"http_503": 9, "refused": 1}
	c, err := CompareRuns(base, head, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"timeout", "refused"}
	if !slices.Equal(c.NewErrorKinds, want) {
		t.Errorf("NewErrorKinds = %+v, want %+v", c.NewErrorKinds, want)
	}
	const warning = "errors of kinds none of the base's 5 runs had: timeout (8 requests, in 4 of 5 head runs), refused (1, in 1)"
	if !slices.ContainsFunc(c.Warnings, func(w error) bool { return w.Error() == warning }) {
		t.Errorf("warnings %q lack %q", c.Warnings, warning)
	}
	var doc struct {
		NewErrorKinds []string `json:"new_error_kinds"`
	}
	var b strings.Builder
	if err := c.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil || !slices.Equal(doc.NewErrorKinds, want) {
		t.Errorf("JSON new_error_kinds = %+v (%v), want %+v", doc.NewErrorKinds, err, want)
	}

	// A stored baseline keeps each run's kinds, through its file.
	stored := Baseline{Schema: SchemaVersion, Scenario: "checkout", Env: testEnv}
	for _, r := range base {
		stored.Runs = append(stored.Runs, RunOf(r))
	}
	data, err := encode(&stored)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data, "checkout.json")
	if err != nil {
		t.Fatal(err)
	}
	headSample, err := SampleOf(head...)
	if err != nil {
		t.Fatal(err)
	}
	c, err = Compare(back.Sample(), headSample, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.NewErrorKinds, want) {
		t.Errorf("from a stored baseline: NewErrorKinds = %+v, want %+v", c.NewErrorKinds, want)
	}

	// Recorded before runs kept their kinds: errors of unknown kinds.
	old := back.Sample()
	for i := range old.Runs {
		old.Runs[i].ErrorKinds = nil
	}
	if c, err = Compare(old, headSample, Policy{}); err != nil || c.NewErrorKinds != nil {
		t.Errorf("a base without kinds: NewErrorKinds = %+v (%v), want none", c.NewErrorKinds, err)
	}
	for _, w := range c.Warnings {
		if strings.Contains(w.Error(), "errors of kinds") {
			t.Errorf("a base without kinds warns %q", w)
		}
	}
}

// TestStoredErrorKinds: a run keeps its MaxStoredErrorKinds most frequent
// kinds, and a baseline whose run claims a kind with no request, or more
// than it sent, is refused, naming the field.
func TestStoredErrorKinds(t *testing.T) {
	kinds := map[string]int64{}
	for i := range MaxStoredErrorKinds + 5 {
		kinds["kind"+string(rune('a'+i))] = int64(i + 1)
	}
	got := storedErrorKinds(kinds)
	if len(got) != MaxStoredErrorKinds || got["kinda"] != 0 || got["kind"+string(rune('a'+MaxStoredErrorKinds+4))] != MaxStoredErrorKinds+5 {
		t.Errorf("storedErrorKinds kept %v, want the %d most frequent", got, MaxStoredErrorKinds)
	}
	r := result("checkout", time.Millisecond, 1)
	r.Errors, r.ErrorRate, r.Throughput, r.ErrorKinds = 5, 0.005, 995, map[string]int64{"timeout": 5}
	b := Baseline{Schema: SchemaVersion, Scenario: "checkout", Env: testEnv, Runs: []Run{RunOf(r)}}
	b.Runs[0].ErrorKinds["timeout"] = 0
	if err := b.validate(); err == nil || !strings.Contains(err.Error(), "run 1: error_kinds.timeout = 0: want 1 to requests = 1000") {
		t.Errorf("a kind of 0 requests: %v", err)
	}
}

// TestNewErrorKindsBeyondStored: a run keeps only its MaxStoredErrorKinds
// most frequent kinds, so a kind the base had among its rarer ones is not
// new: compared from results, which hold every kind, it was called new
// all the same; from a stored baseline whose runs kept only some of their
// kinds, the kinds it lost are unknown, and nothing is said.
func TestNewErrorKindsBeyondStored(t *testing.T) {
	many := func(rare string) map[string]int64 {
		kinds := map[string]int64{}
		for i := range MaxStoredErrorKinds {
			kinds[fmt.Sprintf("check_%02d", i)] = 10
		}
		kinds[rare] = 1
		return kinds
	}
	base, head := results(5, time.Millisecond), results(5, time.Millisecond)
	for i := range base {
		for _, r := range []*loadtest.Result{base[i], head[i]} {
			r.Errors, r.ErrorRate, r.Throughput = 201, 0.201, 799
		}
		base[i].ErrorKinds = many("check_zz")
		// The head's kinds are the base's, check_zz more often.
		head[i].ErrorKinds = many("check_zz")
		head[i].ErrorKinds["check_zz"], head[i].ErrorKinds["check_00"] = 10, 1
	}
	c, err := CompareRuns(base, head, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if c.NewErrorKinds != nil {
		t.Errorf("from results: NewErrorKinds = %v, want none (every base run had check_zz)", c.NewErrorKinds)
	}

	stored := Baseline{Schema: SchemaVersion, Scenario: "checkout", Env: testEnv}
	for _, r := range base {
		stored.Runs = append(stored.Runs, RunOf(r))
	}
	headSample, err := SampleOf(head...)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = Compare(stored.Sample(), headSample, Policy{}); err != nil || c.NewErrorKinds != nil {
		t.Errorf("from a stored baseline that kept %d of 21 kinds: NewErrorKinds = %v (%v), want none", MaxStoredErrorKinds, c.NewErrorKinds, err)
	}
}
