package app

import (
	"path/filepath"
	"testing"

	"github.com/loadgate/loadgate/internal/fixture"
	"github.com/loadgate/loadgate/loadtest"
)

// testEnv is the machine of synthetic results.
var testEnv = fixture.Env

const shopPkg = fixture.Package

// fake describes a synthetic result (see internal/fixture).
type fake struct {
	scenario, test string
	p50, p99       float64 // milliseconds
	errorRate      float64
	seconds        int
	leaks          []loadtest.Leak
	env            *loadtest.Env
	slowest        int
	flight         bool
}

func (f fake) result(run int) *loadtest.Result { return f.fixture().Result(run) }

func (f fake) fixture() fixture.Fake {
	return fixture.Fake{Scenario: f.scenario, Test: f.test, P50: f.p50, P99: f.p99, ErrorRate: f.errorRate,
		Seconds: f.seconds, Leaks: f.leaks, Env: f.env, Slowest: f.slowest, Flight: f.flight}
}

// runs makes one result per value of p99 (ms); p50 moves with noise.
func runs(f fake, p50s, p99s []float64) []*loadtest.Result {
	return fixture.Runs(f.fixture(), p50s, p99s)
}

func writeResultFile(dir, side string, r *loadtest.Result) (string, error) {
	return loadtest.WriteFile(filepath.Join(dir, side), r)
}

// The repository, pull request and tokens the GitHub API double knows.
const (
	writeToken = "ghs_writeTOKEN0123456789"
	readToken  = "ghs_readonlyTOKEN0123456789"
	repoFull   = "loadgate/loadgate"
	prNumber   = 7
)

func writeFile(t *testing.T, path, text string) { t.Helper(); fixture.WriteFile(t, path, text) }
