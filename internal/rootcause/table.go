package rootcause

import (
	"regexp"
	"slices"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/loadgate/loadgate/loadtest"
)

// Table is the cost of every function in the merged profiles of a set of
// runs: CPU nanoseconds, or bytes allocated. What the profilers and the
// execution tracer cost themselves is left out, and so is, apart in
// Generator, what loadgate's load generator cost (see [isGenerator]).
type Table struct {
	// Runs counts the runs whose profiles are in the table; Requests the
	// requests those profiles cover.
	Runs     int
	Requests float64
	// Total is the cost of the whole profile, without Generator's.
	Total float64
	// Generator is the cost of the samples left out as loadgate's own
	// generator's: in a test process that runs the service, its sending,
	// recording and HTTP or gRPC client.
	Generator float64
	// Period is the cost one sample of the profile stands for: 10 ms of
	// CPU at 100 Hz, about 512 KiB for the heap (runtime.MemProfileRate).
	Period float64
	// Funcs holds each function's cost by its full name, such as
	// "github.com/loadgate/loadgate/examples/shop.sign".
	Funcs map[string]Cost
}

// Cost is what one function cost: Flat in the function itself, Cum in it
// and everything it called, Own in it and in the standard library it
// called (a sample whose every frame is the standard library's or the
// runtime's, such as a garbage collection worker, is its innermost
// function's own).
type Cost struct {
	Flat, Cum, Own float64
}

// PerRequest returns the table's total divided by the requests it covers.
func (t *Table) PerRequest() float64 {
	if t == nil || t.Requests <= 0 {
		return 0
	}
	return t.Total / t.Requests
}

// measuringFrames are the functions of what measures the run rather than
// serves it: Go's profilers (writing and compressing a profile, in the
// test process or in a service serving net/http/pprof), its execution
// tracer (the events a flight recording writes, runtime.traceLocker's and
// runtime.traceWriter's, and reading them out; not runtime.traceback*,
// which a program's runtime.Callers runs) and loadgate's flight recorder.
// A sample with one of them on its stack is the cost of measuring, not of
// the requests, and is left out: with -flight the tracer's events showed
// as cost per request, and with it on one side only they would read as
// a function that grew.
var measuringFrames = regexp.MustCompile(`^(runtime|net/http)/pprof\.|^runtime/trace\.|^runtime\.(\(\*)?g?[tT]race[A-Z]|^runtime\.(ReadTrace|readTrace|fpTracebackPCs)|^github\.com/loadgate/loadgate/loadtest\.\(\*flight\)\.`)

// tabulate merges the profiles and sums their values of type vt by
// function, without the samples of measuring the run (measuringFrames) and
// those of loadgate's generator (isGenerator, counted in Generator); nil
// when there are none.
// local names the runs' own modules whose paths have no dot (see isStd).
func tabulate(ps []*profile.Profile, vt profile.ValueType, runs int, requests float64, local map[string]bool) (*Table, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	merged, err := profile.Merge(ps)
	if err != nil {
		return nil, err
	}
	merged.FilterSamplesByName(nil, measuringFrames, nil, nil)
	idx := valueIndex(merged, vt)
	t := &Table{Runs: runs, Requests: requests, Period: float64(merged.Period), Funcs: map[string]Cost{}}
	var frames []string
	seen := map[string]bool{}
	for _, s := range merged.Sample {
		v := float64(s.Value[idx])
		if v == 0 {
			continue
		}
		t.Total += v
		frames = frames[:0]
		for _, loc := range s.Location {
			// A location's lines run from the innermost inlined
			// function to the one it was inlined into.
			for _, l := range loc.Line {
				if l.Function != nil {
					frames = append(frames, l.Function.Name)
				}
			}
		}
		if len(frames) == 0 {
			frames = append(frames, "unknown")
		}
		if isGenerator(s, frames, local) {
			t.Total -= v
			t.Generator += v
			continue
		}
		own := frames[0]
		for _, f := range frames {
			if !isStd(f, local) {
				own = f
				break
			}
		}
		clear(seen)
		for i, f := range frames {
			c := t.Funcs[f]
			if i == 0 {
				c.Flat += v
			}
			if f == own && !seen[f] {
				c.Own += v
			}
			if !seen[f] {
				c.Cum += v
				seen[f] = true
			}
			t.Funcs[f] = c
		}
	}
	return t, nil
}

// generatorFrames are the functions of the load generator and the test
// harness around it, in the test process: loadgate's loadtest (and its
// subpackages), its internal packages, assert and baseline, the HDR
// histograms it records latencies in, and package testing. (Not
// loadgate's examples and perf packages: their code is a service's.)
var generatorFrames = regexp.MustCompile(`^github\.com/loadgate/loadgate/(loadtest|internal|assert|baseline)[./]|^github\.com/HdrHistogram/hdrhistogram-go\.|^testing\.`)

// grpcloadFrames are the functions of loadgate's gRPC client, package
// loadtest/grpcload: a gRPC target's request (its Hit, which runs the load
// test's function) and the calls made through its Conn.
var grpcloadFrames = regexp.MustCompile(`^github\.com/loadgate/loadgate/loadtest/grpcload[./]`)

// grpcFrames are the functions of gRPC and the libraries it runs on, for
// its client and its server alike: google.golang.org/grpc,
// google.golang.org/protobuf, google.golang.org/genproto and
// golang.org/x/net (HTTP/2 and HPACK).
var grpcFrames = regexp.MustCompile(`^google\.golang\.org/(grpc|protobuf|genproto)[./]|^golang\.org/x/net/`)

// isGenerator tells whether the sample s, of the given frames, is the
// cost of loadgate's load generator rather than of the service it loads,
// which shares the test process when the test runs it. It is:
//
//   - when s has a frame of grpcload (grpcloadFrames): a gRPC target's
//     request runs on the client's side of the connection, so all of it
//     is the load's: the load test's function, the generated client it
//     calls, gRPC's client and the marshalling of its messages, also
//     where these are the service's own *.pb.go types (and any of the
//     service's code the function calls itself rather than over the
//     connection);
//   - otherwise, when s has a frame of the generator (generatorFrames) or
//     carries loadtest's label on the goroutines that send the load and on
//     those they start (a CPU sample of the HTTP client's connection
//     reader, net/http.(*persistConn).readLoop, has only the standard
//     library's frames; grpcload opens its connections under the label,
//     so gRPC's transport goroutines carry it too), and no frame of the
//     service's code: none outside the standard library, the generator,
//     the load test's external test package (a path ending in _test,
//     whose functions make the requests) and, with the label, gRPC's
//     libraries (grpcFrames).
//
// Outside a gRPC target's request, a sample that passes through the
// service's code is the service's, even if its innermost function is the
// runtime's: a Func target calling the service directly, or its handler
// on the server's goroutine. gRPC's server runs on goroutines without the label (those the
// test's grpc.Server.Serve starts), so its frames, the unmarshalling of
// the service's *.pb.go types included, stay the service's. What neither
// side's code is on, such as a garbage collection worker, stays in: both
// cause it.
func isGenerator(s *profile.Sample, frames []string, local map[string]bool) bool {
	labelled := slices.Contains(s.Label[loadtest.GeneratorLabelKey], loadtest.GeneratorLabelValue)
	gen, service := labelled, false
	for _, f := range frames {
		switch {
		case grpcloadFrames.MatchString(f):
			return true // a gRPC target's request, inner frames first
		case generatorFrames.MatchString(f):
			gen = true
		case isStd(f, local), strings.HasSuffix(packageOf(f), "_test"):
		case labelled && grpcFrames.MatchString(f):
		default:
			service = true // unless a frame of grpcload calls it
		}
	}
	return gen && !service
}

// isStd tells whether the function of that name is in Go's standard
// library or runtime: its package path's first element has no dot, as in
// "crypto/sha256.Sum256", "runtime.mallocgc" and
// "vendor/golang.org/x/net/http2/hpack.(*Decoder).Write", or it has no
// package, as the runtime's file-local assembly ("gcWriteBarrier",
// "memeqbody", whose callers' code caused them), other than
// package main and the first elements in local. Those are the runs' own
// modules whose paths have no dot, such as "svc" of a module made with
// go mod init svc or "example" of example/hello (see localModules): their
// code is the service's, which the ranking must name. (Another module
// without a dot in its path is taken for the standard library.)
func isStd(fn string, local map[string]bool) bool {
	pkg := packageOf(fn)
	switch pkg {
	case "":
		return true
	case "main":
		return false
	}
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".") && !local[first]
}

// localModules returns the first elements without a dot of the packages
// whose load tests made runs: "svc" of "svc/remote". A load test sits
// beside the service it loads (or in its repository), so a function under
// such a path is the service's code, not the standard library's.
func localModules(runs ...[]Run) map[string]bool {
	local := map[string]bool{}
	for _, rs := range runs {
		for _, r := range rs {
			if r.Result == nil || r.Result.Package == "" {
				continue
			}
			first, _, _ := strings.Cut(r.Result.Package, "/")
			if !strings.Contains(first, ".") && first != "main" {
				local[first] = true
			}
		}
	}
	return local
}

// packageOf returns the import path of the package of a function's
// symbol name: "crypto/sha256" of "crypto/sha256.Sum256",
// "github.com/a/b" of "github.com/a/b.(*T).m.func1", "" when it has none.
func packageOf(fn string) string {
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i] // type arguments may hold dots and slashes
	}
	slash := strings.LastIndexByte(fn, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return fn[:slash+1+dot]
}

// ShortName is a function's name without its package's directory, as
// go tool pprof shows it: "shop.sign", "http.(*conn).serve".
func ShortName(fn string) string {
	base := fn
	if i := strings.IndexByte(base, '['); i >= 0 {
		base = base[:i]
	}
	return fn[strings.LastIndexByte(base, '/')+1:]
}
