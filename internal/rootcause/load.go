package rootcause

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/loadgate/loadgate/loadtest"
)

// Run is one run of a scenario: its result, and the directory of its result
// file, where the profiles it names are.
type Run struct {
	Result *loadtest.Result
	Dir    string
}

// Set is what the profiles of a set of runs of one scenario say.
type Set struct {
	// CPU is the CPU time of the runs' CPU profiles; nil when no run has
	// one. Alloc is the bytes allocated during the runs' loads, from their
	// heap profiles at both ends; nil when no run has both.
	CPU, Alloc *Table
	// Notes say which profiles could not be read or used.
	Notes []string
}

// sampleTypes name the value of a profile that each table sums.
var (
	cpuValue   = profile.ValueType{Type: "cpu", Unit: "nanoseconds"}
	allocValue = profile.ValueType{Type: "alloc_space", Unit: "bytes"}
)

// Load reads and merges the profiles of runs. A profile that is missing or
// does not parse is left out with a note, not an error: a comparison must
// not fail over a diagnostic.
func Load(runs []Run) *Set { return load(runs, localModules(runs)) }

// load is Load with the runs' own modules (isStd) given: a comparison
// counts a function as the same kind of code on both sides.
func load(runs []Run, local map[string]bool) *Set {
	s := &Set{}
	var cpu, alloc []*profile.Profile
	var cpuReq, allocReq float64
	var cpuRuns, allocRuns int
	for _, r := range runs {
		res := r.Result
		if res == nil || len(res.Profiles) == 0 {
			continue
		}
		if name, ok := res.Profiles[loadtest.ProfileCPU]; ok {
			p, err := read(r.Dir, name)
			if err == nil {
				err = hasValue(filepath.Join(r.Dir, name), p, cpuValue)
			}
			if err == nil && len(cpu) > 0 {
				err = mergeable(filepath.Join(r.Dir, name), cpu[0], p)
			}
			if err != nil {
				s.note(err)
			} else {
				cpu = append(cpu, p)
				cpuReq += covered(res, p.DurationNanos)
				cpuRuns++
			}
		}
		startName, okStart := res.Profiles[loadtest.ProfileHeapStart]
		endName, okEnd := res.Profiles[loadtest.ProfileHeap]
		if okStart && okEnd {
			d, span, err := heapDelta(r.Dir, startName, endName)
			if err == nil && len(alloc) > 0 {
				err = mergeable(filepath.Join(r.Dir, endName), alloc[0], d)
			}
			if err != nil {
				s.note(err)
			} else {
				alloc = append(alloc, d)
				allocReq += covered(res, span)
				allocRuns++
			}
		}
	}
	var err error
	if s.CPU, err = tabulate(cpu, cpuValue, cpuRuns, cpuReq, local); err != nil {
		s.note(fmt.Errorf("merging the CPU profiles: %w", err))
	}
	if s.Alloc, err = tabulate(alloc, allocValue, allocRuns, allocReq, local); err != nil {
		s.note(fmt.Errorf("merging the heap profiles: %w", err))
	}
	return s
}

func (s *Set) note(err error) { s.Notes = append(s.Notes, err.Error()) }

// maxProfileBytes bounds the size of a profile file read, and of the
// protocol buffer its gzip holds: a CPU or heap profile of a load test is
// a few megabytes. A variable only so that a test can lower it.
var maxProfileBytes int64 = 256 << 20

// read parses the profile file name in dir. name must be a file name in
// dir, as loadtest.WriteFile writes it beside the result, and the file a
// regular one: a result can come from a job that ran a pull request's
// code (the action's from-results, in a workflow_run job with a write
// token), and a name such as "../../../home/runner/.ssh/id_rsa", a link
// out of dir or "../../dev/zero" would have that job read any file of its
// machine, name it in the comment, or never end.
func read(dir, name string) (*profile.Profile, error) {
	if name != filepath.Base(name) || !filepath.IsLocal(name) {
		return nil, fmt.Errorf("%s: profile %q: not a file name in this directory, where loadtest writes a result's profiles: not read", dir, name)
	}
	path := filepath.Join(dir, name)
	fi, err := os.Lstat(path)
	switch {
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file (%s): not read", path, fi.Mode().Type())
	case fi.Size() > maxProfileBytes:
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a profile may have: not read", path, fi.Size(), maxProfileBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if data, err = gunzip(path, data); err != nil {
		return nil, err
	}
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// gunzip returns data, a profile file's bytes, decompressed when they are
// gzipped, as pprof writes them. profile.ParseData would decompress them
// itself, without a bound: a gzip of a few megabytes, in results a pull
// request's run wrote, holds gigabytes of zeros, which the action's
// workflow_run job would have held in memory. A gzip inside the gzip is
// refused too, as ParseData would open that one unbounded.
func gunzip(path string, data []byte) ([]byte, error) {
	if !isGzip(data) {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxProfileBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	case int64(len(out)) > maxProfileBytes:
		return nil, fmt.Errorf("%s: more than %d bytes decompressed, more than a profile may have: not read", path, maxProfileBytes)
	case isGzip(out):
		return nil, fmt.Errorf("%s: a gzip inside a gzip, which pprof does not write: not read", path)
	}
	return out, nil
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// hasValue checks that p, read from path, has a value of type t.
func hasValue(path string, p *profile.Profile, t profile.ValueType) error {
	if valueIndex(p, t) >= 0 {
		return nil
	}
	return fmt.Errorf("%s: no %s values in this profile (it has %s)", path, t.Type, sampleTypes(p))
}

// sampleTypes lists the sample types of p: "samples/count,
// cpu/nanoseconds", or "none".
func sampleTypes(p *profile.Profile) string {
	var types []string
	for _, st := range p.SampleType {
		types = append(types, st.Type+"/"+st.Unit)
	}
	if len(types) == 0 {
		return "none"
	}
	return strings.Join(types, ", ")
}

// mergeable checks that p, read from path, has the sample and period
// types of first, the profile of another run it is to be merged with, as
// profile.Merge requires. A profile that has not (one of another tool, or
// a Go that names its values otherwise) is left out with a note naming
// its file, instead of failing the merge of every run's profiles with a
// note that names none.
func mergeable(path string, first, p *profile.Profile) error {
	want, got := valueTypes(first), valueTypes(p)
	if got != want {
		return fmt.Errorf("%s: its values (%s) are not those of the other runs' profiles (%s): left out", path, got, want)
	}
	return nil
}

// valueTypes lists the sample types of p and, after a semicolon, its
// period type: "samples/count, cpu/nanoseconds; cpu/nanoseconds".
func valueTypes(p *profile.Profile) string {
	period := "none"
	if p.PeriodType != nil {
		period = p.PeriodType.Type + "/" + p.PeriodType.Unit
	}
	return sampleTypes(p) + "; period " + period
}

func valueIndex(p *profile.Profile, t profile.ValueType) int {
	for i, st := range p.SampleType {
		if st.Type == t.Type && st.Unit == t.Unit {
			return i
		}
	}
	return -1
}

// heapDelta returns what was allocated between the heap profiles start and
// end of one run's load, as a profile, and the time between them.
func heapDelta(dir, startName, endName string) (*profile.Profile, int64, error) {
	start, err := read(dir, startName)
	if err != nil {
		return nil, 0, err
	}
	end, err := read(dir, endName)
	if err != nil {
		return nil, 0, err
	}
	if err := hasValue(filepath.Join(dir, endName), end, allocValue); err != nil {
		return nil, 0, err
	}
	span := end.TimeNanos - start.TimeNanos
	start.Scale(-1)
	d, err := profile.Merge([]*profile.Profile{end, start})
	if err != nil {
		return nil, 0, fmt.Errorf("%s minus %s: %w", filepath.Join(dir, endName), startName, err)
	}
	return d, span, nil
}

// covered is how many of the result's requests a profile spanning spanNS
// covers: all of them when the test process profiled itself (its profiles
// start and stop with the measured load, whatever the clocks of the
// profile and the result say to a millisecond), fewer when a watched
// service's profile is shorter than the load (its CPU profile covers the
// load's whole seconds only), counting the requests as evenly spread.
func covered(r *loadtest.Result, spanNS int64) float64 {
	n := float64(r.Requests)
	if r.Server == nil || spanNS <= 0 || r.DurationNS <= 0 || spanNS >= r.DurationNS {
		return n
	}
	return n * float64(spanNS) / float64(r.DurationNS)
}
