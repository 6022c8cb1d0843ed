package loadtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/jsonpos"
	"github.com/loadgate/loadgate/internal/readfile"
)

// WriteFile writes r as JSON into dir as <scenario>.json, or, when that file
// exists (another run of the same scenario, e.g. go test -count=N),
// <scenario>.2.json, <scenario>.3.json and so on: no run overwrites another.
// In the file name every character of the scenario's name other than ASCII
// letters, digits, '-', '_' and '.' becomes '_' ("checkout v2" is written to
// checkout_v2.json, as its baseline is named). A shard's result
// (Result.Shard) is named after its shard too, checkout.shard-2-of-4.json,
// so that the shards of a run can share one directory. What the run kept
// beside its numbers is written next to it under the same stem: the
// profiles it took ([Scenario.Profile]) as checkout_v2.2.cpu.pprof and so
// on, named by kind in r.Profiles, and its flight recording
// ([FlightRecorder]) as checkout_v2.2.trace, named in
// r.FlightRecording.File. WriteFile sets those names once the files are in
// place (so a result that took profiles or a recording must not be written
// from two goroutines at once; one that took neither is only read); a
// result without them in memory, such as one read by [ReadFile], is written
// with the names it has. Each file appears whole or not at all: it is
// written to a temporary file in dir and then linked into place, the files
// beside it before the result that names them. WriteFile returns the path
// of the result.
// A result that [Result.Validate] refuses is not written.
func WriteFile(dir string, r *Result) (string, error) {
	// A file ReadFile would refuse is not written: the fault is the
	// writer's, and is best told where it is made.
	if err := r.Validate(); err != nil {
		return "", fmt.Errorf("not writing the result of %s: %w", r.Scenario, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%s: %w", EnvOut, err)
	}
	base := filename.Safe(r.Scenario)
	if sh := r.Shard; sh != nil && sh.Index > 0 {
		base += fmt.Sprintf(".shard-%d-of-%d", sh.Index, sh.Count)
	}
	var sides []sidecar
	defer func() {
		for _, sc := range sides {
			os.Remove(sc.tmp)
		}
	}()
	for _, p := range r.profiles {
		tmp, err := writeTemp(dir, base, p.Data)
		if err != nil {
			return "", err
		}
		sides = append(sides, sidecar{kind: p.Kind, suffix: "." + p.Kind + ".pprof", tmp: tmp})
	}
	if r.FlightRecording != nil && r.flightTrace != nil {
		tmp, err := writeTemp(dir, base, r.flightTrace)
		if err != nil {
			return "", err
		}
		sides = append(sides, sidecar{suffix: ".trace", tmp: tmp})
	}
	for n := 1; n < 100000; n++ {
		stem := base
		if n > 1 {
			stem = fmt.Sprintf("%s.%d", base, n)
		}
		path := filepath.Join(dir, stem+".json")
		if _, err := os.Lstat(path); err == nil {
			continue // taken: no need to claim the names beside it
		}
		// Link, unlike rename, fails when the name is taken, so concurrent
		// runs each claim a number of their own: the files beside the
		// result first, then the result's.
		linked, err := linkSidecars(dir, stem, sides)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		written, err := writeResult(dir, path, stem, r, sides)
		if err == nil {
			return written, nil
		}
		for _, l := range linked {
			os.Remove(l)
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("writing result: too many results for %s in %s", r.Scenario, dir)
}

// sidecar is a file written beside a result: a profile of kind, or the
// flight recording (kind ""), in the temporary file tmp until it is
// linked to <stem><suffix>.
type sidecar struct {
	kind, suffix, tmp string
}

// linkSidecars links the temporary files of sides to <stem><suffix> and
// returns the paths linked. If a name is taken it removes what it linked
// and returns an error wrapping fs.ErrExist.
func linkSidecars(dir, stem string, sides []sidecar) ([]string, error) {
	var linked []string
	for _, sc := range sides {
		path := filepath.Join(dir, stem+sc.suffix)
		if err := os.Link(sc.tmp, path); err != nil {
			for _, l := range linked {
				os.Remove(l)
			}
			if errors.Is(err, fs.ErrExist) {
				return nil, err
			}
			return nil, fmt.Errorf("writing %s: %w", path, err)
		}
		linked = append(linked, path)
	}
	return linked, nil
}

// writeResult writes r to path, naming the files written beside it under
// stem (none: r's own names); an error wraps fs.ErrExist when path is
// taken. Once written, r names them too.
func writeResult(dir, path, stem string, r *Result, sides []sidecar) (string, error) {
	c := *r // r is left alone until the file is in place
	var profiles map[string]string
	var flight *FlightRecording
	for _, sc := range sides {
		switch {
		case sc.kind != "":
			if profiles == nil {
				profiles = map[string]string{}
			}
			profiles[sc.kind] = stem + sc.suffix
		default:
			fr := *r.FlightRecording
			fr.File = stem + sc.suffix
			flight = &fr
		}
	}
	if profiles != nil {
		c.Profiles = profiles
	}
	if flight != nil {
		c.FlightRecording = flight
	}
	data, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding result of %s: %w", r.Scenario, err)
	}
	tmp, err := writeTemp(dir, filename.Safe(r.Scenario), append(data, '\n'))
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", err
		}
		return "", fmt.Errorf("writing result %s: %w", path, err)
	}
	if profiles != nil {
		r.Profiles = profiles
	}
	if flight != nil {
		r.FlightRecording.File = flight.File
	}
	return path, nil
}

// writeTemp writes data to a new hidden temporary file in dir (readers of
// results skip hidden files), readable by all, and returns its path.
func writeTemp(dir, base string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(dir, ".tmp-"+base+"-*")
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvOut, err)
	}
	// CreateTemp makes the file private (0600); a result is for every
	// reader of the directory, such as a CI step run as another user.
	err = tmp.Chmod(0o644)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	return tmp.Name(), nil
}

// ReadFile reads a result file that [WriteFile] wrote. It is the one reader
// of result files: every problem is an error naming the file, and where the
// JSON is at fault its line, column and the path of the value
// ("file.json:12:5: latency.p99_ns: ..."): a file that is not one JSON
// object, a schema other than [SchemaVersion], a value of the wrong type;
// and numbers that cannot have been measured ([Result.Validate]: a
// negative percentile, one above the next, more errors than requests, a
// rate faster than the requests allow), named by field and value
// ("file.json: result of checkout: latency.p99_ns = -5000000: negative").
// Every reader of results (loadgate compare, run and export, the Action)
// reads them through it.
//
// A file longer than [MaxResultFileBytes] is refused before it is read:
// the results a pull request from a fork uploads are read by a job that
// holds a write token, and decoding a gigabyte would take several.
func ReadFile(path string) (*Result, error) {
	data, err := readfile.Bounded(path, MaxResultFileBytes, "a result file")
	if err != nil {
		return nil, err
	}
	return decodeFile(path, data)
}

// MaxResultFileBytes is the longest result file [ReadFile] reads, 128 MiB:
// far beyond what loadtest writes (the timeline of an hour's run, a line
// a second, is under a megabyte).
const MaxResultFileBytes = 128 << 20

// requiredFields are the fields every result has (schema/result.v1.json's
// "required"): a file without one was not written whole by loadtest, and
// reading it as zero would pass for a measurement.
var requiredFields = []string{"schema", "scenario", "run_id", "started", "duration_ns", "env", "load",
	"requests", "errors", "error_rate", "dropped", "abandoned", "rate", "throughput", "latency",
	"service_time", "error_kinds", "pacer_lag_max_ns", "runtime", "stages", "timeline", "leaks"}

// requiredLatencyFields are the fields every latency has
// (schema/result.v1.json's $defs.latency).
var requiredLatencyFields = []string{"count", "min_ns", "mean_ns", "p50_ns", "p90_ns", "p95_ns", "p99_ns", "p999_ns", "max_ns"}

// nullable are the required fields that loadtest writes as null when
// empty (Go's nil slices and maps).
var nullable = []string{"error_kinds", "stages", "timeline", "leaks"}

// checkRequired refuses an object that lacks one of the fields, or holds
// null in one that is never null: a file without them was not written
// whole by loadtest. prefix is the object's path in the result
// ("latency.").
func checkRequired(obj map[string]json.RawMessage, fields []string, prefix string) error {
	var missing, null []string
	for _, k := range fields {
		switch v, ok := obj[k]; {
		case !ok:
			missing = append(missing, strconv.Quote(prefix+k))
		case string(bytes.TrimSpace(v)) == "null" && (prefix != "" || !slices.Contains(nullable, k)):
			null = append(null, prefix+k)
		}
	}
	switch {
	case len(missing) > 0:
		return fmt.Errorf("no %s field: an incomplete result (%s requires every field loadtest writes; schema/result.v1.json)", strings.Join(missing, ", "), SchemaVersion)
	case len(null) > 0:
		return fmt.Errorf("%s: null, where loadtest writes a value: an incomplete result (schema/result.v1.json)", strings.Join(null, ", "))
	}
	return nil
}

func decodeFile(path string, data []byte) (*Result, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field == "" {
			return nil, fmt.Errorf("%s: a JSON %s, not an object: not a loadgate result (%s)", path, te.Value, SchemaVersion)
		}
		return nil, located(path, data, dec.InputOffset(), err, nil)
	}
	end := dec.InputOffset() // just past the value
	if _, err := dec.Token(); err != io.EOF {
		line, col := jsonpos.Position(data, jsonpos.Trailing(data, end))
		return nil, fmt.Errorf("%s:%d:%d: unexpected data after the JSON object", path, line, col)
	}
	var schema string
	switch raw, ok := top["schema"]; {
	case !ok:
		return nil, fmt.Errorf("%s: no \"schema\" field: not a loadgate result (%s)", path, SchemaVersion)
	case json.Unmarshal(raw, &schema) != nil || schema != SchemaVersion:
		return nil, fmt.Errorf("%s: schema %s, want %q", path, raw, SchemaVersion)
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, located(path, data, 0, err, &r)
	}
	if err := r.Validate(); err != nil {
		if r.Scenario == "" {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, fmt.Errorf("%s: result of %s: %w", path, r.Scenario, err)
	}
	if err := checkRequired(top, requiredFields, ""); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, k := range []string{"latency", "service_time"} {
		var l map[string]json.RawMessage
		if json.Unmarshal(top[k], &l) == nil { // an object: decoded into r above
			if err := checkRequired(l, requiredLatencyFields, k+"."); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	return &r, nil
}

// located writes the error of decoding data into v (nil if none) as
// file:line:col: message, at the value at fault and naming its path.
func located(path string, data []byte, fallback int64, err error, v any) error {
	e := jsonpos.Locate(data, err, fallback, v)
	return fmt.Errorf("%s:%d:%d: %w", path, e.Line, e.Col, e.Err)
}
