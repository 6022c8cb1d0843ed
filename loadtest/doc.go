// Package loadtest runs load scenarios as ordinary Go tests and measures them
// truthfully.
//
// A scenario flows through the package in this order:
//
//  1. A [Scenario] names a [Target] (what one request does, for example a
//     [Func], or an [HTTP] target over net/http or, for the highest rates,
//     the [Lean] HTTP/1.1 client; package loadtest/grpcload makes one of a
//     gRPC service's generated client) and a [Load] (how requests arrive: [Rate],
//     [Poisson] or [Paced] by a [Pacer] of your own in the open model;
//     [Users], ramping with [Stage.RampUsersTo] or bounded by
//     [Stage.Iterations], in the closed model; or a [Ramp] of such stages,
//     each optionally guarded by a [Gate]). A target can take its values
//     from test data read once before the load ([ReadCSV], [ReadJSONLines],
//     [RowsOf]) and shared by its users through a [Feed]; a Unique feed that
//     runs out of rows ends the run cleanly ([ErrDataExhausted]).
//  2. [Run] drives the load from a test ([RunAll] several scenarios at once,
//     [Execute] from a program without a testing.TB). In the open model every
//     request is timed from the moment it should have started, so a stalled
//     server is charged for every request that waited, not once per
//     connection (no coordinated omission); the time from the actual start
//     is kept as service time.
//  3. Every completed request is recorded into HDR histograms (1 ns to 1 h,
//     3 significant digits), one set per CPU, so memory stays constant
//     however long the run and the recording path allocates nothing.
//     The slowest requests are kept too, in a fixed array per CPU, with
//     the request id and W3C trace id each was sent with (HTTP targets and
//     a Flow's steps send a traceparent per request), so that they can be
//     looked up in the service's logs and tracing backend.
//  4. [Run] returns a [Result]: counts, latency and service-time percentiles,
//     error kinds with sample messages, runtime statistics of the process, a
//     per-second timeline, per-stage results and the slowest requests. When
//     LOADGATE_OUT names a directory the result is also written there as
//     JSON (schema loadgate.result/v1, see schema/result.v1.json in the
//     repository), and beside it the execution trace of the moment that
//     mattered (a failed gate, the abort, or the worst second) when the
//     scenario's [FlightRecorder] was on.
//  5. A scenario that asks for profiles ([Scenario.Profile],
//     LOADGATE_PROFILE) gets them of the measured load only: CPU, heap (at
//     its start and end), goroutines, mutex and block, of the test process
//     or, through a [ProfilingWatcher], of a service in another process.
//     [WriteFile] writes them next to the result as pprof files and names
//     them in Result.Profiles.
//
// Environment variables:
//
//   - LOADGATE_OUT: directory that receives one JSON file per scenario run.
//   - LOADGATE_SCALE: a factor applied to every duration of the load (stages
//     and warm-up, not think time, so each stage keeps its rate), e.g. 0.1
//     for a quick local smoke run.
//   - LOADGATE_RATE_SCALE: a factor applied to the rates of open-model
//     stages and the users of closed-model ones (rounded up, at least one
//     user), e.g. 0.1 to run a scenario at a tenth of its load against a
//     shared staging service.
//   - LOADGATE_TARGET: the base URL of a service running elsewhere, which
//     [TargetURL] returns in place of starting the test's own server.
//   - LOADGATE_ALLOW_HOSTS: hosts other than loopback that load may be sent
//     to, comma-separated, as in Scenario.AllowHosts.
//   - LOADGATE_PROFILE: profiles every scenario takes of its measured load,
//     comma-separated (cpu, heap, goroutine, mutex, block) or all, in
//     addition to its Scenario.Profile.
//   - LOADGATE_FLIGHT: 1 turns on every scenario's flight recording
//     ([FlightRecorder]), as loadgate run -flight does.
//   - LOADGATE_SHARD (i/N, from 1), or JOB_COMPLETION_INDEX (from 0, as a
//     Kubernetes Indexed Job sets it) with LOADGATE_SHARDS (N): run shard
//     i of N of every scenario's load, so that N generators together send
//     the load one would (every N-th arrival of the schedule, 1/N of a
//     Poisson rate or of the users; see [Shard]). LOADGATE_START_AT (RFC
//     3339 or Unix milliseconds) starts every shard at that instant;
//     LOADGATE_RUN_GROUP names the run, LOADGATE_COMMIT its commit. The
//     shards' results are merged into one with loadgate merge
//     (docs/SHARDS.md in the repository).
package loadtest
