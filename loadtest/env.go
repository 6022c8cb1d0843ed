package loadtest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/loadgate/loadgate/internal/allowhosts"
	"github.com/loadgate/loadgate/internal/baseurl"
	"github.com/loadgate/loadgate/internal/scale"
	"github.com/loadgate/loadgate/internal/version"
)

// Environment variables the harness reads.
const (
	// EnvOut names the directory Run writes each scenario's result to, as
	// WriteFile does; unset, Run writes no file.
	EnvOut = "LOADGATE_OUT"
	// EnvScale multiplies every duration of the load (stages and warm-up,
	// not think time); see [Run].
	EnvScale = "LOADGATE_SCALE"
	// EnvRateScale multiplies the rates of open-model stages and the users
	// of closed-model stages (rounded up, to at least 1); see [Run].
	EnvRateScale = "LOADGATE_RATE_SCALE"
	// EnvFlight, when true (1), turns on every scenario's flight recording
	// (Scenario.FlightRecorder); false or unset leaves each scenario's own
	// setting.
	EnvFlight = "LOADGATE_FLIGHT"
)

// flightFromEnv reads LOADGATE_FLIGHT.
func flightFromEnv(getenv func(string) string) (bool, error) {
	v := strings.TrimSpace(getenv(EnvFlight))
	if v == "" {
		return false, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want 1 or 0", EnvFlight, v)
	}
	return on, nil
}

// scales are what the environment changes about a scenario's load: the
// factors LOADGATE_SCALE and LOADGATE_RATE_SCALE apply to it (1 leaves it
// as written), and in a sharded run (LOADGATE_SHARD) the share of it this
// process runs.
type scales struct {
	duration, rate float64
	split          *sharding // nil: not sharded
}

// unscaled runs the load as written.
var unscaled = scales{duration: 1, rate: 1}

// scalesFromEnv reads LOADGATE_SCALE, LOADGATE_RATE_SCALE and the
// variables of a sharded run (see shardingFromEnv).
func scalesFromEnv() (scales, error) {
	d, err := scaleFromEnv(os.Getenv, EnvScale)
	if err != nil {
		return scales{}, err
	}
	r, err := scaleFromEnv(os.Getenv, EnvRateScale)
	if err != nil {
		return scales{}, err
	}
	split, err := shardingFromEnv(os.Getenv, time.Now())
	if err != nil {
		return scales{}, err
	}
	return scales{duration: d, rate: r, split: split}, nil
}

// scaleFromEnv parses the factor in variable name; unset or blank means 1.
func scaleFromEnv(getenv func(string) string, name string) (float64, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return 1, nil
	}
	f, err := scale.Parse(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %w", name, v, err)
	}
	return f, nil
}

// CheckEnv checks the variables of the load that getenv gives, by the
// rules [Run] reads them with: LOADGATE_SCALE, LOADGATE_RATE_SCALE,
// LOADGATE_FLIGHT, LOADGATE_PROFILE, LOADGATE_TARGET (as [TargetURL]
// reads it), LOADGATE_ALLOW_HOSTS and those of a sharded run
// (LOADGATE_SHARD, LOADGATE_START_AT...). Unset variables are fine. A tool
// that runs load tests (loadgate run, the GitHub Action) calls it with the
// tests' environment, so that a bad value is refused before they are
// built instead of failing every test that calls Run. The error joins one
// error per bad variable, each naming it.
func CheckEnv(getenv func(string) string) error {
	var errs []error
	for _, name := range []string{EnvScale, EnvRateScale} {
		if _, err := scaleFromEnv(getenv, name); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := flightFromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	if _, err := profileFromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	if raw := getenv(EnvTarget); strings.TrimSpace(raw) != "" {
		if _, err := baseurl.Parse(raw); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", EnvTarget, raw, err))
		}
	}
	if err := allowhosts.CheckEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	if _, err := shardingFromEnv(getenv, time.Now()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

var (
	envOnce  sync.Once
	cpuModel string
	// loadgateVersion is version.InBinary, read once.
	loadgateVersion string
)

// currentEnv fingerprints this machine and the load's settings: its
// scales, and target, the LOADGATE_TARGET the test took its base URL from
// ("" for none).
func currentEnv(sc scales, target string) Env {
	envOnce.Do(func() { cpuModel, loadgateVersion = readCPUModel(), version.InBinary() })
	e := Env{
		Go:       runtime.Version(),
		GOOS:     runtime.GOOS,
		GOARCH:   runtime.GOARCH,
		CPUs:     runtime.NumCPU(),
		CPUModel: cpuModel,
		Loadgate: loadgateVersion,
	}
	if sc.duration != 1 {
		e.Scale = sc.duration
	}
	if sc.rate != 1 {
		e.RateScale = sc.rate
	}
	e.Target = target
	return e
}

// readCPUModel returns the processor's model name where the OS tells it.
func readCPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(val)
		}
	}
	return ""
}

// callerPackage returns the import path of the package whose test called
// Run: the package of the nearest Test, Benchmark, Fuzz or Example
// function on the stack (so that a helper in another package does not
// claim the scenario), else of Run's direct caller. An external test
// package's _test suffix is dropped.
func callerPackage(skip int) string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(skip+2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	direct := ""
	for {
		f, more := frames.Next()
		pkg, fn := splitFuncName(f.Function)
		if direct == "" {
			direct = pkg
		}
		for _, prefix := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
			if strings.HasPrefix(fn, prefix) {
				return pkg
			}
		}
		if !more {
			return direct
		}
	}
}

// splitFuncName splits "example.com/x/y_test.TestLoad.func1" into
// "example.com/x/y" and "TestLoad.func1".
func splitFuncName(name string) (pkg, fn string) {
	slash := strings.LastIndex(name, "/")
	dot := strings.Index(name[slash+1:], ".")
	if dot < 0 {
		return "", name
	}
	return strings.TrimSuffix(name[:slash+1+dot], "_test"), name[slash+1+dot+1:]
}

// String describes the machine in one line, for a report's reader:
// "linux/amd64, 2 CPUs AMD EPYC 7B13, go1.26.0", with LOADGATE_SCALE and
// LOADGATE_RATE_SCALE added when the run was scaled, and LOADGATE_TARGET
// when it ran against a service elsewhere. It is "" when nothing is known.
func (e Env) String() string {
	var parts []string
	if e.GOOS != "" {
		parts = append(parts, e.GOOS+"/"+e.GOARCH)
	}
	if e.CPUs > 0 {
		cpu := fmt.Sprintf("%d CPUs", e.CPUs)
		if e.CPUs == 1 {
			cpu = "1 CPU"
		}
		if e.CPUModel != "" {
			cpu += " " + e.CPUModel
		}
		parts = append(parts, cpu)
	}
	if e.Go != "" {
		parts = append(parts, e.Go)
	}
	if e.Scale != 0 && e.Scale != 1 {
		parts = append(parts, fmt.Sprintf("%s=%g", EnvScale, e.Scale))
	}
	if e.RateScale != 0 && e.RateScale != 1 {
		parts = append(parts, fmt.Sprintf("%s=%g", EnvRateScale, e.RateScale))
	}
	if e.Target != "" {
		parts = append(parts, EnvTarget+"="+e.Target)
	}
	return strings.Join(parts, ", ")
}
