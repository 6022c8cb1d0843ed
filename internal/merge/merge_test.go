package merge

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/google/go-cmp/cmp"

	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/internal/schematest"
	"github.com/loadgate/loadgate/loadtest"
)

// shards makes the n shard results of one synthetic run, and every
// latency they measured.
func shards(n int, tweak func(*fixture.ShardFake)) ([]File, []time.Duration) {
	var files []File
	var all []time.Duration
	for i := 1; i <= n; i++ {
		f := fixture.ShardFake{Scenario: "checkout", Index: i, Count: n, Commit: "0123456789abcdef"}
		if tweak != nil {
			tweak(&f)
		}
		f.Latencies = fixture.Draw(uint64(i), f.Sends())
		all = append(all, f.Latencies...)
		files = append(files, File{Path: filepath.Join("shard-"+string(rune('0'+i)), "checkout.json"), Result: f.Result()})
	}
	return files, all
}

// TestMergeExact is the exact-merge property (issue 16): the merged
// latency is the histogram of every latency of every shard pooled, so its
// percentiles are the pooled percentiles within the histogram's precision;
// counts, error kinds and status codes add up; the rates are the whole
// load's.
func TestMergeExact(t *testing.T) {
	for _, n := range []int{1, 3, 4} {
		files, all := shards(n, nil)
		got, err := Merge(files, Options{})
		if err != nil {
			t.Fatal(err)
		}
		pooled := histo.New()
		for _, l := range all {
			_ = pooled.RecordValue(int64(l))
		}
		if want := loadtest.Latency(histo.Summarize(pooled, true)); got.Latency != want {
			t.Errorf("%d shards: merged latency %+v, want the pooled histogram's %+v", n, got.Latency, want)
		}
		sorted := slices.Clone(all)
		slices.Sort(sorted)
		for _, q := range []struct {
			name string
			q    float64
			got  int64
		}{{"p50", 0.50, got.Latency.P50NS}, {"p99", 0.99, got.Latency.P99NS}, {"p99.9", 0.999, got.Latency.P999NS}} {
			// The rank HdrHistogram reads a quantile at: q·n rounded,
			// at least the first.
			rank := max(int(q.q*float64(len(sorted))+0.5), 1)
			exact := float64(sorted[rank-1])
			if rel := math.Abs(float64(q.got)-exact) / exact; rel > 1e-3 {
				t.Errorf("%d shards: merged %s %v, pooled %v: %.4f%% apart, more than the histogram's 0.1%%", n, q.name, time.Duration(q.got), time.Duration(exact), 100*rel)
			}
		}
		if got.Requests != 1600 || got.Latency.Count != 1600 || got.Stages[0].Requests != 1600 {
			t.Errorf("%d shards: %d requests (latency %d, stage %d), want the whole load's 1600", n, got.Requests, got.Latency.Count, got.Stages[0].Requests)
		}
		var errs int64
		for _, f := range files {
			errs += f.Result.Errors
		}
		if got.Errors != errs || got.ErrorKinds["http_5xx"] != errs || got.StatusCodes["500"] != errs || got.StatusCodes["200"] != 1600-errs {
			t.Errorf("%d shards: errors %d, kinds %v, statuses %v; want %d failures", n, got.Errors, got.ErrorKinds, got.StatusCodes, errs)
		}
		if math.Abs(got.Rate-400) > 1e-9 || math.Abs(got.Stages[0].Rate-400) > 1e-9 {
			t.Errorf("%d shards: rate %g (stage %g), want 400/s", n, got.Rate, got.Stages[0].Rate)
		}
		var sent, done int64
		for _, s := range got.Timeline {
			sent += s.Sent
			done += s.Requests
			if s.Sent != 400 {
				t.Errorf("%d shards: second %d sent %d, want 400", n, s.Second, s.Sent)
			}
		}
		if sent != 1600 || done != 1600 || len(got.Timeline) != 4 {
			t.Errorf("%d shards: the timeline has %d seconds, %d sent, %d done; want 4, 1600, 1600", n, len(got.Timeline), sent, done)
		}
		if len(got.Shards) != n || got.Shards[n-1].Index != n || got.Runtime != (loadtest.RuntimeStats{}) || got.PacerLagMaxNS != int64(n)*10000 {
			t.Errorf("%d shards: breakdown %+v, runtime %+v, pacer lag %d", n, got.Shards, got.Runtime, got.PacerLagMaxNS)
		}
		if nr := got.ByName["home"].Requests + got.ByName["cart"].Requests; nr != 1600 {
			t.Errorf("%d shards: by name %d requests, want 1600", n, nr)
		}
		if got.Shard.Index != 0 || got.Shard.Count != n || got.Shard.Partial {
			t.Errorf("%d shards: shard %+v", n, got.Shard)
		}
	}
}

// TestMergeTimelineSeconds checks that the seconds of a timeline are
// merged by histogram: a merged second's p99 is that of the second's
// requests of every shard together.
func TestMergeTimelineSeconds(t *testing.T) {
	files, _ := shards(3, nil)
	got, err := Merge(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range got.Timeline {
		want := hdrhistogram.New(histo.Lowest, histo.Highest, 2)
		wantSvc := hdrhistogram.New(histo.Lowest, histo.Highest, 2)
		for _, f := range files {
			h, err := histo.Decode(f.Result.Timeline[i].HDR)
			if err != nil {
				t.Fatal(err)
			}
			want.Merge(h)
			h, err = histo.Decode(f.Result.Timeline[i].ServiceHDR)
			if err != nil {
				t.Fatal(err)
			}
			wantSvc.Merge(h)
		}
		if s.P99NS != want.ValueAtQuantile(99) || s.Requests != want.TotalCount() {
			t.Errorf("second %d: p99 %d of %d requests, want %d of %d", i, s.P99NS, s.Requests, want.ValueAtQuantile(99), want.TotalCount())
		}
		// The service time too (it was left out: the HTML report of a
		// sharded run drew no service time per second).
		if s.ServiceP99NS == 0 || s.ServiceP99NS != wantSvc.ValueAtQuantile(99) || s.ServiceP50NS != wantSvc.ValueAtQuantile(50) {
			t.Errorf("second %d: service p50 %d, p99 %d; want %d, %d", i, s.ServiceP50NS, s.ServiceP99NS, wantSvc.ValueAtQuantile(50), wantSvc.ValueAtQuantile(99))
		}
	}
	// A shard result written before seconds kept service times: the
	// merged seconds have none rather than a part of the shards'.
	files[1].Result.Timeline[0].ServiceHDR = ""
	got, err = Merge(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Timeline[0]; s.ServiceP99NS != 0 || got.Timeline[1].ServiceP99NS == 0 {
		t.Errorf("second 0 without one shard's service times: service p99 %d (want 0); second 1: %d", s.ServiceP99NS, got.Timeline[1].ServiceP99NS)
	}
}

// TestMergeAlignsWallClock checks that a shard that began a second late
// (no shared start) lands on the wall-clock seconds it ran in.
func TestMergeAlignsWallClock(t *testing.T) {
	files, _ := shards(2, func(f *fixture.ShardFake) {
		if f.Index == 2 {
			f.LateBy = time.Second
		}
	})
	got, err := Merge(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var sent []int64
	for _, s := range got.Timeline {
		sent = append(sent, s.Sent)
	}
	if want := []int64{200, 400, 400, 400, 200}; !slices.Equal(sent, want) {
		t.Errorf("sent per second %v, want %v", sent, want)
	}
	if got.DurationNS != int64(5*time.Second) || math.Abs(got.Rate-320) > 1e-9 {
		t.Errorf("duration %v, rate %g: want the common window, 5s, and 1600/5s", time.Duration(got.DurationNS), got.Rate)
	}
	// Its rate, 320/s of a planned 400/s, said nothing of why.
	const want = "out of step: the shards began their loads apart (shard 2 1s after shard 1): they sent together for 3s only"
	if len(got.Warnings) == 0 || !strings.HasPrefix(got.Warnings[0], want) {
		t.Errorf("warnings %q, want the first to start %q", got.Warnings, want)
	}
	// A share of the planned load, as a partial merge's: its counts and
	// rates are left unjudged, and it is never a baseline.
	if note := got.PartialNote(); note != "out of step: shard 2 1s after shard 1" {
		t.Errorf("PartialNote() = %q, want the late shard named", note)
	}
}

// TestMergeInStep: shards that kept LOADGATE_START_AT, whose loads began
// microseconds apart, or a few milliseconds for a shard a little late,
// merge without a warning of being out of step.
func TestMergeInStep(t *testing.T) {
	files, _ := shards(3, func(f *fixture.ShardFake) {
		f.LateBy = time.Duration(f.Index-1) * 40 * time.Millisecond
	})
	got, err := Merge(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range got.Warnings {
		if strings.Contains(w, "out of step") {
			t.Errorf("shards 40ms and 80ms late: %q", w)
		}
	}
	if note := got.PartialNote(); note != "" {
		t.Errorf("shards 40ms and 80ms late: PartialNote() = %q, want none", note)
	}
}

// TestMergeLateWithinAllowance checks that a shard whose load began as
// late as the others' runs and the start skew allowed still merges.
func TestMergeLateWithinAllowance(t *testing.T) {
	files, _ := shards(2, func(f *fixture.ShardFake) {
		if f.Index == 2 {
			f.LateBy = 4*time.Second + 100*time.Millisecond + loadtest.StartAtLate
		}
	})
	got, err := Merge(files, Options{})
	if err != nil {
		t.Fatalf("a shard that began its load 9.1s after the other's, which ran 4.1s: %v", err)
	}
	if want := "(shard 2 9.1s after shard 1): they never sent at the same time"; len(got.Warnings) == 0 || !strings.Contains(got.Warnings[0], want) {
		t.Errorf("warnings %q, want the first to say %q", got.Warnings, want)
	}
}

// TestMergeRefuses checks every refusal: each names the shard file and
// the field at fault (issue 16).
func TestMergeRefuses(t *testing.T) {
	coarse := func(r *loadtest.Result) {
		h := hdrhistogram.New(histo.Lowest, histo.Highest, 2)
		_ = h.RecordValue(1000)
		r.Latency = loadtest.Latency(histo.Summarize(h, true))
	}
	tests := []struct {
		name   string
		change func(files []File) []File
		want   []string
	}{
		{"different commits", func(f []File) []File { f[2].Result.Shard.Commit = "fedcba"; return f },
			[]string{"shard-3/checkout.json: shard.commit: commit fedcba, shard 1 (shard-1/checkout.json) ran commit 0123456789abcdef"}},
		{"different groups", func(f []File) []File { f[1].Result.Shard.Group = "other"; return f },
			[]string{"shard-2/checkout.json: shard.group: \"other\""}},
		{"different plans", func(f []File) []File { f[3].Result.Load.Stages[0].From = 300; return f },
			[]string{"shard-4/checkout.json: load.stages[0].from: 300, shard 1 (shard-1/checkout.json) planned 400"}},
		{"different rate scales", func(f []File) []File { f[1].Result.Env.RateScale = 0.5; return f },
			[]string{"shard-2/checkout.json: env.rate_scale: 0.5"}},
		{"different splits", func(f []File) []File { f[1].Result.Shard.Count = 3; return f },
			[]string{"shard-2/checkout.json: shard.count: shard 2 of 3"}},
		// Loads that began 73 years apart merged into "100 requests in
		// 2562047h47m16s".
		{"load starts apart", func(f []File) []File {
			f[1].Result.Shard.LoadStart = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
			return f
		}, []string{"shard-2/checkout.json: shard.load_start: 2099-01-01T00:00:00Z, shard 1 (shard-1/checkout.json) began its load at 2026-11-23T01:00:00Z", "these shards did not run together"}},
		{"load starts apart, the first shard's wrong", func(f []File) []File {
			f[0].Result.Shard.LoadStart = time.Time{}.Add(time.Hour)
			return f
		}, []string{"shard-2/checkout.json: shard.load_start: 2026-11-23T01:00:00Z, shard 1 (shard-1/checkout.json) began its load at 0001-01-01T01:00:00Z"}},
		{"load starts just too far apart", func(f []File) []File {
			f[3].Result.Shard.LoadStart = f[0].Result.Shard.LoadStart.Add(time.Duration(f[0].Result.Shard.BusyNS) + loadtest.StartAtLate + time.Millisecond)
			return f
		}, []string{"shard-4/checkout.json: shard.load_start:", "9.101s apart, more than the longer run (shard.busy_ns) plus the 5s"}},
		{"different scenarios", func(f []File) []File { f[1].Result.Scenario = "browse"; return f },
			[]string{"shard-2/checkout.json: scenario: \"browse\""}},
		{"histogram precision", func(f []File) []File { coarse(f[1].Result); return f },
			[]string{"shard-2/checkout.json: latency.hdr: 2 significant digits, shard 1 (shard-1/checkout.json) has 3"}},
		{"histogram missing", func(f []File) []File { f[2].Result.Stages[0].Latency.HDR = ""; return f },
			[]string{"shard-3/checkout.json: stages[0].latency.hdr: missing"}},
		{"missing shard", func(f []File) []File { return slices.Delete(f, 2, 3) },
			[]string{"scenario checkout: shard.index: shard 3 of 4 missing; have 1 (shard-1/checkout.json), 2 (shard-2/checkout.json), 4 (shard-4/checkout.json)", "-partial"}},
		{"duplicate shard", func(f []File) []File { return append(f, File{"again/checkout.json", f[1].Result}) },
			[]string{"again/checkout.json: shard.index: shard 2 of 4 again: shard-2/checkout.json is that shard too"}},
		{"the same file twice", func(f []File) []File { return append(f, f[0]) },
			[]string{"shard-1/checkout.json: shard.index: shard 1 of 4 again: shard-1/checkout.json is that shard too"}},
		// Shard 1 of another run was called "shard 1 of 3 again" before the
		// groups were compared.
		{"shard 1 of another run", func(f []File) []File {
			other := *f[0].Result
			sh := *other.Shard
			sh.Group = "start-20261123T020000.000Z-0123456789ab"
			other.Shard = &sh
			return append(f, File{"run-2/shard-1/checkout.json", &other})
		}, []string{"run-2/shard-1/checkout.json: shard.group: \"start-20261123T020000.000Z-0123456789ab\", shard 1 (shard-1/checkout.json) has \"start-20261123T010000.000Z-0123456789abcdef\": shards of different runs"}},
		{"not a shard", func(f []File) []File { f[0].Result.Shard = nil; return f },
			[]string{"shard-1/checkout.json: shard: not a shard's result"}},
		{"merged already", func(f []File) []File { f[0].Result.Shard.Index = 0; return f },
			[]string{"shard-1/checkout.json: shard.index: a merged result already"}},
	}
	// The Action names its own input for a partial merge (issue 16).
	t.Run("missing shard, the Action's words", func(t *testing.T) {
		files, _ := shards(4, nil)
		_, err := Merge(slices.Delete(files, 2, 3), Options{PartialHint: "partial: true"})
		if err == nil || !strings.Contains(err.Error(), "Merge what there is with partial: true: the result then says partial") {
			t.Errorf("err = %v, want it to name the Action's input", err)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, _ := shards(4, nil)
			_, err := Merge(tt.change(files), Options{})
			var ref *Refusal
			if !errors.As(err, &ref) {
				t.Fatalf("err = %v, want a *Refusal", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant it to say %q", err, w)
				}
			}
		})
	}
}

// TestMergePartial checks that -partial merges the shards there are and
// that the result says partial wherever it is read.
func TestMergePartial(t *testing.T) {
	files, _ := shards(4, nil)
	files = slices.Delete(files, 2, 3)
	got, err := Merge(files, Options{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Shard.Partial || !slices.Equal(got.Shard.Missing, []int{3}) || got.Requests != 1200 {
		t.Errorf("shard %+v, %d requests: want partial, shard 3 missing, 1200 requests", got.Shard, got.Requests)
	}
	if len(got.Warnings) == 0 || !strings.HasPrefix(got.Warnings[0], "partial: 3 of 4 shards merged, shard 3 missing") {
		t.Errorf("warnings %q: want the first to say partial", got.Warnings)
	}
	if s := loadtest.Summary(got); !strings.Contains(s, "PARTIAL: merged from 3 of 4 shards") {
		t.Errorf("the summary does not say partial:\n%s", s)
	}
}

// TestDo merges directories of shard results written as loadtest.Run
// writes them: several scenarios and runs, each merged on its own, and
// checks the merged results against the schema.
func TestDo(t *testing.T) {
	root := t.TempDir()
	var dirs []string
	for i := 1; i <= 3; i++ {
		dir := filepath.Join(root, "shard-"+string(rune('0'+i)))
		dirs = append(dirs, dir)
		for _, sc := range []string{"checkout", "browse"} {
			for run := 1; run <= 2; run++ {
				r := fixture.ShardFake{Scenario: sc, Index: i, Count: 3, Commit: "abc"}.Result()
				r.Shard.Run = run
				if _, err := loadtest.WriteFile(dir, r); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	got, err := Do(dirs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got {
		names = append(names, r.Scenario+"/"+string(rune('0'+r.Shard.Run)))
		if r.Requests != 1600 || len(r.Shards) != 3 {
			t.Errorf("%s run %d: %d requests from %d shards", r.Scenario, r.Shard.Run, r.Requests, len(r.Shards))
		}
	}
	if want := []string{"browse/1", "browse/2", "checkout/1", "checkout/2"}; !slices.Equal(names, want) {
		t.Errorf("merged %v, want %v", names, want)
	}
	out := t.TempDir()
	path, err := loadtest.WriteFile(out, got[0])
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "browse.json" {
		t.Errorf("merged result written to %s, want browse.json", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, "../../schema/result.v1.json", data)
	back, err := loadtest.ReadFile(path)
	if err != nil || back.Latency != got[0].Latency {
		t.Errorf("read back: %v", err)
	}

	// A refusal in one scenario refuses the whole set.
	if err := os.Remove(filepath.Join(dirs[1], "checkout.shard-2-of-3.2.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := Do(dirs, Options{}); err == nil || !strings.Contains(err.Error(), "scenario checkout: shard.index: shard 2 of 3 missing") {
		t.Errorf("err = %v, want shard 2 of checkout's run 2 missing", err)
	}
}

// TestGeneratorOf checks a merged result's generator (issue 21): the
// worst shard's figures, the counts added up, bound when one shard was,
// with the reason naming it.
func TestGeneratorOf(t *testing.T) {
	if g := generatorOf([]loadtest.ShardRun{{Index: 1}, {Index: 2}}); g != nil {
		t.Errorf("no shard measured its generator: %+v", g)
	}
	shards := []loadtest.ShardRun{
		{Index: 1, Generator: &loadtest.Generator{CPUs: 4, CPUShare: 0.3, Sends: 100, SendLagP90NS: 2e6, SendLagP99NS: 5e6, SchedLatencyP99NS: 2e5,
			Requests: 100, ConnWaits: 2, ConnWaitMaxNS: 3e6, Bound: true, Reasons: []string{"one send in ten left more than 1ms late (p90 2ms)"}}},
		{Index: 2},
		{Index: 3, Generator: &loadtest.Generator{CPUs: 2, CPUShare: 0.5, Sends: 100, SendLagP90NS: 5e4, SendLagP99NS: 1e5, SchedLatencyP99NS: 4e5, Requests: 100}},
	}
	got := generatorOf(shards)
	want := &loadtest.Generator{CPUs: 2, CPUShare: 0.5, Sends: 200, SendLagP90NS: 2e6, SendLagP99NS: 5e6, SchedLatencyP99NS: 4e5,
		Requests: 200, ConnWaits: 2, ConnWaitMaxNS: 3e6, Bound: true,
		Reasons: []string{"shard 1: one send in ten left more than 1ms late (p90 2ms)"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged generator (-want +got):\n%s", diff)
	}
	shards[0].Generator.Bound, shards[0].Generator.Reasons = false, nil
	if got := generatorOf(shards); got.Bound || got.Reasons != nil {
		t.Errorf("no shard bound: %+v", got)
	}
}

// TestMergeNamesBounded: a name a shard counted under loadtest.OtherNames
// (past its loadtest.MaxNames) is counted there in the merged result too,
// and the merged result keeps at most loadtest.MaxNames names, as one run
// does. The merge kept such a name apart with only the other shards'
// requests (a p99 and an error rate of a part of them), and N shards gave
// up to N times MaxNames names.
func TestMergeNamesBounded(t *testing.T) {
	requests := func(r *loadtest.Result) (n int64) {
		for _, nr := range r.ByName {
			n += nr.Requests
		}
		return n
	}
	t.Run("folded by a shard", func(t *testing.T) {
		files, _ := shards(2, nil)
		// Shard 2 met cart past its bound: its requests are under OtherNames.
		by := files[1].Result.ByName
		by[loadtest.OtherNames] = by["cart"]
		delete(by, "cart")
		got, err := Merge(files, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := got.ByName["cart"]; ok || got.ByName["home"].Requests != files[0].Result.ByName["home"].Requests+by["home"].Requests {
			t.Errorf("by name %v: want cart counted under %q, as shard 2 counted it, and home whole", slices.Sorted(maps.Keys(got.ByName)), loadtest.OtherNames)
		}
		if o := got.ByName[loadtest.OtherNames]; o.Requests != files[0].Result.ByName["cart"].Requests+by[loadtest.OtherNames].Requests || o.Latency.Count != o.Requests {
			t.Errorf("%q: %d requests (latency of %d), want both shards' cart", loadtest.OtherNames, o.Requests, o.Latency.Count)
		}
		if requests(got) != got.Requests {
			t.Errorf("%d requests by name, want the run's %d", requests(got), got.Requests)
		}
		if w := strings.Join(got.Warnings, "\n"); !strings.Contains(w, `1 name ("cart") counted together as "(other names)"`) {
			t.Errorf("warnings %q, want one naming cart", got.Warnings)
		}
	})
	t.Run("more than MaxNames across shards", func(t *testing.T) {
		files, _ := shards(2, nil)
		for i, f := range files {
			home := f.Result.ByName["home"]
			for j := range loadtest.MaxNames - 2 { // each shard within its bound
				nr := home
				nr.Requests = int64(j + 1)
				nr.Latency = loadtest.Latency{}
				f.Result.ByName[fmt.Sprintf("shard%d-item%03d", i+1, j)] = nr
			}
		}
		got, err := Merge(files, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.ByName) != loadtest.MaxNames+1 || got.ByName["home"].Requests == 0 || got.ByName["cart"].Requests == 0 {
			t.Errorf("%d names, want the %d busiest (home and cart among them) and %q", len(got.ByName), loadtest.MaxNames, loadtest.OtherNames)
		}
		var want int64
		for _, f := range files {
			want += requests(f.Result)
		}
		if requests(got) != want {
			t.Errorf("%d requests by name, want the shards' %d", requests(got), want)
		}
	})
}

// TestMergeNamesServiceAndMessages: a merged name keeps its service time
// and, for a gRPC stream's messages, their counts, as one run's does; the
// merge left both out (a merged stream's by_name had no messages, and
// every name a service time of zero requests).
func TestMergeNamesServiceAndMessages(t *testing.T) {
	files, _ := shards(2, nil)
	var want loadtest.Messages
	var requests int64
	for i, f := range files {
		for name, nr := range f.Result.ByName {
			nr.ServiceTime = nr.Latency
			if name == "cart" {
				nr.Messages = &loadtest.Messages{Sent: int64(i + 1), Received: 2, SentBytes: 10, ReceivedBytes: int64(20 * (i + 1))}
				want.Sent, want.Received = want.Sent+nr.Messages.Sent, want.Received+nr.Messages.Received
				want.SentBytes, want.ReceivedBytes = want.SentBytes+nr.Messages.SentBytes, want.ReceivedBytes+nr.Messages.ReceivedBytes
				requests += nr.Requests
			}
			f.Result.ByName[name] = nr
		}
	}
	got, err := Merge(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cart := got.ByName["cart"]
	if cart.ServiceTime.Count != requests || cart.ServiceTime.P99NS != cart.Latency.P99NS {
		t.Errorf("cart's service time %+v, want that of its %d requests", cart.ServiceTime, requests)
	}
	if cart.Messages == nil || *cart.Messages != want {
		t.Errorf("cart's messages %+v, want %+v", cart.Messages, want)
	}
	if home := got.ByName["home"]; home.Messages != nil {
		t.Errorf("home's messages %+v, want none: it had none", home.Messages)
	}
}

// TestReadNamesSubdirectories: a directory of the shards' artifacts as
// gh run download or actions/download-artifact lay them out (one
// directory per shard, results one level further down) was refused with
// "no result files (*.json) in the directory" alone, and the user did not
// learn that the merge reads no subdirectory, nor which to give.
func TestReadNamesSubdirectories(t *testing.T) {
	root := t.TempDir()
	for i := 1; i <= 5; i++ {
		r := fixture.ShardFake{Scenario: "checkout", Index: i, Count: 5, Commit: "abc"}.Result()
		if _, err := loadtest.WriteFile(filepath.Join(root, fmt.Sprintf("loadgate-shard-%d", i), "head"), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "empty", "a", "b", "c", "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Read(root)
	want := fmt.Sprintf("%s: no result files (*.json) in the directory, whose subdirectories are not read; %s %s %s %s and 1 more hold result files: give them",
		root, filepath.Join(root, "loadgate-shard-1", "head"), filepath.Join(root, "loadgate-shard-2", "head"),
		filepath.Join(root, "loadgate-shard-3", "head"), filepath.Join(root, "loadgate-shard-4", "head"))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v\nwant it to say %q", err, want)
	}
	empty := filepath.Join(root, "empty")
	if _, err := Read(empty); err == nil || err.Error() != empty+": no result files (*.json) in the directory" {
		t.Errorf("err = %v, want no result files, and no subdirectory named", err)
	}
}

// TestMergeLoadgateVersions: shards built with different versions of
// loadgate (env.loadgate; their commits may agree, or be unknown alike)
// merged without a word, and the merged env.loadgate named shard 1's as
// if every shard had run it; the machines' warning leaves the version out.
func TestMergeLoadgateVersions(t *testing.T) {
	files, _ := shards(3, nil)
	for i, v := range []string{"v0.1.0", "v0.1.0", "v0.2.0"} {
		files[i].Result.Env.Loadgate = v
	}
	got, err := Merge(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "the shards ran different versions of loadgate (shard 1 loadgate v0.1.0; shard 3 loadgate v0.2.0): they may not measure alike, and the merged env.loadgate names shard 1's"
	if !slices.Contains(got.Warnings, want) {
		t.Errorf("warnings %q\nwant %q", got.Warnings, want)
	}
	files, _ = shards(3, nil)
	for i := range files {
		files[i].Result.Env.Loadgate = "v0.1.0"
	}
	if got, err := Merge(files, Options{}); err != nil || len(got.Warnings) != 0 {
		t.Errorf("one version: warnings %q, err %v; want none", got.Warnings, err)
	}
}

// TestMergeUnknownCommit: shards that all recorded no commit (an image
// built without COMMIT, a test binary without a VCS stamp and no git)
// merged without a word, though the merge could not check that they ran
// the same code.
func TestMergeUnknownCommit(t *testing.T) {
	files, _ := shards(3, nil)
	for i := range files {
		files[i].Result.Shard.Commit = ""
	}
	got, err := Merge(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(got.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "no shard knew the commit it ran") && strings.Contains(w, "LOADGATE_COMMIT")
	}) {
		t.Errorf("warnings %q, want one that no commit was known, naming LOADGATE_COMMIT", got.Warnings)
	}
}
