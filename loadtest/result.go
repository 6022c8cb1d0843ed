package loadtest

import "time"

// SchemaVersion identifies the JSON layout of a [Result]; it is documented by
// schema/result.v1.json in the repository.
const SchemaVersion = "loadgate.result/v1"

// Result is what one run of a scenario measured. It is also the JSON written
// to LOADGATE_OUT; every duration is in integer nanoseconds.
type Result struct {
	Schema   string    `json:"schema"`
	Scenario string    `json:"scenario"`
	Package  string    `json:"package,omitempty"`
	Test     string    `json:"test,omitempty"`
	RunID    string    `json:"run_id"`
	Started  time.Time `json:"started"`
	// DurationNS is how long the measured load ran, without the warm-up
	// and without the final drain of requests in flight.
	DurationNS int64    `json:"duration_ns"`
	Env        Env      `json:"env"`
	Load       LoadInfo `json:"load"`

	// Requests counts the requests sent during the load, successful or
	// not, abandoned ones included; Errors counts those that failed. For
	// a [Flow] target a request is a whole iteration of the journey (see
	// [FlowTarget]); its steps are in ByName.
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	// ErrorRate is Errors / Requests, the share of the requests sent that
	// failed (0 when none was sent). It is the one meaning of error_rate
	// across loadgate: in a stage's or a name's result, in package
	// assert's expressions and gates, in baselines and in reports. As
	// with k6's http_req_failed, arrivals that were dropped are not in it,
	// since they were never sent; bound them on their own, with
	// "dropped == 0" as assert.PreLaunch does.
	ErrorRate float64 `json:"error_rate"`
	// Dropped counts open-model arrivals that could not start because
	// MaxInFlight requests were already running or waiting for a worker.
	Dropped int64 `json:"dropped"`
	// Abandoned counts requests still running when the drain after the load
	// gave up (their target ignored its context past the timeout). They
	// are in Requests and Errors, of kind "timeout", but not in the
	// latencies, which they never finished (nor in the stages' counts).
	Abandoned int64 `json:"abandoned"`
	// Rate is the achieved rate of sends per second over the load;
	// Throughput is successful requests per second until the last request
	// ended (the drain after the load included).
	Rate       float64 `json:"rate"`
	Throughput float64 `json:"throughput"`

	// Latency is timed from when each request should have started (the open
	// model's schedule); ServiceTime from when it actually started. In the
	// closed model they are the same.
	Latency     Latency `json:"latency"`
	ServiceTime Latency `json:"service_time"`
	// ErrorKinds counts the failed requests by error kind (see
	// [ErrorKind]); ErrorSamples keeps, per kind, the first few distinct
	// messages (at most 5, each cut at 300 bytes) to say what failed.
	ErrorKinds   map[string]int64    `json:"error_kinds"`
	ErrorSamples map[string][]string `json:"error_samples,omitempty"`
	// StatusCodes counts responses by status code, for targets that report
	// one: the number of an HTTP status ("503"), or the name of a gRPC
	// status code ("UNAVAILABLE", see [Sample.StatusName]).
	StatusCodes map[string]int64 `json:"status_codes,omitempty"`
	// ByName splits the results by Sample.Name, e.g. per request of a mix,
	// or by the names of the steps a target records ([Sample.RecordStep]),
	// e.g. per step of a [Flow] or per gRPC method: at most [MaxNames]
	// names, the requests of any more counted together as [OtherNames].
	ByName map[string]NameResult `json:"by_name,omitempty"`
	// Phases times the parts of each request that the target reported:
	// dns, connect, tls, ttfb and total for HTTP. Phases that did not
	// happen (no connect on a reused connection) are not counted.
	Phases map[string]Latency `json:"phases,omitempty"`
	// Connections says how requests used connections, for targets that
	// report it (HTTP).
	Connections *Connections `json:"connections,omitempty"`
	// PacerLagMaxNS is the furthest the generator fell behind its schedule:
	// large values mean the load generator, not the target, was short of CPU.
	PacerLagMaxNS int64 `json:"pacer_lag_max_ns"`
	// Generator says how the load generator fared over the measured load,
	// and whether it was the bottleneck (generator-bound); nil in results
	// written before loadgate measured it. In a merged result each figure
	// is the worst shard's (Sends, ConnWaits and Requests their sum, CPUs
	// the fewest), and it is bound when any shard was.
	Generator *Generator    `json:"generator,omitempty"`
	Runtime   RuntimeStats  `json:"runtime"`
	Warmup    *Warmup       `json:"warmup,omitempty"`
	Stages    []StageResult `json:"stages"`
	Timeline  []Second      `json:"timeline"`
	// Server is what the scenario's Watcher saw of the service under test.
	Server *ServerStats `json:"server,omitempty"`
	// Leaks lists goroutines started during the run and still alive after
	// it, grouped; empty when there were none or the check was off.
	Leaks []Leak `json:"leaks"`
	// LeaksReportOnly says the scenario asked for leaks to be reported,
	// not failed ([LeakCheck.ReportOnly]): a verdict then warns of them.
	LeaksReportOnly bool `json:"leaks_report_only,omitempty"`
	// Slowest are the slowest requests of the measured load, slowest
	// first (Scenario.Slowest of them, 10 by default), with their request
	// and trace ids. Requests the drain abandoned are not among them.
	Slowest []SlowRequest `json:"slowest,omitempty"`
	// FlightRecording describes the execution trace kept of the moment
	// that mattered, when the scenario's FlightRecorder was on: [WriteFile]
	// writes it beside the result and names its file here.
	FlightRecording *FlightRecording `json:"flight_recording,omitempty"`
	// Stopped says why the run ended before its last stage did, if it did.
	Stopped *Stop `json:"stopped,omitempty"`
	// Profiles names the profile files of the measured load by kind
	// (ProfileCPU, ...): files in the pprof format, in the directory of
	// the result file. [WriteFile] sets it when it writes them; empty when
	// the scenario took no profile ([Scenario.Profile]).
	Profiles map[string]string `json:"profiles,omitempty"`
	// Warnings are findings about the run that do not fail it, such as a
	// generator-bound run, a stage cut off at its bound before its
	// iterations were done, or a profile that could not be taken.
	Warnings []string `json:"warnings,omitempty"`

	// Shard says which part of a sharded load (LOADGATE_SHARD) this result
	// holds, or which parts a merged one joins; nil for an unsharded run.
	// In a sharded run Load is the plan of the whole load and Shard.Plan
	// this shard's share of it, and every latency keeps its HDR
	// histogram, the timeline's seconds included, so that the shards
	// merge exactly (loadgate merge, see docs/SHARDS.md).
	Shard *Shard `json:"shard,omitempty"`
	// Shards, in a merged result, describes each shard merged: its counts,
	// rate and p99, its start skew and its generator's health. Runtime
	// statistics of several processes do not add up, so a merged result's
	// Runtime is zero and each shard's is here.
	Shards []ShardRun `json:"shards,omitempty"`

	panicStack  string        // first panic of the target, logged by Run
	profiles    []ProfileData // taken by the run, written by WriteFile
	flightTrace []byte        // the flight recording, written by WriteFile
	gateInvalid string        // a gate that could not be checked on its stage, which Run fails
}

// TakenProfiles returns the profiles the run took, in memory: those that
// [WriteFile] writes. A result read from a file has none; its Profiles
// names the files.
func (r *Result) TakenProfiles() []ProfileData { return r.profiles }

// Env fingerprints where a result was produced: the machine (latencies
// from different machines are not comparable) and the settings that change
// what a scenario measures without changing its code. Package baseline
// refuses to compare runs whose Scale, RateScale or Target differ.
type Env struct {
	Go       string `json:"go"`
	GOOS     string `json:"goos"`
	GOARCH   string `json:"goarch"`
	CPUs     int    `json:"cpus"`
	CPUModel string `json:"cpu_model,omitempty"`
	// Loadgate is the version of loadgate's module the test binary was
	// built with ("v0.1.0", "(devel)" for a replacement by a directory):
	// the instrument, which a comparison names when the two sides differ
	// in it. Empty when unknown (results written before it was recorded).
	Loadgate string `json:"loadgate,omitempty"`
	// Scale is LOADGATE_SCALE, the factor of every duration of the load,
	// when it was not 1.
	Scale float64 `json:"scale,omitempty"`
	// RateScale is LOADGATE_RATE_SCALE, the factor of the load's rates and
	// users, when it was not 1.
	RateScale float64 `json:"rate_scale,omitempty"`
	// Target is the base URL the test took from LOADGATE_TARGET through
	// [TargetURL]; empty when the test ran against a server it started
	// itself.
	Target string `json:"target,omitempty"`
}

// LoadInfo describes the load that was planned.
type LoadInfo struct {
	Model       Model       `json:"model"` // "open", "closed" or "mixed"
	DurationNS  int64       `json:"duration_ns"`
	TimeoutNS   int64       `json:"timeout_ns"`
	MaxInFlight int         `json:"max_in_flight,omitempty"`
	Stages      []StagePlan `json:"stages"`
}

// StagePlan is one planned stage.
type StagePlan struct {
	Name  string `json:"name"`
	Model Model  `json:"model"`
	// Arrivals, From and To are the open model's: From and To are rates in
	// requests per second. A stage with Arrivals Custom was planned by a
	// [Pacer] of its own, and has neither.
	Arrivals Arrivals `json:"arrivals,omitempty"`
	From     float64  `json:"from,omitempty"`
	To       float64  `json:"to,omitempty"`
	// Users and UsersTo are the closed model's users at the start and at
	// the end of the stage (equal for a hold). UsersTo is set for every
	// closed-model stage; it is nil in results written before users could
	// ramp, whose stages held Users: read it with [StagePlan.EndUsers].
	Users   int   `json:"users,omitempty"`
	UsersTo *int  `json:"users_to,omitempty"`
	ThinkNS int64 `json:"think_ns,omitempty"`
	// IterationsPerUser and IterationsShared say that the stage ended once
	// each user had done that many iterations, or its users that many
	// between them; DurationNS is then its upper bound.
	IterationsPerUser int   `json:"iterations_per_user,omitempty"`
	IterationsShared  int   `json:"iterations_shared,omitempty"`
	DurationNS        int64 `json:"duration_ns"`
	Seed              int64 `json:"seed,omitempty"`
	Gated             bool  `json:"gated,omitempty"`
}

// EndUsers returns the users a closed-model stage planned at its end:
// UsersTo, or Users when UsersTo is not set.
func (p StagePlan) EndUsers() int {
	if p.UsersTo != nil {
		return *p.UsersTo
	}
	return p.Users
}

// NameResult is the part of a result that belongs to one request name. Its
// ErrorRate is its Errors / Requests, as [Result.ErrorRate].
type NameResult struct {
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	ErrorRate float64 `json:"error_rate"`
	Latency   Latency `json:"latency"`
	// ServiceTime is timed from when each request or step of the name
	// actually started (see [Step]). It is absent from results written
	// before it was recorded per name.
	ServiceTime Latency          `json:"service_time"`
	ErrorKinds  map[string]int64 `json:"error_kinds"`
	StatusCodes map[string]int64 `json:"status_codes,omitempty"`
	// Messages counts the messages of the name's steps and their sizes,
	// for targets that report them (gRPC calls and streams); nil when none
	// did.
	Messages *Messages `json:"messages,omitempty"`
}

// Messages counts the messages a call or stream sent and received, and
// their sizes in bytes: for gRPC, the encoded messages before compression,
// without their 5-byte frame headers. The mean size of a message is the
// bytes over the count.
type Messages struct {
	Sent          int64 `json:"sent"`
	Received      int64 `json:"received"`
	SentBytes     int64 `json:"sent_bytes"`
	ReceivedBytes int64 `json:"received_bytes"`
}

// Add adds o's counts to m.
func (m *Messages) Add(o Messages) {
	m.Sent += o.Sent
	m.Received += o.Received
	m.SentBytes += o.SentBytes
	m.ReceivedBytes += o.ReceivedBytes
}

// Connections describes connection use.
type Connections struct {
	// Requests counts the requests that reported a protocol; Reused those
	// that went over a pooled connection, and ReuseShare is their share.
	Requests   int64            `json:"requests"`
	Reused     int64            `json:"reused"`
	ReuseShare float64          `json:"reuse_share"`
	Protocols  map[string]int64 `json:"protocols"`
}

// Warmup counts what the warm-up sent; none of it is in the statistics.
type Warmup struct {
	DurationNS int64 `json:"duration_ns"`
	Requests   int64 `json:"requests"`
	Errors     int64 `json:"errors"`
}

// StageResult is the part of a result that belongs to one stage. Requests
// are attributed to the stage in which they were sent. Its ErrorRate is its
// Errors / Requests, as [Result.ErrorRate]: its Dropped arrivals are not in
// it.
type StageResult struct {
	Index     int     `json:"index"`
	Name      string  `json:"name"`
	ElapsedNS int64   `json:"elapsed_ns"`
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	ErrorRate float64 `json:"error_rate"`
	Dropped   int64   `json:"dropped"`
	// InFlight counts requests still running when a gate saw the stage;
	// their ages so far are in the latency. It is 0 in a final result.
	InFlight    int64            `json:"in_flight,omitempty"`
	Rate        float64          `json:"rate"`
	Throughput  float64          `json:"throughput"`
	Latency     Latency          `json:"latency"`
	ServiceTime Latency          `json:"service_time"`
	ErrorKinds  map[string]int64 `json:"error_kinds"`
	StatusCodes map[string]int64 `json:"status_codes,omitempty"`
	Gate        *GateResult      `json:"gate,omitempty"`
	// Plan is the load the stage was planned with, for a gate that compares
	// the stage with its target rate. It is not written to JSON (the plan
	// is in Result.Load.Stages), so a result read from a file lacks it.
	Plan StagePlan `json:"-"`
}

// GateResult is the verdict of a stage's gate.
type GateResult struct {
	Passed bool   `json:"passed"`
	Reason string `json:"reason,omitempty"`
}

// Second is one second of the timeline, counted from the start of the
// measured load. Sent counts requests that started in that second;
// Requests, Errors, ErrorKinds and the percentiles describe requests that
// completed in it; the percentiles are read at 2 significant digits, of
// the latency and (Service…) of the service time. HDR is the second's
// latencies, so that a window of seconds can be read whole: the worst
// 10 s p99 of assert's p99[10s] and of the report. Users is the most
// closed-model users that ran at once in it (a user runs from its first
// iteration until it parks or stops, thinking included): it follows a ramp
// of users, and falls as users finish a fixed number of iterations. It is
// 0 in the open model.
type Second struct {
	Second   int64 `json:"second"`
	Sent     int64 `json:"sent"`
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	P50NS    int64 `json:"p50_ns"`
	P90NS    int64 `json:"p90_ns,omitempty"`
	P99NS    int64 `json:"p99_ns"`
	// ServiceP50NS, ServiceP90NS and ServiceP99NS are the service time's
	// percentiles; absent from results written before they were recorded.
	ServiceP50NS int64            `json:"service_p50_ns,omitempty"`
	ServiceP90NS int64            `json:"service_p90_ns,omitempty"`
	ServiceP99NS int64            `json:"service_p99_ns,omitempty"`
	ErrorKinds   map[string]int64 `json:"error_kinds,omitempty"`
	Users        int64            `json:"users,omitempty"`
	// HDR is the second's latencies (2 significant digits) in
	// HdrHistogram's compressed encoding (base64); absent when nothing
	// completed in the second, and in results written before it was
	// recorded. loadgate merge takes the percentiles of a second of all
	// shards from it.
	HDR string `json:"hdr,omitempty"`
	// ServiceHDR is the second's service times, encoded as HDR is, in the
	// result of one shard of a sharded run only: loadgate merge takes the
	// service percentiles of a second of all shards from it.
	ServiceHDR string `json:"service_hdr,omitempty"`
}

// Stop explains an early end of a run.
type Stop struct {
	// Cause is "gate" (a stage's gate failed), "abort" (Scenario.Abort),
	// "canceled" (the test's context, or Execute's, ended), "interrupted"
	// (Ctrl-C or SIGTERM reached the test process during [Run] or [RunAll])
	// or "data" (the target returned [ErrDataExhausted]: a Unique feed of
	// test data gave all its rows). Stage is the stage that was running.
	Cause  string `json:"cause"`
	Stage  string `json:"stage,omitempty"`
	Reason string `json:"reason"`
}

// StopInterrupted is the Stop.Cause of a run that Ctrl-C or SIGTERM
// stopped: its result holds a share of the load ([Result.PartialNote]).
const StopInterrupted = "interrupted"

// StopData is the Stop.Cause of a run whose target returned
// [ErrDataExhausted]: a Unique feed gave all its rows.
const StopData = "data"

// Planned returns the stages this run was planned to send: Load.Stages,
// or, in the result of one shard of a sharded run, the shard's share of
// them (Shard.Plan), so that a rate or a count is checked against what
// the shard was asked for.
func (r *Result) Planned() []StagePlan {
	if sh := r.Shard; sh != nil && sh.Index > 0 && len(sh.Plan) == len(r.Load.Stages) {
		return sh.Plan
	}
	return r.Load.Stages
}

// Duration returns DurationNS as a time.Duration.
func (r *Result) Duration() time.Duration { return time.Duration(r.DurationNS) }
