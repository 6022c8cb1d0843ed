package baseline

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/catalogue"
	"github.com/loadgate/loadgate/internal/histo"
	"github.com/loadgate/loadgate/internal/jsonpos"
	"github.com/loadgate/loadgate/loadtest"
)

// SchemaVersion identifies the JSON layout of a [Baseline]; it is documented
// by schema/baseline.v1.json in the repository. Within v1 new optional
// fields may appear; removing or changing one makes a new version.
const SchemaVersion = "loadgate.baseline/v1"

// Baseline is what a scenario measured on a known version of the code:
// the values of several runs, so that a later comparison can tell noise
// from change, and their merged latency distribution. It is stored as JSON
// (see [Load], [Record]); every duration is in integer nanoseconds.
type Baseline struct {
	Schema   string `json:"schema"`
	Scenario string `json:"scenario"`
	Package  string `json:"package,omitempty"`
	Test     string `json:"test,omitempty"`
	// UpdateID tags the update session that recorded the runs: runs are
	// added to a baseline only by the session that started it, so a
	// baseline never mixes two versions of the code.
	UpdateID string `json:"update_id"`
	// Recorded is when the last run was added.
	Recorded time.Time `json:"recorded"`
	// Commit is the git commit checked out when the runs were recorded
	// (uncommitted changes are not told), if git could say.
	Commit string `json:"commit,omitempty"`
	// Env is the machine that recorded the runs, and the target and
	// scales every run was sent to and at (Env.Target, Env.Scale,
	// Env.RateScale): a baseline is compared only with runs of the same.
	Env  loadtest.Env `json:"env"`
	Runs []Run        `json:"runs"`
	// Latency is the latency of all runs merged, with its HDR histogram
	// (runs whose result had no histogram are left out).
	Latency loadtest.Latency `json:"latency"`
}

// Run holds the values one run of a scenario measured, the ones a
// comparison looks at.
type Run struct {
	RunID      string    `json:"run_id"`
	Started    time.Time `json:"started"`
	DurationNS int64     `json:"duration_ns"`
	Requests   int64     `json:"requests"`
	P50NS      int64     `json:"p50_ns"`
	P90NS      int64     `json:"p90_ns"`
	P99NS      int64     `json:"p99_ns"`
	P999NS     int64     `json:"p999_ns"`
	ErrorRate  float64   `json:"error_rate"`
	Throughput float64   `json:"throughput"`
	Dropped    int64     `json:"dropped"`
	// GoroutineGrowth is the goroutines at the end of the load less those
	// at its start.
	GoroutineGrowth int64 `json:"goroutine_growth"`
	HeapPeakBytes   int64 `json:"heap_peak_bytes"`
	GCPauseP99NS    int64 `json:"gc_pause_p99_ns"`
	// Phases holds the HTTP phases (dns, connect, tls, ttfb, total) that
	// the run timed.
	Phases map[string]Phase `json:"phases,omitempty"`
	// Names holds the figures a comparison by request name reads
	// (Comparison.Names), by name, when the run had more than one (a mix,
	// a journey's steps): the [MaxStoredNames] busiest. Runs recorded
	// before names were kept have none, and are compared by their totals
	// only.
	Names map[string]NameRun `json:"names,omitempty"`
	// Metrics holds, by name, the values of the compared metrics that
	// joined loadgate after the fields above were fixed (the metrics of
	// internal/catalogue that have a rule). A run recorded before a metric
	// joined lacks it, and comparisons leave that metric out.
	Metrics map[string]float64 `json:"metrics,omitempty"`
	// ErrorKinds counts the run's failed requests by kind
	// (loadtest.Result.ErrorKinds), the [MaxStoredErrorKinds] most
	// frequent; a comparison names the kinds of the head that no base run
	// had ([Comparison.NewErrorKinds]). Empty when the run had no error,
	// or was recorded before runs kept their kinds.
	ErrorKinds map[string]int64 `json:"error_kinds,omitempty"`
	// Stopped says why the run ended early, if it did (a gate, an abort).
	Stopped string `json:"stopped,omitempty"`
	// GeneratorBound holds why the run was generator-bound
	// (loadtest.Generator.Reasons); empty when it was not, or when its
	// result did not say. A comparison judges latencies and throughput
	// without such a run (inconclusive when too few others are left).
	GeneratorBound []string `json:"generator_bound,omitempty"`
	// Shards is the number of shards a merged result of a sharded run
	// joined (loadgate merge); 0 for a run of one process. A merged run
	// has no runtime statistics of its own (its shards' processes do not
	// add up), so its metrics of the test process are left out of
	// comparisons.
	Shards int `json:"shards,omitempty"`
	// Partial says why the run holds a share of its load
	// ([loadtest.Result.PartialNote]): the shards a merged result lacked
	// (loadgate merge -partial, "2 of 3 shards merged, shard 2 missing"),
	// or the signal that interrupted it or one of its shards; empty for a
	// run of the whole load. Its throughput and dropped arrivals are those
	// of a share of the load, which a comparison leaves unjudged
	// ([Row.Partial]). Such a run is never recorded as a baseline.
	Partial string `json:"partial,omitempty"`
	// Spread says the run's Partial is only that its shards began out of
	// step ([loadtest.Result.Spread]): it holds the whole load, spread
	// over a longer window, so only its throughput is left unjudged.
	Spread bool `json:"spread,omitempty"`
}

// NameRun is the part of a [Run] that describes one request name.
type NameRun struct {
	Requests  int64   `json:"requests"`
	P99NS     int64   `json:"p99_ns"`
	ErrorRate float64 `json:"error_rate"`
}

// MaxStoredNames bounds the request names a baseline's run keeps
// ([Run.Names]): the busiest. A scenario naming a request by its
// parameters would otherwise store thousands of names per run.
const MaxStoredNames = 50

// Phase is the part of a [Run] that describes one HTTP phase.
type Phase struct {
	Count int64 `json:"count"`
	P50NS int64 `json:"p50_ns"`
	P99NS int64 `json:"p99_ns"`
}

// runKeys holds the JSON key of each field of Run, by the field's index.
// The catalogue names by these keys the fields that hold the metrics of
// schema v1 (catalogue.Metric.BaselineKey), so that each of those metrics
// too is one row of the catalogue.
var runKeys = func() []string {
	t := reflect.TypeFor[Run]()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i], _, _ = strings.Cut(t.Field(i).Tag.Get("json"), ",")
	}
	return keys
}()

// field returns the field of r whose JSON key is key; false for "" and
// for the keys of no field.
func (r *Run) field(key string) (reflect.Value, bool) {
	i := slices.Index(runKeys, key)
	if key == "" || i < 0 {
		return reflect.Value{}, false
	}
	return reflect.ValueOf(r).Elem().Field(i), true
}

// number reads a field of an integer or floating-point type; false for
// any other.
func number(f reflect.Value) (float64, bool) {
	switch {
	case f.CanInt():
		return float64(f.Int()), true
	case f.CanFloat():
		return f.Float(), true
	}
	return 0, false
}

// latency is the part of a latency distribution that p keeps.
func (p Phase) latency() loadtest.Latency {
	return loadtest.Latency{Count: p.Count, P50NS: p.P50NS, P99NS: p.P99NS}
}

// RunOf returns the values of res that a baseline keeps.
func RunOf(res *loadtest.Result) Run {
	r := Run{RunID: res.RunID, Started: res.Started, DurationNS: res.DurationNS, Requests: res.Requests}
	for _, m := range catalogue.All() {
		if m.Rule == nil {
			continue
		}
		v, ok := m.Read(res)
		switch f, v1 := r.field(m.BaselineKey); {
		case !ok:
			// a v1 field stays 0, as it always has
		case v1 && f.CanInt():
			f.SetInt(int64(v))
		case v1:
			f.SetFloat(v)
		default:
			if r.Metrics == nil {
				r.Metrics = make(map[string]float64)
			}
			r.Metrics[m.Name] = v
		}
	}
	for name, l := range res.Phases {
		if l.Count == 0 {
			continue
		}
		if r.Phases == nil {
			r.Phases = make(map[string]Phase)
		}
		r.Phases[name] = Phase{Count: l.Count, P50NS: l.P50NS, P99NS: l.P99NS}
	}
	r.Names = runNames(res.ByName)
	r.ErrorKinds = storedErrorKinds(res.ErrorKinds)
	if res.Stopped != nil {
		r.Stopped = res.Stopped.Cause + ": " + res.Stopped.Reason
	}
	if g := res.Generator; g.IsBound() {
		r.GeneratorBound = slices.Clone(g.Reasons)
	}
	r.Shards = len(res.Shards)
	r.Partial, r.Spread = res.PartialNote(), res.Spread()
	return r
}

// runNames keeps the figures of each request name of a result that has
// more than one (one name is the scenario itself): the MaxStoredNames
// busiest, ties broken by name.
func runNames(byName map[string]loadtest.NameResult) map[string]NameRun {
	if len(byName) < 2 {
		return nil
	}
	names := slices.Sorted(maps.Keys(byName))
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(byName[b].Requests, byName[a].Requests) })
	out := make(map[string]NameRun, min(len(names), MaxStoredNames))
	for _, n := range names[:min(len(names), MaxStoredNames)] {
		r := byName[n]
		out[n] = NameRun{Requests: r.Requests, P99NS: r.Latency.P99NS, ErrorRate: r.ErrorRate}
	}
	return out
}

// Parse decodes a baseline file's contents. name is the file's name for
// error messages. Parse checks the schema version before anything else, so
// a file written by a newer loadgate is refused with [ErrSchema] rather
// than misread; malformed JSON is a [*SyntaxError] with its line and column.
func Parse(data []byte, name string) (*Baseline, error) {
	// A syntax check over the whole file first: a truncated file must be
	// reported as such even when its schema field came through.
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, syntaxError(data, name, dec.InputOffset(), err, nil)
	}
	end := dec.InputOffset() // just past the value
	if _, err := dec.Token(); err != io.EOF {
		line, col := jsonpos.Position(data, jsonpos.Trailing(data, end))
		return nil, &SyntaxError{File: name, Line: line, Col: col, Err: errors.New("unexpected data after the baseline object")}
	}
	var head struct {
		Schema   *string `json:"schema"`
		Scenario string  `json:"scenario"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, syntaxError(data, name, 0, err, &head)
	}
	switch {
	case head.Schema == nil:
		return nil, fmt.Errorf("%s: %w: no \"schema\" field; this loadgate reads %s", name, ErrSchema, SchemaVersion)
	case *head.Schema == loadtest.SchemaVersion:
		return nil, fmt.Errorf("%s: %w %q: it is a loadgate result, not a baseline (loadgate compare and loadgate export read results; baselines are recorded with loadgate baseline update)",
			name, ErrSchema, *head.Schema)
	case *head.Schema != SchemaVersion && olderSchema(*head.Schema):
		return nil, fmt.Errorf("%s: %w %q: an older layout than %s, which this loadgate reads; record the baseline again (loadgate baseline update)",
			name, ErrSchema, *head.Schema, SchemaVersion)
	case *head.Schema != SchemaVersion && strings.HasPrefix(*head.Schema, "loadgate.baseline/"):
		return nil, fmt.Errorf("%s: %w %q; this loadgate reads %s (a newer loadgate may have written the file)",
			name, ErrSchema, *head.Schema, SchemaVersion)
	case *head.Schema != SchemaVersion:
		return nil, fmt.Errorf("%s: %w %q: not a loadgate baseline; this loadgate reads %s",
			name, ErrSchema, *head.Schema, SchemaVersion)
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, syntaxError(data, name, 0, err, &b)
	}
	if err := b.complete(data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := b.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &b, nil
}

// requiredFields and requiredRunFields are the fields every baseline, and
// every run of one, has (schema/baseline.v1.json's "required"): a file
// without one was not written whole by loadgate, and reading the field as
// zero would pass for a measurement (a throughput of 0/s no head falls
// below).
var (
	requiredFields    = []string{"schema", "scenario", "update_id", "recorded", "env", "runs", "latency"}
	requiredRunFields = []string{"run_id", "started", "duration_ns", "requests", "p50_ns", "p90_ns", "p99_ns", "p999_ns",
		"error_rate", "throughput", "dropped", "goroutine_growth", "heap_peak_bytes", "gc_pause_p99_ns"}
)

// complete refuses a baseline whose file, b's contents, lacks a required
// field or holds null in one.
func (b *Baseline) complete(data []byte) error {
	var top struct {
		Fields map[string]json.RawMessage
		Runs   []map[string]json.RawMessage
	}
	if json.Unmarshal(data, &top.Fields) != nil || json.Unmarshal(top.Fields["runs"], &top.Runs) != nil {
		return nil // decoded into b already: cannot happen
	}
	what := "baseline" // of no scenario: the field is the one missing
	if b.Scenario != "" {
		what = "baseline of " + b.Scenario
	}
	if err := present(top.Fields, requiredFields); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for i, r := range top.Runs {
		if err := present(r, requiredRunFields); err != nil {
			return fmt.Errorf("%s: run %d: %w", what, i+1, err)
		}
	}
	return nil
}

// present returns an error naming the first of the fields that obj lacks
// or holds null in.
func present(obj map[string]json.RawMessage, fields []string) error {
	for _, k := range fields {
		v, ok := obj[k]
		switch {
		case !ok:
			return fmt.Errorf("no %q field: an incomplete baseline (loadgate writes every field; schema/baseline.v1.json)", k)
		case string(bytes.TrimSpace(v)) == "null":
			return fmt.Errorf("%s: null, where loadgate writes a value: an incomplete baseline (schema/baseline.v1.json)", k)
		}
	}
	return nil
}

// syntaxError turns err, the error of decoding data into v (nil for a
// check of the syntax alone), into a *SyntaxError at the byte or value at
// fault, with the value's JSON path (see jsonpos.Locate). fallback is the
// offset to use when nothing better is known.
func syntaxError(data []byte, name string, fallback int64, err error, v any) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg := errors.New("unexpected end of file (truncated?)")
		if len(bytes.TrimSpace(data)) == 0 {
			msg = errors.New("empty file")
		}
		line, col := jsonpos.Position(data, int64(len(data)))
		return &SyntaxError{File: name, Line: line, Col: col, Err: msg}
	}
	e := jsonpos.Locate(data, err, fallback, v)
	return &SyntaxError{File: name, Line: e.Line, Col: e.Col, Err: e.Err}
}

// signedKeys are the JSON keys of a run whose metric may be negative
// (catalogue.Metric.Signed).
var signedKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, row := range catalogue.All() {
		if row.Signed && row.BaselineKey != "" {
			m[row.BaselineKey] = true
		}
	}
	return m
}()

// validate checks what the JSON types cannot.
func (b *Baseline) validate() error {
	if b.Scenario == "" {
		return errors.New("baseline has no scenario name")
	}
	if len(b.Runs) == 0 {
		return fmt.Errorf("baseline of %s: %w", b.Scenario, ErrNoRuns)
	}
	for i, r := range b.Runs {
		for j, key := range runKeys {
			// Only a signed metric of the catalogue (goroutine_growth)
			// may be negative.
			if v, ok := number(reflect.ValueOf(r).Field(j)); ok && v < 0 && !signedKeys[key] {
				return fmt.Errorf("baseline of %s: run %d: %s is negative (%g)", b.Scenario, i+1, key, v)
			}
		}
		// The metrics that joined later are refused alike: a negative
		// service.p99 is no more a latency than a negative p99_ns. Names
		// this loadgate does not know (a newer one's) are never compared.
		for _, name := range slices.Sorted(maps.Keys(r.Metrics)) {
			if c, ok := catalogue.Lookup(name); ok && !c.Signed && r.Metrics[name] < 0 {
				return fmt.Errorf("baseline of %s: run %d: metrics.%s is negative (%g)", b.Scenario, i+1, name, r.Metrics[name])
			}
		}
		if r.ErrorRate > 1 {
			return fmt.Errorf("baseline of %s: run %d: error_rate %g is over 1", b.Scenario, i+1, r.ErrorRate)
		}
		for _, kind := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
			if n := r.ErrorKinds[kind]; n < 1 || n > r.Requests {
				return fmt.Errorf("baseline of %s: run %d: error_kinds.%s = %d: want 1 to requests = %d", b.Scenario, i+1, kind, n, r.Requests)
			}
		}
		// As loadtest.Result.Validate: no faster than the requests allow
		// (1e-6 of slack for the writer's float arithmetic).
		if secs := float64(r.DurationNS) / 1e9; secs > 0 && r.Throughput > float64(r.Requests)/secs*(1+1e-6)+1e-9 {
			return fmt.Errorf("baseline of %s: run %d: throughput %g/s is faster than %d requests in %gs allow",
				b.Scenario, i+1, r.Throughput, r.Requests, secs)
		}
		// As loadtest.Result.Validate: percentiles do not fall.
		ps := []struct {
			key string
			v   int64
		}{{P50 + "_ns", r.P50NS}, {P90 + "_ns", r.P90NS}, {P99 + "_ns", r.P99NS}, {P999 + "_ns", r.P999NS}}
		for _, p := range ps {
			if p.v > histo.Highest {
				return fmt.Errorf("baseline of %s: run %d: %s = %d is above %v, the longest latency loadtest records",
					b.Scenario, i+1, p.key, p.v, time.Duration(histo.Highest))
			}
		}
		for j := 1; j < len(ps); j++ {
			if ps[j].v < ps[j-1].v {
				return fmt.Errorf("baseline of %s: run %d: %s = %d is above %s = %d (percentiles cannot fall)",
					b.Scenario, i+1, ps[j-1].key, ps[j-1].v, ps[j].key, ps[j].v)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(r.Names)) {
			n := r.Names[name]
			if n.Requests < 0 || n.P99NS < 0 || n.ErrorRate < 0 || n.ErrorRate > 1 || n.P99NS > histo.Highest {
				return fmt.Errorf("baseline of %s: run %d: names[%q]: want requests and p99_ns from 0 (p99_ns up to %d) and error_rate from 0 to 1, have %d, %d and %g",
					b.Scenario, i+1, name, histo.Highest, n.Requests, n.P99NS, n.ErrorRate)
			}
		}
		for name, ph := range r.Phases {
			if ph.Count < 0 || ph.P50NS < 0 {
				return fmt.Errorf("baseline of %s: run %d: phase %s: a negative count or p50_ns", b.Scenario, i+1, name)
			}
			if ph.P50NS > ph.P99NS {
				return fmt.Errorf("baseline of %s: run %d: phase %s: p50_ns = %d is above p99_ns = %d (percentiles cannot fall)",
					b.Scenario, i+1, name, ph.P50NS, ph.P99NS)
			}
		}
	}
	return nil
}

// Sample returns the baseline's runs as a [Sample] for [Compare].
func (b *Baseline) Sample() Sample {
	return Sample{
		Scenario: b.Scenario,
		Label:    "baseline",
		Package:  b.Package,
		Env:      b.Env,
		Commit:   b.Commit,
		Runs:     append([]Run(nil), b.Runs...),
	}
}

// olderSchema tells whether schema names a version of the baseline layout
// before [SchemaVersion] ("loadgate.baseline/v0"), which a newer loadgate
// did not write: the file must be recorded again.
func olderSchema(schema string) bool {
	v, ok := strings.CutPrefix(schema, "loadgate.baseline/v")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(v)
	cur, _ := strconv.Atoi(strings.TrimPrefix(SchemaVersion, "loadgate.baseline/v"))
	return err == nil && n < cur
}
