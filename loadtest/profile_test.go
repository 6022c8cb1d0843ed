package loadtest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/pprof/profile"

	"github.com/loadgate/loadgate/loadtest"
)

func TestParseProfile(t *testing.T) {
	tests := []struct {
		name    string
		give    string
		want    loadtest.Profile
		wantStr string
		wantErr string
	}{
		{name: "blank", give: " ", want: loadtest.Profile{}},
		{name: "one", give: "cpu", want: loadtest.Profile{CPU: true}, wantStr: "cpu"},
		{name: "list with spaces and case", give: "Heap, cpu,,mutex", want: loadtest.Profile{CPU: true, Heap: true, Mutex: true}, wantStr: "cpu,heap,mutex"},
		{name: "all", give: "all", want: loadtest.Profile{CPU: true, Heap: true, Goroutine: true, Mutex: true, Block: true}, wantStr: "cpu,heap,goroutine,mutex,block"},
		{name: "unknown", give: "cpu,trace", wantErr: `unknown profile "trace"`},
		{name: "a start kind is not asked for", give: "heap-start", wantErr: `unknown profile "heap-start"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadtest.ParseProfile(tt.give)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseProfile(%q) = %v, want an error containing %q", tt.give, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseProfile(%q) = %+v, want %+v", tt.give, got, tt.want)
			}
			if s := got.String(); s != tt.wantStr {
				t.Errorf("String() = %q, want %q", s, tt.wantStr)
			}
		})
	}
}

// loadStarted is a Watcher (not a ProfilingWatcher, so the test process is
// profiled) that tells the target when the measured load started.
type loadStarted struct{ measured atomic.Bool }

func (w *loadStarted) Start(context.Context) error { return nil }
func (w *loadStarted) LoadStarted(time.Time)       { w.measured.Store(true) }
func (w *loadStarted) LoadEnded(time.Time)         {}
func (w *loadStarted) Stop() *loadtest.ServerStats { return nil }

var _ loadtest.Watcher = (*loadStarted)(nil)

// The functions the target of TestProfileWindow burns CPU and allocates
// in, during the warm-up and during the measured load.
//
//go:noinline
func warmupWork() { burn(200) }

//go:noinline
func loadWork() { burn(200) }

var sink atomic.Pointer[[]byte]

//go:noinline
func burn(rounds int) {
	buf := make([]byte, 4096)
	for range rounds {
		s := sha256.Sum256(buf)
		copy(buf, s[:])
	}
	sink.Store(&buf)
}

// TestProfileWindow checks that the profiles of a run in the test process
// cover the measured load and not the warm-up, open with the pprof
// library (as go tool pprof does), are written next to the result, and
// that the mutex rate is restored (issue 15).
func TestProfileWindow(t *testing.T) {
	w := &loadStarted{}
	prevMutex := runtime.SetMutexProfileFraction(-1)
	res, err := loadtest.Execute(t.Context(), loadtest.Scenario{
		Name: "profiled",
		Target: loadtest.Func(func(ctx context.Context) error {
			if w.measured.Load() {
				loadWork()
			} else {
				warmupWork()
			}
			return nil
		}),
		Load:     loadtest.Users(1).For(600 * time.Millisecond),
		Warmup:   300 * time.Millisecond,
		Watch:    w,
		CoolDown: time.Millisecond,
		Profile:  loadtest.Profile{CPU: true, Heap: true, Goroutine: true, Mutex: true, Block: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := runtime.SetMutexProfileFraction(-1); got != prevMutex {
		t.Errorf("mutex profile fraction after the run = %d, want %d as before it", got, prevMutex)
	}
	var kinds []string
	for _, p := range res.TakenProfiles() {
		kinds = append(kinds, p.Kind)
	}
	wantKinds := []string{"cpu", "heap", "heap-start", "goroutine", "mutex", "mutex-start", "block", "block-start"}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Fatalf("profiles taken (-want +got):\n%s\nwarnings: %q", diff, res.Warnings)
	}

	dir := t.TempDir()
	for n := range 2 {
		path, err := loadtest.WriteFile(dir, res)
		if err != nil {
			t.Fatal(err)
		}
		stem := "profiled"
		if n > 0 {
			stem = "profiled.2"
		}
		if want := filepath.Join(dir, stem+".json"); path != want {
			t.Errorf("written to %s, want %s", path, want)
		}
		got, err := loadtest.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for _, k := range wantKinds {
			want[k] = stem + "." + k + ".pprof"
		}
		if diff := cmp.Diff(want, got.Profiles); diff != "" {
			t.Errorf("%s: profiles (-want +got):\n%s", path, diff)
		}
	}

	parsed := map[string]*profile.Profile{}
	for kind, name := range res.Profiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		p, err := profile.ParseData(data)
		if err != nil {
			t.Fatalf("%s does not parse as a pprof profile: %v", name, err)
		}
		parsed[kind] = p
	}
	cpu := parsed["cpu"]
	samples := map[string]int64{}
	unlabelled := int64(0) // loadWork's samples without the generator's label
	for _, s := range cpu.Sample {
		seen := map[string]bool{}
		for _, loc := range s.Location {
			for _, l := range loc.Line {
				name := l.Function.Name
				for _, fn := range []string{"warmupWork", "loadWork"} {
					if strings.HasSuffix(name, "."+fn) && !seen[fn] {
						seen[fn] = true
						samples[fn] += s.Value[0]
						if fn == "loadWork" && !slices.Equal(s.Label[loadtest.GeneratorLabelKey], []string{loadtest.GeneratorLabelValue}) {
							unlabelled += s.Value[0]
						}
					}
				}
			}
		}
	}
	// The target runs on the generator's goroutines, which carry its
	// label, so that a reader of the profile (internal/rootcause) can tell
	// the generator's own work from the service's.
	if unlabelled > 0 {
		t.Errorf("%d of the target's %d CPU samples lack the label %s=%s", unlabelled, samples["loadWork"], loadtest.GeneratorLabelKey, loadtest.GeneratorLabelValue)
	}
	// A user checks the flag between calls of 200 rounds, a fraction of
	// a millisecond: the warm-up's work can reach the profile only in the
	// moment between the start of the profile and LoadStarted.
	t.Logf("CPU samples: %v", samples)
	if samples["loadWork"] < 5 {
		t.Errorf("the measured load's function has %d CPU samples, want several", samples["loadWork"])
	}
	// A starved machine can stretch that moment to a few samples; the
	// warm-up's whole length would be as many as the load's.
	if w, l := samples["warmupWork"], samples["loadWork"]; w*10 > l {
		t.Errorf("the warm-up's function has %d CPU samples in the profile of the measured load (the load's %d), want under a tenth", w, l)
	}
	if heap := parsed["heap"]; len(heap.SampleType) != 4 || heap.SampleType[1].Type != "alloc_space" {
		t.Errorf("heap profile's sample types = %v, want alloc_objects, alloc_space, inuse_objects, inuse_space", heap.SampleType)
	}
	if g := parsed["goroutine"]; len(g.Sample) == 0 {
		t.Errorf("the goroutine profile has no goroutine")
	}
	if !strings.Contains(loadtest.Summary(res), "profiles of the load: cpu, heap, heap-start, goroutine, mutex, mutex-start, block, block-start") {
		t.Errorf("the summary does not list the profiles:\n%s", loadtest.Summary(res))
	}
}

// TestProfileOnePerProcess: two scenarios profiling at once (parallel
// tests) cannot share Go's profilers; the second takes none and says why.
func TestProfileOnePerProcess(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	var once atomic.Bool
	first := make(chan *loadtest.Result)
	go func() {
		res, _ := loadtest.Execute(context.Background(), loadtest.Scenario{
			Name: "first",
			Target: loadtest.Func(func(ctx context.Context) error {
				if once.CompareAndSwap(false, true) {
					close(started)
					<-release
				}
				return nil
			}),
			Load:    loadtest.Users(1).For(50 * time.Millisecond),
			Profile: loadtest.Profile{CPU: true},
			Leaks:   loadtest.LeakCheck{Off: true},
		})
		first <- res
	}()
	<-started
	second, err := loadtest.Execute(t.Context(), loadtest.Scenario{
		Name:    "second",
		Target:  loadtest.Func(func(ctx context.Context) error { return nil }),
		Load:    loadtest.Users(1).For(50 * time.Millisecond),
		Profile: loadtest.Profile{CPU: true},
		Leaks:   loadtest.LeakCheck{Off: true},
	})
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(second.TakenProfiles()); n != 0 {
		t.Errorf("the second scenario took %d profiles, want none", n)
	}
	if !slices.ContainsFunc(second.Warnings, func(w string) bool { return strings.Contains(w, "another scenario of this test process was profiling") }) {
		t.Errorf("warnings %q do not say why no profile was taken", second.Warnings)
	}
	if res := <-first; res == nil || len(res.TakenProfiles()) != 1 {
		t.Errorf("the first scenario did not take its CPU profile: %+v", res)
	}
}

// TestProfileFromEnv: LOADGATE_PROFILE adds to the scenario's profiles, and
// a bad list is refused before any request.
func TestProfileFromEnv(t *testing.T) {
	scenario := loadtest.Scenario{
		Target:  loadtest.Func(func(ctx context.Context) error { return nil }),
		Load:    loadtest.Users(1).For(50 * time.Millisecond),
		Profile: loadtest.Profile{Goroutine: true},
	}
	t.Setenv(loadtest.EnvProfile, "heap")
	res, err := loadtest.Execute(t.Context(), scenario)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, p := range res.TakenProfiles() {
		kinds = append(kinds, p.Kind)
	}
	if want := []string{"heap", "heap-start", "goroutine"}; !slices.Equal(kinds, want) {
		t.Errorf("profiles %q, want %q", kinds, want)
	}
	t.Setenv(loadtest.EnvProfile, "cpu,flame")
	if _, err := loadtest.Execute(t.Context(), scenario); err == nil || !strings.Contains(err.Error(), `LOADGATE_PROFILE="cpu,flame": unknown profile "flame"`) {
		t.Errorf("a bad LOADGATE_PROFILE: %v", err)
	}
}

// TestWriteFileProfileNameTaken: a profile file left behind by a run whose
// result is gone is not overwritten; the result takes the next number.
func TestWriteFileProfileNameTaken(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.cpu.pprof"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := loadtest.Execute(t.Context(), loadtest.Scenario{
		Name:    "x",
		Target:  loadtest.Func(func(ctx context.Context) error { return nil }),
		Load:    loadtest.Users(1).For(50 * time.Millisecond),
		Profile: loadtest.Profile{CPU: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	path, err := loadtest.WriteFile(dir, res)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "x.2.json" || res.Profiles["cpu"] != "x.2.cpu.pprof" {
		t.Errorf("written to %s with profiles %v, want x.2.json and x.2.cpu.pprof", path, res.Profiles)
	}
	if old, _ := os.ReadFile(filepath.Join(dir, "x.cpu.pprof")); !bytes.Equal(old, []byte("old")) {
		t.Errorf("the old profile was overwritten")
	}
	names := listDir(t, dir)
	if want := []string{"x.2.cpu.pprof", "x.2.json", "x.cpu.pprof"}; !slices.Equal(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
}
