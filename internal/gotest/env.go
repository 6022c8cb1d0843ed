package gotest

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/allowhosts"
	"github.com/loadgate/loadgate/internal/progress"
	"github.com/loadgate/loadgate/loadtest"
)

// Settings are what loadgate tells the load tests it runs, through their
// environment. The loadgate command and the Action fill the same fields,
// so that a test's baseline.Check judges as they do.
type Settings struct {
	// Out is the results directory (LOADGATE_OUT), absolute: go test runs
	// each package's tests in the package's directory.
	Out string
	// Update makes baseline.Check record (LOADGATE_UPDATE=1) into the
	// update session UpdateID; otherwise it compares
	// (LOADGATE_UPDATE=0, whatever the caller's environment says).
	// UpdateLease is the lease the caller holds while the update runs
	// (baseline.EnvUpdateLease): the tests record only while it is held.
	Update      bool
	UpdateID    string
	UpdateLease string
	// BaselineDir, PolicyFile and SLAFile are the baseline directory, the
	// policy file and the SLA file, absolute; "" leaves the variable
	// as inherited.
	BaselineDir, PolicyFile, SLAFile string
	// Progress asks loadtest.Run for live progress records.
	Progress bool
	// Pooled tells the tests' baseline.Check that the caller pools the
	// runs of several go test processes and judges them itself
	// (baseline.EnvPooled).
	Pooled bool
	// Target is the base URL the tests send their load to instead of the
	// servers they start (LOADGATE_TARGET, read by loadtest.TargetURL),
	// checked by the caller; "" leaves the variable as inherited.
	Target string
	// RateScale multiplies the load's rates and users
	// (LOADGATE_RATE_SCALE); 0 leaves the variable as inherited.
	RateScale float64
	// AllowHosts are hosts other than loopback the load may be sent to,
	// added to those LOADGATE_ALLOW_HOSTS lists already.
	AllowHosts []string
	// Profile lists the profiles every scenario takes of its load
	// (LOADGATE_PROFILE, as loadtest.ParseProfile reads it); "" leaves the
	// variable as inherited.
	Profile string
	// Flight turns on every scenario's flight recording
	// (LOADGATE_FLIGHT=1); false leaves the variable as inherited.
	Flight bool
	// Shard makes the tests run shard i of N of their load ("2/4",
	// LOADGATE_SHARD), starting at StartAt (LOADGATE_START_AT), both as
	// loadtest.ParseShard and ParseStartAt read them; "" leaves the
	// variable as inherited.
	Shard, StartAt string
}

// Env returns the environment for go test: the caller's own, with the
// variables of s replacing any inherited value. It is the one rule for a
// child's environment: a variable is never listed twice.
func (s Settings) Env() []string {
	set := map[string]string{loadtest.EnvOut: s.Out, baseline.EnvUpdate: "0"}
	if s.Update {
		set[baseline.EnvUpdate] = "1"
		set[baseline.EnvUpdateID] = s.UpdateID
		set[baseline.EnvUpdateLease] = s.UpdateLease // "" clears an inherited one
	}
	if s.Progress {
		set[progress.Env] = "json"
	}
	if s.Pooled {
		set[baseline.EnvPooled] = "1"
	}
	if s.Flight {
		set[loadtest.EnvFlight] = "1"
	}
	if s.RateScale != 0 {
		set[loadtest.EnvRateScale] = strconv.FormatFloat(s.RateScale, 'g', -1, 64)
	}
	if len(s.AllowHosts) > 0 {
		set[loadtest.EnvAllowHosts] = strings.Join(append(allowhosts.FromEnv(), s.AllowHosts...), ",")
	}
	for k, v := range map[string]string{baseline.EnvDir: s.BaselineDir, baseline.EnvPolicy: s.PolicyFile, baseline.EnvSLA: s.SLAFile, loadtest.EnvTarget: s.Target, loadtest.EnvProfile: s.Profile,
		loadtest.EnvShard: s.Shard, loadtest.EnvStartAt: s.StartAt} {
		if v != "" {
			set[k] = v
		}
	}
	return Env(os.Environ(), set)
}

// Check checks the variables of the load in the environment [Settings.Env]
// gives the tests (loadtest.CheckEnv): those the caller's environment
// passes on as they are, and those s sets. loadgate run and the Action
// call it before go test runs, so that a bad LOADGATE_* value is bad
// input, refused up front, instead of failing every load test as a test
// failure. Each error names its variable.
func (s Settings) Check() error {
	return loadtest.CheckEnv(lookup(s.Env()))
}

// InheritedFile returns the file that the caller's environment names in
// variable name, baseline.EnvPolicy or baseline.EnvSLA, or "" when it is
// unset. The tests' baseline.Check reads that file, so loadgate run and
// the Action take it as the default of their -policy and -sla (policy and
// sla inputs), to judge as the tests do; a flag or input that is given
// wins, and reaches the tests in its place. The path must be absolute: go
// test runs each test in its package's directory, where a relative path
// would name another file for each package and none for the caller.
func InheritedFile(name string) (string, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v != "" && !filepath.IsAbs(v) {
		return "", fmt.Errorf("%s=%s: want an absolute path: go test reads it in each package's directory", name, v)
	}
	return v, nil
}

// lookup returns the getenv of env, whose last value of a variable wins
// as in os/exec.
func lookup(env []string) func(string) string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// Env returns env with the variables of set replacing any value it holds.
func Env(env []string, set map[string]string) []string {
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		out = append(out, k+"="+set[k])
	}
	return out
}
