package loadtest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
)

// EnvProfile names LOADGATE_PROFILE, a comma-separated list of the profiles
// every scenario takes in addition to its own [Scenario.Profile]: cpu,
// heap, goroutine, mutex, block, or all (see [ParseProfile]).
const EnvProfile = "LOADGATE_PROFILE"

// Profile kinds: the keys of [Result.Profiles] and the middle of the
// profile files' names (<result>.cpu.pprof, ...). The -start kinds are the
// same profile read when the measured load began: their difference with
// the kind read at its end (go tool pprof -base x.heap-start.pprof
// x.heap.pprof) is what the load window did. GoroutineLeak comes from a
// watched service only (see [ProfilingWatcher]).
const (
	ProfileCPU           = "cpu"
	ProfileHeap          = "heap"
	ProfileHeapStart     = "heap-start"
	ProfileGoroutine     = "goroutine"
	ProfileMutex         = "mutex"
	ProfileMutexStart    = "mutex-start"
	ProfileBlock         = "block"
	ProfileBlockStart    = "block-start"
	ProfileGoroutineLeak = "goroutineleak"
)

// GeneratorLabelKey and GeneratorLabelValue are the profiler label
// (runtime/pprof) on the goroutines that send a run's load and on those
// they start, such as an HTTP client's connection readers and writers
// (package grpcload opens its gRPC connections under it too). In
// a CPU profile of a test process that also runs the service, they tell
// the load generator's samples from the service's:
// go tool pprof -tagignore loadgate=generator leaves them out. Heap
// profiles carry no labels.
const (
	GeneratorLabelKey   = "loadgate"
	GeneratorLabelValue = "generator"
)

// generatorLabels sets [GeneratorLabelKey] on the calling goroutine, which
// must be one of the run's own: one that sends its load.
func generatorLabels() {
	pprof.SetGoroutineLabels(generatorContext)
}

var generatorContext = pprof.WithLabels(context.Background(), pprof.Labels(GeneratorLabelKey, GeneratorLabelValue))

// Profile selects the profiles a run takes of the measured load: after the
// warm-up, until the last stage ends (not the drain after it). The zero
// value takes none; LOADGATE_PROFILE adds to it. Each profile is in the
// pprof format that go tool pprof opens, written next to the result
// ([WriteFile]) and named in [Result.Profiles].
//
// For a service in the test process the profiles are the process's, load
// generator included (its goroutines carry the label [GeneratorLabelKey]
// in CPU profiles), taken with runtime/pprof; only one run of a process
// profiles at a time (a second one, in a parallel test, notes that it
// took none). For a service watched in another process
// ([Scenario.Watch] a [ProfilingWatcher], such as package watch's
// Prometheus) they are the service's, through its net/http/pprof
// endpoints, and the test process is not profiled.
type Profile struct {
	// CPU profiles the CPU over the measured load at 100 Hz
	// (runtime/pprof's rate): kind "cpu".
	CPU bool
	// Heap reads the heap profile when the measured load starts
	// ("heap-start") and when it ends ("heap"), each after a garbage
	// collection so that they are current. Their difference is what the
	// load allocated (alloc_space, alloc_objects); "heap" alone also holds
	// what was in use at the end (inuse_space). Heap sampling keeps Go's
	// runtime.MemProfileRate (one sample per 512 KiB by default).
	Heap bool
	// Goroutine reads the goroutines, with their stacks, at the end of the
	// measured load: where the requests still running were waiting.
	Goroutine bool
	// Mutex sets runtime.SetMutexProfileFraction to MutexFraction for the
	// load and reads the mutex profile at its start ("mutex-start") and
	// end ("mutex"); the fraction the process had is restored after.
	Mutex bool
	// Block sets runtime.SetBlockProfileRate to BlockRate for the load and
	// reads the block profile at its start ("block-start") and end
	// ("block"). Go cannot tell a program its block profile rate, so the
	// rate restored after is go test's -blockprofilerate when -blockprofile
	// is set, and 0 (off) otherwise.
	Block bool
	// MutexFraction samples one in this many mutex contention events
	// (default DefaultScenario.Profile.MutexFraction).
	MutexFraction int
	// BlockRate samples on average one blocking event per this many
	// nanoseconds spent blocked (default DefaultScenario.Profile.BlockRate).
	BlockRate int
}

// ParseProfile parses a list of profiles as LOADGATE_PROFILE and loadgate
// run -profile take them: names separated by commas (cpu, heap, goroutine,
// mutex, block) or all. Blank means none.
func ParseProfile(list string) (Profile, error) {
	var p Profile
	for _, name := range strings.Split(list, ",") {
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "":
		case "all":
			p.CPU, p.Heap, p.Goroutine, p.Mutex, p.Block = true, true, true, true, true
		case ProfileCPU:
			p.CPU = true
		case ProfileHeap:
			p.Heap = true
		case ProfileGoroutine:
			p.Goroutine = true
		case ProfileMutex:
			p.Mutex = true
		case ProfileBlock:
			p.Block = true
		default:
			return Profile{}, fmt.Errorf("unknown profile %q: want a comma-separated list of cpu, heap, goroutine, mutex and block, or all", strings.TrimSpace(name))
		}
	}
	return p, nil
}

// String lists the profiles p takes as ParseProfile reads them, such as
// "cpu,heap"; "" for none.
func (p Profile) String() string {
	var names []string
	for _, k := range []struct {
		on   bool
		name string
	}{{p.CPU, ProfileCPU}, {p.Heap, ProfileHeap}, {p.Goroutine, ProfileGoroutine}, {p.Mutex, ProfileMutex}, {p.Block, ProfileBlock}} {
		if k.on {
			names = append(names, k.name)
		}
	}
	return strings.Join(names, ",")
}

// Any tells whether p takes a profile.
func (p Profile) Any() bool { return p.CPU || p.Heap || p.Goroutine || p.Mutex || p.Block }

// with returns p taking the profiles of o too.
func (p Profile) with(o Profile) Profile {
	p.CPU = p.CPU || o.CPU
	p.Heap = p.Heap || o.Heap
	p.Goroutine = p.Goroutine || o.Goroutine
	p.Mutex = p.Mutex || o.Mutex
	p.Block = p.Block || o.Block
	return p
}

// profileFromEnv reads LOADGATE_PROFILE.
func profileFromEnv(getenv func(string) string) (Profile, error) {
	v := getenv(EnvProfile)
	p, err := ParseProfile(v)
	if err != nil {
		return Profile{}, fmt.Errorf("%s=%q: %w", EnvProfile, v, err)
	}
	return p, nil
}

// ProfileData is one profile of a run in pprof's format (gzipped protocol
// buffers), as [WriteFile] writes it.
type ProfileData struct {
	Kind string // one of the Profile* kinds, such as ProfileCPU
	Data []byte
}

// profileKinds orders the kinds in results and summaries.
var profileKinds = []string{ProfileCPU, ProfileHeap, ProfileHeapStart, ProfileGoroutine, ProfileGoroutineLeak,
	ProfileMutex, ProfileMutexStart, ProfileBlock, ProfileBlockStart}

func sortProfiles(ps []ProfileData) {
	slices.SortStableFunc(ps, func(a, b ProfileData) int {
		ia, ib := slices.Index(profileKinds, a.Kind), slices.Index(profileKinds, b.Kind)
		if ia < 0 {
			ia = len(profileKinds)
		}
		if ib < 0 {
			ib = len(profileKinds)
		}
		return ia - ib
	})
}

// profileToShow is the kind of profile a log line points to first: the
// CPU profile if there is one.
func profileToShow(names map[string]string) string {
	for _, k := range profileKinds {
		if _, ok := names[k]; ok {
			return k
		}
	}
	return ""
}

// profiling is set while a run profiles the test process: the CPU profiler
// and the profile rates belong to the whole process.
var profiling atomic.Bool

// localProfiler profiles the test process over the measured load.
type localProfiler struct {
	p         Profile
	cpu       bytes.Buffer
	cpuOn     bool
	oldMutex  int
	profiles  []ProfileData
	notes     []string
	holdsLock bool
}

// startLocalProfile reads the profiles p asks for at the start of the
// measured load, sets the rates and starts the CPU profiler, in that order,
// so that the garbage collection of the heap profile falls before the
// CPU profile. It returns nil when p takes none.
func startLocalProfile(p Profile) *localProfiler {
	if !p.Any() {
		return nil
	}
	lp := &localProfiler{p: p}
	if !profiling.CompareAndSwap(false, true) {
		lp.notes = append(lp.notes, "no profile taken: another scenario of this test process was profiling at the same time (parallel tests); Go's profilers are one per process")
		lp.p = Profile{}
		return lp
	}
	lp.holdsLock = true
	if p.Heap {
		runtime.GC() // the heap profile is as of the last collection
		lp.snapshot(ProfileHeapStart, "heap")
	}
	if p.Mutex {
		lp.oldMutex = runtime.SetMutexProfileFraction(p.MutexFraction)
		lp.snapshot(ProfileMutexStart, "mutex")
	}
	if p.Block {
		runtime.SetBlockProfileRate(p.BlockRate)
		lp.snapshot(ProfileBlockStart, "block")
	}
	if p.CPU {
		if err := pprof.StartCPUProfile(&lp.cpu); err != nil {
			// go test -cpuprofile, or a profiler of the test's own.
			lp.notes = append(lp.notes, fmt.Sprintf("no CPU profile taken: %v (go test -cpuprofile profiles the whole test binary instead)", err))
		} else {
			lp.cpuOn = true
		}
	}
	return lp
}

// stop reads the profiles at the end of the measured load and restores the
// rates. It may be called on nil.
func (lp *localProfiler) stop() {
	if lp == nil || !lp.holdsLock {
		return
	}
	defer profiling.Store(false)
	if lp.cpuOn {
		pprof.StopCPUProfile()
		lp.profiles = append(lp.profiles, ProfileData{Kind: ProfileCPU, Data: lp.cpu.Bytes()})
	}
	if lp.p.Goroutine {
		lp.snapshot(ProfileGoroutine, "goroutine")
	}
	if lp.p.Mutex {
		lp.snapshot(ProfileMutex, "mutex")
		runtime.SetMutexProfileFraction(lp.oldMutex)
	}
	if lp.p.Block {
		lp.snapshot(ProfileBlock, "block")
		runtime.SetBlockProfileRate(testBlockProfileRate())
	}
	if lp.p.Heap {
		runtime.GC()
		lp.snapshot(ProfileHeap, "heap")
	}
	sortProfiles(lp.profiles)
}

// snapshot reads the runtime/pprof profile name as kind.
func (lp *localProfiler) snapshot(kind, name string) {
	var b bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&b, 0); err != nil {
		lp.notes = append(lp.notes, fmt.Sprintf("no %s profile: %v", kind, err))
		return
	}
	lp.profiles = append(lp.profiles, ProfileData{Kind: kind, Data: b.Bytes()})
}

// testBlockProfileRate is the block profile rate go test set: its
// -blockprofilerate when -blockprofile is set, else 0.
func testBlockProfileRate() int {
	f := flag.Lookup("test.blockprofile")
	if f == nil || f.Value.String() == "" {
		return 0
	}
	if r := flag.Lookup("test.blockprofilerate"); r != nil {
		if n, err := strconv.Atoi(r.Value.String()); err == nil {
			return n
		}
	}
	return 1 // go test's default -blockprofilerate
}

// profileList names the kinds of profiles of r, in memory or in files.
func profileList(r *Result) string {
	var kinds []string
	for _, p := range r.profiles {
		kinds = append(kinds, p.Kind)
	}
	if len(kinds) == 0 {
		for _, k := range profileKinds {
			if _, ok := r.Profiles[k]; ok {
				kinds = append(kinds, k)
			}
		}
	}
	return strings.Join(kinds, ", ")
}
