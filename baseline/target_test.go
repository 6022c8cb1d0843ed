package baseline

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCompareRefusesOtherLoads (issue 14): runs sent to another target, or
// at another LOADGATE_SCALE or LOADGATE_RATE_SCALE, are not compared: the
// comparison is an error naming both values, not a regression.
func TestCompareRefusesOtherLoads(t *testing.T) {
	const staging = "https://staging.example.com"
	tests := []struct {
		name       string
		base, head func(*Sample)
		wantErr    error
		want       []string
	}{
		{name: "same target", base: target(staging), head: target(staging)},
		{name: "unscaled recorded as 0 or 1", base: func(s *Sample) { s.Env.RateScale = 1 }, head: func(*Sample) {}},
		{name: "target against own server", base: func(*Sample) {}, head: target(staging), wantErr: ErrTargetMismatch,
			want: []string{"the baseline ran against a server its test started itself (no LOADGATE_TARGET)", "the head against LOADGATE_TARGET=" + staging}},
		{name: "two targets", base: target("http://127.0.0.1:8080"), head: target(staging), wantErr: ErrTargetMismatch,
			want: []string{"LOADGATE_TARGET=http://127.0.0.1:8080", "LOADGATE_TARGET=" + staging, "loadgate run -baselines"}},
		{name: "scale", base: func(*Sample) {}, head: func(s *Sample) { s.Env.Scale = 0.1 }, wantErr: ErrScaleMismatch,
			want: []string{"the baseline ran at LOADGATE_SCALE=1", "the head at LOADGATE_SCALE=0.1"}},
		{name: "rate scale", base: func(s *Sample) { s.Env.RateScale = 0.5 }, head: func(s *Sample) { s.Env.RateScale = 2 }, wantErr: ErrScaleMismatch,
			want: []string{"the baseline ran at LOADGATE_RATE_SCALE=0.5", "the head at LOADGATE_RATE_SCALE=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, head := sampleP99("baseline", 10, 10, 10), sampleP99("head", 30, 30, 30)
			tt.base(&base)
			tt.head(&head)
			c, err := (&Judge{}).Compare(base, head)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Compare: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || c != nil {
				t.Fatalf("Compare = %v, %v; want no comparison and %v", c, err, tt.wantErr)
			}
			for _, w := range append(tt.want, "scenario checkout: ") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func target(url string) func(*Sample) { return func(s *Sample) { s.Env.Target = url } }

// TestSampleOfRefusesMixedLoads (issue 14): one sample does not mix runs
// of two targets or scales.
func TestSampleOfRefusesMixedLoads(t *testing.T) {
	a, b := result("checkout", time.Millisecond, 1), result("checkout", time.Millisecond, 2)
	b.Env.Target = "http://127.0.0.1:8080"
	if _, err := SampleOf(a, b); !errors.Is(err, ErrTargetMismatch) || !strings.Contains(err.Error(), "the result 2 against LOADGATE_TARGET=http://127.0.0.1:8080") {
		t.Errorf("SampleOf of two targets: %v, want %v naming the second", err, ErrTargetMismatch)
	}
	b.Env.Target, b.Env.Scale = "", 0.5
	if _, err := SampleOf(a, b); !errors.Is(err, ErrScaleMismatch) {
		t.Errorf("SampleOf of two scales: %v, want %v", err, ErrScaleMismatch)
	}
}

// TestRecordKeepsTarget (issue 14): a baseline stores its runs' target
// and scales, and a session does not add runs of another target to it.
func TestRecordKeepsTarget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkout.json")
	a := result("checkout", time.Millisecond, 1)
	a.Env.Target, a.Env.RateScale = "http://127.0.0.1:8080", 0.5
	b, err := Record(path, "session", a)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Env.Target != a.Env.Target || loaded.Env.Target != a.Env.Target || loaded.Env.RateScale != 0.5 {
		t.Errorf("recorded env %+v, loaded %+v; want target %s at rate scale 0.5", b.Env, loaded.Env, a.Env.Target)
	}
	other := result("checkout", time.Millisecond, 2)
	if _, err := Record(path, "session", other); !errors.Is(err, ErrTargetMismatch) {
		t.Errorf("adding a run of another target to the session: %v, want %v", err, ErrTargetMismatch)
	}
	if after, _ := Load(path); after == nil || len(after.Runs) != 1 {
		t.Errorf("the baseline changed after a refused run: %+v", after)
	}
	// A new session replaces the baseline, with its own target.
	if b, err := Record(path, "another session", other); err != nil || b.Env.Target != "" {
		t.Errorf("a new session: %v, target %q; want the runs recorded without a target", err, b.Env.Target)
	}
}

// TestOldBaselineLoads (issue 14): a baseline written before target and
// rate_scale existed loads, as one of unscaled runs against the test's own
// server, and compares with such runs.
func TestOldBaselineLoads(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "baseline.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	env := doc["env"].(map[string]any)
	if env["target"] == nil || env["rate_scale"] == nil {
		t.Fatalf("the golden baseline has no target or rate_scale to leave out: %v", env)
	}
	delete(env, "target")
	delete(env, "rate_scale")
	// The golden file hides its histogram; an old file has none either.
	doc["latency"].(map[string]any)["hdr"] = ""
	old, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(old, "old.json")
	if err != nil {
		t.Fatal(err)
	}
	if b.Env.Target != "" || b.Env.RateScale != 0 {
		t.Errorf("old baseline env %+v, want no target and no rate scale", b.Env)
	}
	head, err := SampleOf(result("checkout", time.Millisecond, 7))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compare(b.Sample(), head, DefaultPolicy); err != nil {
		t.Errorf("comparing with an old baseline: %v", err)
	}
}

// TestCheckRefusesOtherTarget (issue 14): baseline.Check of a run against
// another target than its baseline's fails the test with the reason, and
// reports no regression.
func TestCheckRefusesOtherTarget(t *testing.T) {
	t.Setenv(EnvUpdate, "")
	t.Setenv(EnvPooled, "")
	dir := t.TempDir()
	if _, err := Record(Path(dir, "checkout"), "session", result("checkout", time.Millisecond, 1)); err != nil {
		t.Fatal(err)
	}
	res := result("checkout", 3*time.Millisecond, 2)
	res.Env.Target = "http://127.0.0.1:8080"
	ft := &fakeTB{}
	c := Check(ft, res, WithDir(dir), WithRuns(1))
	if c != nil || len(ft.errors) != 1 {
		t.Fatalf("Check = %v, reported:\n%s\nwant no comparison and one error", c, ft.text())
	}
	for _, want := range []string{"target mismatch", "no LOADGATE_TARGET", "LOADGATE_TARGET=http://127.0.0.1:8080"} {
		if !strings.Contains(ft.errors[0], want) {
			t.Errorf("error %q does not say %q", ft.errors[0], want)
		}
	}
	if strings.Contains(ft.errors[0], "regressed") {
		t.Errorf("error %q reports a regression", ft.errors[0])
	}
}
