package rootcause

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/pprof/profile"

	"github.com/loadgate/loadgate/internal/golden"
	"github.com/loadgate/loadgate/loadtest"
)

// stack is a sample: its value and its frames, innermost first; a frame
// "a+b" is function a inlined into b at one location.
type stack struct {
	value  int64
	frames []string
}

// newProfile builds a profile of one value type with the given samples.
func newProfile(vt profile.ValueType, period int64, durationNS int64, samples ...stack) *profile.Profile {
	p := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: vt.Type, Unit: vt.Unit}},
		PeriodType:    &profile.ValueType{Type: vt.Type, Unit: vt.Unit},
		Period:        period,
		DurationNanos: durationNS,
		TimeNanos:     time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).UnixNano(),
	}
	funcs := map[string]*profile.Function{}
	fn := func(name string) *profile.Function {
		if f, ok := funcs[name]; ok {
			return f
		}
		f := &profile.Function{ID: uint64(len(funcs) + 1), Name: name, SystemName: name}
		funcs[name] = f
		p.Function = append(p.Function, f)
		return f
	}
	for _, s := range samples {
		var locs []*profile.Location
		for _, frame := range s.frames {
			loc := &profile.Location{ID: uint64(len(p.Location) + 1)}
			for _, name := range strings.Split(frame, "+") {
				loc.Line = append(loc.Line, profile.Line{Function: fn(name)})
			}
			p.Location = append(p.Location, loc)
			locs = append(locs, loc)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: locs, Value: []int64{s.value / max(period, 1), s.value}})
	}
	return p
}

// heapProfile builds a heap profile whose alloc_space values are given.
func heapProfile(at time.Time, samples ...stack) *profile.Profile {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"},
			{Type: "inuse_objects", Unit: "count"}, {Type: "inuse_space", Unit: "bytes"}},
		PeriodType: &profile.ValueType{Type: "space", Unit: "bytes"},
		Period:     512 * 1024,
		TimeNanos:  at.UnixNano(),
	}
	q := newProfile(cpuValue, 1, 0, samples...)
	p.Function, p.Location = q.Function, q.Location
	for _, s := range q.Sample {
		p.Sample = append(p.Sample, &profile.Sample{Location: s.Location, Value: []int64{1, s.Value[1], 0, 0}})
	}
	return p
}

// writeRun writes a result and its profiles into dir, as loadtest does.
func writeRun(t *testing.T, dir, stem string, requests, durationNS int64, profiles map[string]*profile.Profile) Run {
	t.Helper()
	r := &loadtest.Result{Schema: loadtest.SchemaVersion, Scenario: "s", Requests: requests, DurationNS: durationNS, Profiles: map[string]string{}}
	for kind, p := range profiles {
		var b bytes.Buffer
		if err := p.Write(&b); err != nil {
			t.Fatal(err)
		}
		name := stem + "." + kind + ".pprof"
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		r.Profiles[kind] = name
	}
	return Run{Result: r, Dir: dir}
}

const ms = 1e6 // nanoseconds, untyped: for int64 values and float64 costs alike

func TestNames(t *testing.T) {
	tests := []struct {
		give      string
		wantPkg   string
		wantStd   bool
		wantShort string
	}{
		{"crypto/sha256.Sum256", "crypto/sha256", true, "sha256.Sum256"},
		{"runtime.mallocgc", "runtime", true, "runtime.mallocgc"},
		{"net/http.(*conn).serve", "net/http", true, "http.(*conn).serve"},
		{"internal/runtime/syscall/linux.Syscall6", "internal/runtime/syscall/linux", true, "linux.Syscall6"},
		{"vendor/golang.org/x/net/http2/hpack.(*Decoder).Write", "vendor/golang.org/x/net/http2/hpack", true, "hpack.(*Decoder).Write"},
		{"github.com/loadgate/loadgate/examples/shop.sign", "github.com/loadgate/loadgate/examples/shop", false, "shop.sign"},
		{"github.com/a/b.(*T).m.func1", "github.com/a/b", false, "b.(*T).m.func1"},
		{"golang.org/x/net/http2.(*Framer).ReadFrame", "golang.org/x/net/http2", false, "http2.(*Framer).ReadFrame"},
		{"main.handle", "main", false, "main.handle"},
		{"example.com/c.Map[go.shape.string,example.com/d.T].Get", "example.com/c", false, "c.Map[go.shape.string,example.com/d.T].Get"},
		// The runtime's file-local assembly has no package: its
		// caller's code caused it (a write barrier, a comparison).
		{"gcWriteBarrier", "", true, "gcWriteBarrier"},
		{"unknown", "", true, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			if got := packageOf(tt.give); got != tt.wantPkg {
				t.Errorf("packageOf = %q, want %q", got, tt.wantPkg)
			}
			if got := isStd(tt.give, nil); got != tt.wantStd {
				t.Errorf("isStd = %v, want %v", got, tt.wantStd)
			}
			if got := ShortName(tt.give); got != tt.wantShort {
				t.Errorf("ShortName = %q, want %q", got, tt.wantShort)
			}
		})
	}
}

// TestTable checks flat, cumulative and own costs: the standard library's
// time is its caller's own, a recursive function counts once per sample,
// an inlined function is a frame of its own, a stack of the standard
// library alone is its innermost function's, and the samples of the
// profilers, the execution tracer and the flight recorder are left out.
func TestTable(t *testing.T) {
	p := newProfile(cpuValue, 10*ms, int64(time.Second),
		stack{30 * ms, []string{"crypto/sha256.block", "crypto/sha256.Sum256", "example.com/shop.sign", "example.com/shop.checkout", "net/http.(*conn).serve"}},
		stack{10 * ms, []string{"example.com/shop.sign", "example.com/shop.checkout", "net/http.(*conn).serve"}},
		stack{20 * ms, []string{"runtime.memmove", "example.com/shop.walk", "example.com/shop.walk", "example.com/shop.checkout"}},
		stack{10 * ms, []string{"encoding/json.Marshal+example.com/shop.encode", "example.com/shop.checkout"}},
		stack{40 * ms, []string{"runtime.scanobject", "runtime.gcBgMarkWorker"}},
		stack{50 * ms, []string{"compress/flate.(*compressor).deflate", "runtime/pprof.profileWriter"}},
		// The execution tracer of a flight recording: its events, in
		// the scheduler, and reading them out, are left out too;
		// a traceback that runtime.Callers ran is the caller's.
		stack{20 * ms, []string{"runtime.traceWriter.event", "runtime.traceLocker.GoUnpark", "runtime.ready", "example.com/shop.checkout"}},
		stack{10 * ms, []string{"runtime.(*traceStackTable).put", "runtime.traceStack", "runtime.traceLocker.GoPark"}},
		stack{10 * ms, []string{"runtime/trace.(*FlightRecorder).WriteTo", "github.com/loadgate/loadgate/loadtest.(*flight).snapshot"}},
		stack{10 * ms, []string{"runtime.tracebackPCs", "runtime.callers", "runtime.Callers", "example.com/shop.logf"}},
	)
	tab, err := tabulate([]*profile.Profile{p}, cpuValue, 1, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Cost{
		"crypto/sha256.block":       {Flat: 30 * ms, Cum: 30 * ms},
		"crypto/sha256.Sum256":      {Cum: 30 * ms},
		"example.com/shop.sign":     {Flat: 10 * ms, Cum: 40 * ms, Own: 40 * ms},
		"example.com/shop.checkout": {Cum: 70 * ms},
		"net/http.(*conn).serve":    {Cum: 40 * ms},
		"runtime.memmove":           {Flat: 20 * ms, Cum: 20 * ms},
		"example.com/shop.walk":     {Cum: 20 * ms, Own: 20 * ms},
		"encoding/json.Marshal":     {Flat: 10 * ms, Cum: 10 * ms},
		"example.com/shop.encode":   {Cum: 10 * ms, Own: 10 * ms},
		"runtime.scanobject":        {Flat: 40 * ms, Cum: 40 * ms, Own: 40 * ms},
		"runtime.gcBgMarkWorker":    {Cum: 40 * ms},
		"runtime.tracebackPCs":      {Flat: 10 * ms, Cum: 10 * ms},
		"runtime.callers":           {Cum: 10 * ms},
		"runtime.Callers":           {Cum: 10 * ms},
		"example.com/shop.logf":     {Cum: 10 * ms, Own: 10 * ms},
	}
	if diff := cmp.Diff(want, tab.Funcs); diff != "" {
		t.Errorf("costs (-want +got):\n%s", diff)
	}
	if tab.Total != float64(120*ms) || tab.Period != float64(10*ms) {
		t.Errorf("total %v, period %v; want 120ms (the profiler's 50ms and the tracer's 40ms left out) and 10ms", tab.Total, tab.Period)
	}
}

// TestGeneratorLeftOut: in a test process that runs the service, the
// samples of loadgate's own load generator (its send loop, its recorder's
// HDR histograms, the load test's HTTP client) are left out of the
// table and counted apart; those that pass through the service's code are
// the service's, whatever their innermost function. The shop's load test
// listed hdrhistogram-go.New among its allocations, linux.Syscall6 and a
// bare gcWriteBarrier among its CPU.
func TestGeneratorLeftOut(t *testing.T) {
	const lg = "github.com/loadgate/loadgate/"
	p := newProfile(cpuValue, 10*ms, int64(time.Second),
		// The service, on the server's goroutine, and under a Func
		// target that calls it from the generator's.
		stack{40 * ms, []string{"crypto/sha256.block", "example.com/shop.sign", "net/http.(*conn).serve"}},
		stack{10 * ms, []string{"runtime.mallocgc", "example.com/shop.sign", "example.com/shop_test.TestLoad.func1", lg + "loadtest.Func.Hit", lg + "loadtest.(*engine).work"}},
		// Runtime assembly without a package is its caller's.
		stack{10 * ms, []string{"gcWriteBarrier", "runtime.gcWriteBarrier2", "example.com/shop.sign", "net/http.(*conn).serve"}},
		// The generator: its recorder, the load test's client code, a
		// write barrier in its send loop, and the HTTP client's
		// connection reader, all standard library but for its label.
		stack{10 * ms, []string{"github.com/HdrHistogram/hdrhistogram-go.New", lg + "internal/histo.New", lg + "loadtest.(*recorder).record", lg + "loadtest.(*engine).work"}},
		stack{10 * ms, []string{"net/http.(*Client).Do", "example.com/shop_test.send", "example.com/shop_test.TestLoad.func1", lg + "loadtest.Func.Hit", lg + "loadtest.(*engine).work"}},
		stack{10 * ms, []string{"gcWriteBarrier", "runtime.gcWriteBarrier2", lg + "loadtest.(*engine).serve"}},
		stack{10 * ms, []string{"internal/runtime/syscall/linux.Syscall6", "net/http.(*persistConn).readLoop"}},
		// Without the label, the same is the service's (its own HTTP
		// client, say), as is what neither side's code is on.
		stack{10 * ms, []string{"internal/runtime/syscall/linux.Syscall6", "net/http.(*persistConn).readLoop"}},
		stack{10 * ms, []string{"runtime.scanobject", "runtime.gcBgMarkWorker"}},
	)
	p.Sample[6].Label = map[string][]string{loadtest.GeneratorLabelKey: {loadtest.GeneratorLabelValue}}
	tab, err := tabulate([]*profile.Profile{p}, cpuValue, 1, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]float64{}
	for fn, c := range tab.Funcs {
		if c.Own > 0 {
			own[fn] = c.Own
		}
	}
	want := map[string]float64{
		"example.com/shop.sign":                   60 * ms,
		"internal/runtime/syscall/linux.Syscall6": 10 * ms,
		"runtime.scanobject":                      10 * ms,
	}
	if diff := cmp.Diff(want, own); diff != "" {
		t.Errorf("own costs (-want +got):\n%s", diff)
	}
	if tab.Total != 80*ms || tab.Generator != 40*ms {
		t.Errorf("total %v, generator %v; want 80ms and 40ms", tab.Total, tab.Generator)
	}
	r := &Report{Scenario: "s", Head: &Set{CPU: tab}}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if want := "CPU per request 8ms (1 run, 10 requests; loadgate's own generator: 33% of the CPU samples, not shown)"; !strings.Contains(b.String(), want) {
		t.Errorf("the report does not say what was left out, %q:\n%s", want, b.String())
	}
}

// TestGRPCClientLeftOut: with a gRPC service in the test process, loaded
// through grpcload, the client's cost is the generator's (the calls on the
// load's goroutines, the generated client and the marshalling of the
// service's *.pb.go types under them, and gRPC's transport goroutines,
// which carry the label grpcload opens its connections under) and every
// frame of the server's goroutines, which carry no label, is the
// service's: unmarshalling its *.pb.go types too. gRPC's client frames
// were counted as the service's code: a scratch load test's ranking put
// protobuf's unmarshalling and the client's writer among the service's
// costliest functions, and the generator at under 1% of the samples.
func TestGRPCClientLeftOut(t *testing.T) {
	const (
		lg   = "github.com/loadgate/loadgate/"
		g    = "google.golang.org/grpc."
		tr   = "google.golang.org/grpc/internal/transport."
		impl = "google.golang.org/protobuf/internal/impl."
		pb   = "example.com/svc/pb."
	)
	hit := []string{"example.com/svc_test.TestLoad.func1", lg + "loadtest/grpcload.(*target).call", lg + "loadtest/grpcload.(*target).Hit", lg + "loadtest.(*engine).do", lg + "loadtest.(*engine).work"}
	invoke := append([]string{g + "invoke", g + "(*ClientConn).Invoke", lg + "loadtest/grpcload.(*Conn).Invoke", pb + "(*svcClient).Get"}, hit...)
	serve := []string{g + "(*Server).processUnaryRPC", g + "(*Server).handleStream", g + "(*Server).serveStreams.func2.1"}
	p := newProfile(cpuValue, 10*ms, int64(time.Second),
		// The server, on goroutines without the label: the handler,
		// unmarshalling the request into the service's own type, its
		// transport's reader and writer.
		stack{50 * ms, append([]string{"crypto/sha256.block", "example.com/svc.grind", "example.com/svc.(*Server).Get", pb + "_Svc_Get_Handler"}, serve...)},
		stack{10 * ms, append([]string{pb + "(*GetRequest).ProtoReflect", "google.golang.org/grpc/encoding/proto.(*codecV2).Unmarshal", g + "(*Server).processUnaryRPC.func2", pb + "_Svc_Get_Handler"}, serve...)},
		stack{10 * ms, []string{impl + "(*MessageInfo).unmarshalPointer", "google.golang.org/protobuf/proto.UnmarshalOptions.unmarshal", "google.golang.org/grpc/encoding/proto.(*codecV2).Unmarshal", g + "recvAndDecompress", g + "(*Server).processUnaryRPC"}},
		stack{10 * ms, []string{"internal/runtime/syscall/linux.Syscall6", "net.(*conn).Read", "golang.org/x/net/http2.(*Framer).ReadFrame", tr + "(*http2Server).HandleStreams", g + "(*Server).serveStreams"}},
		stack{10 * ms, []string{"internal/runtime/syscall/linux.Syscall6", "net.(*conn).Write", tr + "(*bufWriter).flushKeepBuffer", tr + "(*loopyWriter).run", tr + "NewServerTransport.func3"}},
		// The client, on the load's goroutine: unmarshalling the
		// reply into the service's own type, the generated client's
		// allocation, and the load test's function.
		stack{30 * ms, append([]string{impl + "consumeMessageSliceInfo", impl + "(*MessageInfo).unmarshalPointer", "google.golang.org/grpc/encoding/proto.(*codecV2).Unmarshal", g + "recv", g + "(*clientStream).RecvMsg"}, invoke...)},
		stack{10 * ms, append([]string{pb + "(*GetReply).ProtoReflect", "google.golang.org/grpc/encoding/proto.messageV2Of"}, invoke...)},
		stack{10 * ms, append([]string{"runtime.mallocgc", pb + "(*svcClient).Get"}, hit...)},
		// The client's transport goroutines, with the label.
		stack{10 * ms, []string{"internal/runtime/syscall/linux.Syscall6", "net.(*conn).Read", "golang.org/x/net/http2.(*Framer).ReadFrame", tr + "(*http2Client).reader"}},
		stack{10 * ms, []string{"internal/runtime/syscall/linux.Syscall6", "net.(*conn).Write", tr + "(*bufWriter).flushKeepBuffer", tr + "(*loopyWriter).run", tr + "NewHTTP2Client.func6"}},
		// A Func target calling the service, which calls another
		// service over gRPC: it passes through the service's code.
		stack{10 * ms, []string{g + "(*ClientConn).Invoke", "example.com/svc.(*Server).charge", "example.com/svc_test.TestLoad.func2", lg + "loadtest.Func.Hit", lg + "loadtest.(*engine).work"}},
	)
	for _, i := range []int{5, 6, 7, 8, 9, 10} {
		p.Sample[i].Label = map[string][]string{loadtest.GeneratorLabelKey: {loadtest.GeneratorLabelValue}}
	}
	tab, err := tabulate([]*profile.Profile{p}, cpuValue, 1, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]float64{}
	for fn, c := range tab.Funcs {
		if c.Own > 0 {
			own[fn] = c.Own
		}
	}
	want := map[string]float64{
		"example.com/svc.grind":                      50 * ms,
		pb + "(*GetRequest).ProtoReflect":            10 * ms,
		impl + "(*MessageInfo).unmarshalPointer":     10 * ms,
		"golang.org/x/net/http2.(*Framer).ReadFrame": 10 * ms,
		tr + "(*bufWriter).flushKeepBuffer":          10 * ms,
		g + "(*ClientConn).Invoke":                   10 * ms,
	}
	if diff := cmp.Diff(want, own); diff != "" {
		t.Errorf("own costs (-want +got):\n%s", diff)
	}
	if tab.Total != 100*ms || tab.Generator != 70*ms {
		t.Errorf("total %v, generator %v; want 100ms and 70ms", tab.Total, tab.Generator)
	}
}

// TestLoad merges the CPU profiles of runs and the heap deltas of each
// run, and counts the requests each profile covers: a watched service's
// profile shorter than the load (its whole seconds) covers its share, the
// test process's profile all of the load's requests, though its clock
// says a few milliseconds less.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sign := []string{"example.com/shop.sign"}
	runs := []Run{
		writeRun(t, dir, "r1", 100, int64(1010*time.Millisecond), map[string]*profile.Profile{
			"cpu":        newProfile(cpuValue, 10*ms, int64(time.Second), stack{100 * ms, sign}),
			"heap-start": heapProfile(t0, stack{1000, sign}),
			"heap":       heapProfile(t0.Add(time.Second), stack{5000, sign}, stack{800, []string{"example.com/shop.other"}}),
		}),
		// The CPU profile of a watched service: 1 s of a 1.5 s load.
		writeRun(t, dir, "r2", 300, int64(1500*time.Millisecond), map[string]*profile.Profile{
			"cpu": newProfile(cpuValue, 10*ms, int64(time.Second), stack{300 * ms, sign}),
		}),
		// A result without profiles counts for nothing.
		{Result: &loadtest.Result{Scenario: "s", Requests: 1000}, Dir: dir},
		// A profile that is gone is a note.
		{Result: &loadtest.Result{Scenario: "s", Requests: 50, Profiles: map[string]string{"cpu": "gone.cpu.pprof"}}, Dir: dir},
	}
	runs[1].Result.Server = &loadtest.ServerStats{}
	s := Load(runs)
	if s.CPU == nil || s.CPU.Runs != 2 || s.CPU.Requests != 300 || s.CPU.Total != float64(400*ms) {
		t.Fatalf("CPU = %+v, want 2 runs, 100+200 requests covered, 400ms", s.CPU)
	}
	if got := s.CPU.PerRequest(); math.Abs(got-float64(400*ms)/300) > 1 {
		t.Errorf("CPU per request = %v", got)
	}
	if s.Alloc == nil || s.Alloc.Runs != 1 || s.Alloc.Requests != 100 || s.Alloc.Total != 4800 {
		t.Fatalf("Alloc = %+v, want 1 run of 100 requests, 4000+800 bytes", s.Alloc)
	}
	if got := s.Alloc.Funcs["example.com/shop.sign"].Own; got != 4000 {
		t.Errorf("shop.sign allocated %v, want 5000-1000", got)
	}
	if len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "gone.cpu.pprof") {
		t.Errorf("notes %q, want one about gone.cpu.pprof", s.Notes)
	}
}

// TestGrew checks what a comparison shows: growth in own cost per request
// only, at least MinShare of the total and MinZ standard errors of
// sampling, the largest first, a function new in the head as new.
func TestGrew(t *testing.T) {
	mk := func(requests float64, costs map[string]float64) *Table {
		tab := &Table{Runs: 1, Requests: requests, Period: float64(10 * ms), Funcs: map[string]Cost{}}
		for fn, c := range costs {
			tab.Funcs[fn] = Cost{Own: c, Cum: c}
			tab.Total += c
		}
		return tab
	}
	sec := float64(time.Second)
	base := mk(1000, map[string]float64{"a.sign": 10 * sec, "a.encode": 2 * sec, "a.noisy": 0.05 * sec, "a.shrunk": 3 * sec, "a.steady": 5 * sec})
	head := mk(1000, map[string]float64{"a.sign": 14 * sec, "a.encode": 3 * sec, "a.noisy": 0.2 * sec, "a.shrunk": 1 * sec, "a.steady": 5.05 * sec, "a.fresh": 0.5 * sec})
	got := grew(base, head)
	want := []Change{
		{Func: "a.sign", Base: 10 * sec / 1000, Head: 14 * sec / 1000},
		{Func: "a.encode", Base: 2 * sec / 1000, Head: 3 * sec / 1000},
		{Func: "a.fresh", Base: 0, Head: 0.5 * sec / 1000},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grew (-want +got):\n%s", diff)
	}
	if r := got[2].Ratio(); !math.IsInf(r, 1) || percent(r) != "new" {
		t.Errorf("a function new in the head: ratio %v (%s)", r, percent(r))
	}
	// The same growth seen in a tenth of the requests: a.encode's 100
	// samples become 10, within the noise.
	few := grew(mk(100, map[string]float64{"a.sign": 1 * sec, "a.encode": 0.2 * sec}), mk(100, map[string]float64{"a.sign": 1.4 * sec, "a.encode": 0.3 * sec}))
	if len(few) != 1 || few[0].Func != "a.sign" {
		t.Errorf("with few samples: %+v, want a.sign alone", few)
	}
}

var recordFrom = flag.String("record-from", "", "record the repository's testdata/rootcause/shop from `dir`/base and dir/head, results with CPU profiles of the example shop")

// shopDir holds the recorded runs of the example shop with their profiles,
// in the repository's testdata: cmd/loadgate's and the Action's tests use
// them too.
const shopDir = "../../testdata/rootcause/shop"

// TestShopRanking checks the ranking on profiles recorded from the example
// shop (issue 15): five runs of TestBaselineCheckout a side, interleaved,
// with LOADGATE_SHOP_SLOWDOWN=0.4 on the head only; the comparison must
// name the checkout's signing first. The profiles are each side's five
// merged into one, aggregated by function (see recordShop), so that
// testdata stays small; docs/ROOTCAUSE.md has the commands.
func TestShopRanking(t *testing.T) {
	if *recordFrom != "" {
		recordShop(t, *recordFrom)
	}
	runs := func(side string) []Run {
		dir := filepath.Join(shopDir, side)
		r, err := loadtest.ReadFile(filepath.Join(dir, "checkout_at_150_per_second.json"))
		if err != nil {
			t.Fatal(err)
		}
		return []Run{{Result: r, Dir: dir}}
	}
	r := Explain("checkout at 150 per second", runs("base"), runs("head"))
	if r == nil || len(r.GrewCPU) == 0 {
		t.Fatalf("no CPU growth found: %+v", r)
	}
	first := r.GrewCPU[0]
	if first.Func != "github.com/loadgate/loadgate/examples/shop.sign" {
		t.Errorf("grew most: %s, want the checkout's signing (shop.sign); all: %+v", first.Func, r.GrewCPU)
	}
	var text, md bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "shop.txt.golden", text.Bytes())
	golden.Check(t, "shop.md.golden", md.Bytes())
	top := Explain("checkout at 150 per second", nil, runs("head"))
	var topText bytes.Buffer
	if err := top.WriteText(&topText); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "shop-head.txt.golden", topText.Bytes())
	if top.TopCPU[0].Func != first.Func {
		t.Errorf("the head's costliest function: %s, want %s", top.TopCPU[0].Func, first.Func)
	}
}

// recordShop merges the CPU profiles of the results in from/base and
// from/head into shopDir/<side>/, one result a side with the sum of
// their requests and durations: aggregated by function, without mappings,
// addresses and file names.
func recordShop(t *testing.T, from string) {
	for _, side := range []string{"base", "head"} {
		files, err := filepath.Glob(filepath.Join(from, side, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no results in %s: %v", filepath.Join(from, side), err)
		}
		var ps []*profile.Profile
		sum := &loadtest.Result{Schema: loadtest.SchemaVersion}
		for _, f := range files {
			r, err := loadtest.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := read(filepath.Dir(f), r.Profiles[loadtest.ProfileCPU])
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p)
			sum.Scenario, sum.Package, sum.Test = r.Scenario, r.Package, r.Test
			sum.Requests += r.Requests
			sum.DurationNS += r.DurationNS
		}
		p, err := profile.Merge(ps)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Aggregate(true, true, false, false, false, false); err != nil {
			t.Fatal(err)
		}
		p.Comments = nil
		for _, f := range p.Function {
			f.Filename, f.SystemName = "", ""
		}
		for _, l := range p.Location {
			l.Mapping, l.Address = nil, 0
		}
		p.Mapping = nil
		p = p.Compact()
		dir := filepath.Join(shopDir, side)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := p.Write(&b); err != nil {
			t.Fatal(err)
		}
		stem := "checkout_at_150_per_second"
		if err := os.WriteFile(filepath.Join(dir, stem+".cpu.pprof"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		sum.Profiles = map[string]string{loadtest.ProfileCPU: stem + ".cpu.pprof"}
		sum.Leaks, sum.Stages, sum.Timeline = []loadtest.Leak{}, []loadtest.StageResult{}, []loadtest.Second{}
		data, err := json.MarshalIndent(sum, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, stem+".json"), append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDotlessModule: a service in a module whose path has no dot (go mod
// init svc, example/hello) is the user's code, not the standard library's:
// the comparison names svc.Sign, the function that grew, not the hash it
// calls. It named sha256's functions, each below the noise, or nothing.
func TestDotlessModule(t *testing.T) {
	dir := t.TempDir()
	side := func(stem string, sign float64) []Run {
		hash := stack{int64(sign * 0.8), []string{"crypto/sha256.block", "crypto/sha256.Sum256", "svc.Sign", "svc.Handler.func1", "net/http.(*conn).serve"}}
		write := stack{int64(sign * 0.2), []string{"crypto/sha256.(*Digest).Write", "crypto/sha256.Sum256", "svc.Sign", "svc.Handler.func1", "net/http.(*conn).serve"}}
		other := stack{200 * ms, []string{"runtime.futex", "runtime.findRunnable"}}
		r := writeRun(t, dir, stem, 1000, int64(5*time.Second), map[string]*profile.Profile{
			"cpu": newProfile(cpuValue, 10*ms, int64(5*time.Second), hash, write, other),
		})
		r.Result.Package = "svc/loadtests"
		return []Run{r}
	}
	r := Explain("s", side("base", 1000*ms), side("head", 1500*ms))
	if r == nil || len(r.GrewCPU) == 0 || r.GrewCPU[0].Func != "svc.Sign" {
		t.Fatalf("grew most: %+v, want svc.Sign", r)
	}
	if got, want := r.GrewCPU[0].Head, float64(1500*ms)/1000; got != want {
		t.Errorf("svc.Sign's own CPU per request in the head = %v, want %v (the hash's included)", got, want)
	}
	if top := Explain("s", nil, side("only", 1000*ms)); top.TopCPU[0].Func != "svc.Sign" {
		t.Errorf("costliest: %+v, want svc.Sign", top.TopCPU)
	}
	if local := localModules(side("x", ms)); !local["svc"] || len(local) != 1 {
		t.Errorf("localModules = %v, want svc", local)
	}
	if !isStd("svc.Sign", nil) || isStd("svc.Sign", map[string]bool{"svc": true}) || !isStd("crypto/sha256.Sum256", map[string]bool{"svc": true}) {
		t.Error("isStd: svc.Sign is the standard library's unless svc is local; crypto/sha256 always is")
	}
}

// TestExplainWithoutProfiles: runs that took no profile have nothing to
// explain, so the front ends show no section.
func TestExplainWithoutProfiles(t *testing.T) {
	runs := []Run{{Result: &loadtest.Result{Scenario: "s", Requests: 10}, Dir: t.TempDir()}}
	if r := Explain("s", runs, runs); r != nil {
		t.Errorf("Explain = %+v, want nil", r)
	}
}

// TestNoteOfWrongProfile: a file named as a CPU profile that holds another
// kind (a heap profile copied over it) is named in the note, with the
// values it has. The note named no file and printed the sample types as
// pointers ("[0x1ca0aaa37c50 …]").
func TestNoteOfWrongProfile(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	run := writeRun(t, dir, "r", 10, int64(time.Second), map[string]*profile.Profile{"heap": heapProfile(t0, stack{1000, []string{"a.b"}})})
	run.Result.Profiles[loadtest.ProfileCPU] = run.Result.Profiles[loadtest.ProfileHeap]
	s := Load([]Run{run})
	want := filepath.Join(dir, "r.heap.pprof") + ": no cpu values in this profile (it has alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes)"
	if len(s.Notes) != 1 || s.Notes[0] != want {
		t.Errorf("notes %q, want %q", s.Notes, want)
	}
}

// TestProfileOnlyBesideResult: a result names its profiles, and a result
// can come from a job that ran a pull request's code (the action's
// from-results, in a workflow_run job with a write token). A name that
// leads out of the result's directory, or a link, had that job read any
// file of its machine (its notes named the file in the comment, and
// "../../dev/zero" never ended); only a regular file beside the result
// is read.
func TestProfileOnlyBesideResult(t *testing.T) {
	outside := t.TempDir()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	cpu := newProfile(cpuValue, 1, int64(time.Second), stack{10 * ms, []string{"a.b"}})
	writeRun(t, outside, "secret", 10, int64(time.Second), map[string]*profile.Profile{"cpu": cpu, "heap": heapProfile(t0, stack{1000, []string{"a.b"}})})
	for _, tt := range []struct{ name, give, want string }{
		{"up", "../" + filepath.Base(outside) + "/secret.cpu.pprof", "not a file name in this directory"},
		{"absolute", filepath.Join(outside, "secret.cpu.pprof"), "not a file name in this directory"},
		{"link", "link.cpu.pprof", "not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(filepath.Dir(outside), "results-"+tt.name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			if err := os.Symlink(filepath.Join(outside, "secret.cpu.pprof"), filepath.Join(dir, "link.cpu.pprof")); err != nil {
				t.Skip(err)
			}
			run := Run{Result: &loadtest.Result{Scenario: "s", Requests: 10, DurationNS: int64(time.Second), Profiles: map[string]string{loadtest.ProfileCPU: tt.give}}, Dir: dir}
			s := Load([]Run{run})
			if s.CPU != nil {
				t.Fatalf("the profile %q outside %s was read", tt.give, dir)
			}
			if len(s.Notes) != 1 || !strings.Contains(s.Notes[0], tt.want) {
				t.Errorf("notes %q, want one saying %q", s.Notes, tt.want)
			}
		})
	}
}

// TestSectionsWithoutSamples: a light load in a short run (the example
// shop's TestLoadRemote, 100 requests to a service in another process)
// can leave a CPU profile without a sample. loadgate run's summary
// printed "CPU per request 0s" over a table header with no row; every
// rendering now says why there is none.
func TestSectionsWithoutSamples(t *testing.T) {
	run := writeRun(t, t.TempDir(), "r", 100, int64(time.Second), map[string]*profile.Profile{"cpu": newProfile(cpuValue, 10*ms, int64(time.Second))})
	r := Explain("s", nil, []Run{run})
	if r == nil {
		t.Fatal("Explain = nil for a run with a CPU profile")
	}
	want := []Section{{Resource: "CPU", Total: "CPU per request 0s (1 run, 100 requests)",
		Note: "no CPU samples of the load in the profiles (10ms each): too few to say where it went"}}
	if diff := cmp.Diff(want, r.Sections()); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	var text, md bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if s := text.String(); strings.Contains(s, "flat") || !strings.Contains(s, "\n    "+want[0].Note+"\n") {
		t.Errorf("text:\n%s", s)
	}
	if s := md.String(); strings.Contains(s, "| function") || !strings.Contains(s, want[0].Total+"; "+want[0].Note+".") {
		t.Errorf("Markdown:\n%s", s)
	}
}

// TestSectionsAgainstBaseWithoutProfiles: a base whose runs took no
// profiles (recorded before -profile was on) leaves the head's costliest
// functions, which still point at code, and says the base has none, naming
// the profile as -profile and the files do (heap, not "allocations"). Each
// section said only "the base has no cpu profile to compare with".
func TestSectionsAgainstBaseWithoutProfiles(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	head := writeRun(t, t.TempDir(), "h", 10, int64(time.Second), map[string]*profile.Profile{
		"cpu":        newProfile(cpuValue, 10*ms, int64(time.Second), stack{50 * ms, []string{"crypto/sha256.block", "example.com/svc.sign"}}),
		"heap-start": heapProfile(t0),
		"heap":       heapProfile(t0.Add(time.Second), stack{10 << 20, []string{"example.com/svc.encode"}}),
	})
	base := Run{Result: &loadtest.Result{Schema: loadtest.SchemaVersion, Scenario: "s", Requests: 10, DurationNS: int64(time.Second)}, Dir: t.TempDir()}
	r := Explain("s", []Run{base}, []Run{head})
	if r == nil {
		t.Fatal("Explain = nil for a head with profiles")
	}
	want := []Section{
		{Resource: "CPU", Total: "CPU per request 5ms (1 head run, 10 requests; the base has no CPU profile to compare with)",
			Rows: [][]string{{"svc.sign", "5ms", "0s", "5ms"}}},
		{Resource: "allocations", Total: "allocations per request 1MiB (1 head run, 10 requests; the base has no heap profile to compare with)",
			Rows: [][]string{{"svc.encode", "1MiB", "1MiB", "1MiB"}}},
	}
	if diff := cmp.Diff(want, r.Sections()); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if s := md.String(); !strings.Contains(s, want[0].Total+":\n\n| function | own CPU per request | flat | cum |") || !strings.Contains(s, "| `svc.sign` | 5ms |") {
		t.Errorf("Markdown:\n%s", s)
	}
}

// TestSectionsWithoutSamplesAgainstBase: a comparison whose head (and
// base) profiles hold no sample, such as a run whose one request waited
// the whole load. loadgate compare printed "CPU per request 0s → 0s (new;
// …)" and "no function's own CPU per request grew by more than sampling
// noise", a finding where there was nothing to rank.
func TestSectionsWithoutSamplesAgainstBase(t *testing.T) {
	empty := writeRun(t, t.TempDir(), "e", 1, int64(time.Second), map[string]*profile.Profile{"cpu": newProfile(cpuValue, 10*ms, int64(time.Second))})
	busy := writeRun(t, t.TempDir(), "b", 100, int64(time.Second), map[string]*profile.Profile{"cpu": newProfile(cpuValue, 10*ms, int64(time.Second), stack{50 * ms, []string{"svc.f"}})})
	note := "no CPU samples of the load in the profiles (10ms each): too few to say where it went"
	tests := []struct {
		name string
		base Run
		want Section
	}{
		{"both empty", empty, Section{Resource: "CPU", Total: "CPU per request 0s → 0s (+0%; 1 base run and 1 head run)", Note: note}},
		{"base busy", busy, Section{Resource: "CPU", Total: "CPU per request 500µs → 0s (-100%; 1 base run and 1 head run)", Note: note}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Explain("s", []Run{tt.base}, []Run{empty})
			if r == nil {
				t.Fatal("Explain = nil for runs with CPU profiles")
			}
			if diff := cmp.Diff([]Section{tt.want}, r.Sections()); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNoteOfUnmergeableProfile: one run's CPU profile with other value
// types than the rest (made by another tool) failed the merge of all of
// them: the CPU section was gone, and its note ("merging the CPU
// profiles: incompatible sample types …") named no file. The odd profile
// is now left out, named, and the other runs' are read.
func TestNoteOfUnmergeableProfile(t *testing.T) {
	dir := t.TempDir()
	sign := []string{"example.com/shop.sign"}
	odd := newProfile(cpuValue, 10*ms, int64(time.Second), stack{100 * ms, sign})
	odd.SampleType = odd.SampleType[1:] // cpu/nanoseconds only
	for _, s := range odd.Sample {
		s.Value = s.Value[1:]
	}
	runs := []Run{
		writeRun(t, dir, "r1", 100, int64(time.Second), map[string]*profile.Profile{
			"cpu": newProfile(cpuValue, 10*ms, int64(time.Second), stack{100 * ms, sign}),
		}),
		writeRun(t, dir, "r2", 100, int64(time.Second), map[string]*profile.Profile{"cpu": odd}),
	}
	s := Load(runs)
	if s.CPU == nil || s.CPU.Runs != 1 || s.CPU.Total != float64(100*ms) {
		t.Errorf("CPU = %+v, want r1's profile alone", s.CPU)
	}
	want := filepath.Join(dir, "r2.cpu.pprof") + ": its values (cpu/nanoseconds; period cpu/nanoseconds) are not those of the other runs' profiles (samples/count, cpu/nanoseconds; period cpu/nanoseconds): left out"
	if len(s.Notes) != 1 || s.Notes[0] != want {
		t.Errorf("notes %q,\nwant %q", s.Notes, want)
	}
}

// TestProfileGzipBounded: a profile's gzip is decompressed within the
// bound of its file's size. A result's profile, in results a pull
// request's run wrote (the action's from-results, in a workflow_run job),
// could be a gzip of a few megabytes holding gigabytes of zeros, which
// profile.ParseData would have decompressed into memory whole; a gzip
// inside the gzip would have been opened unbounded by ParseData in turn.
func TestProfileGzipBounded(t *testing.T) {
	old := maxProfileBytes
	maxProfileBytes = 1 << 20
	t.Cleanup(func() { maxProfileBytes = old })
	gz := func(data []byte) []byte {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		w.Write(data)
		w.Close()
		return b.Bytes()
	}
	for _, tt := range []struct{ name, want string }{
		{"bomb", "decompressed, more than a profile may have"},
		{"nested", "a gzip inside a gzip"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := gz(make([]byte, 8<<20))
			if tt.name == "nested" {
				data = gz(data)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "r.cpu.pprof"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			run := Run{Result: &loadtest.Result{Scenario: "s", Requests: 10, DurationNS: int64(time.Second), Profiles: map[string]string{loadtest.ProfileCPU: "r.cpu.pprof"}}, Dir: dir}
			s := Load([]Run{run})
			if s.CPU != nil || len(s.Notes) != 1 || !strings.Contains(s.Notes[0], tt.want) {
				t.Errorf("notes %q, want one saying %q", s.Notes, tt.want)
			}
		})
	}
	// A profile as pprof writes it, gzipped, is read as before.
	dir := t.TempDir()
	cpu := newProfile(cpuValue, 1, int64(time.Second), stack{10 * ms, []string{"a.b"}})
	if s := Load([]Run{writeRun(t, dir, "ok", 10, int64(time.Second), map[string]*profile.Profile{"cpu": cpu})}); s.CPU == nil {
		t.Errorf("a gzipped profile within the bound was not read: %q", s.Notes)
	}
}
