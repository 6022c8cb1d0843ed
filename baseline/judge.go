package baseline

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/assert"
	"github.com/loadgate/loadgate/loadtest"
)

// Judge is how every comparison of a run is judged: a [Policy] and the
// limits of an SLA file. [Check], loadgate run, loadgate compare and the
// GitHub Action each build one Judge and call it, so that given the same
// files they give the same verdict. The zero Judge judges by
// [DefaultPolicy] without an SLA file.
type Judge struct {
	// Policy judges every comparison; its SLA expressions apply to every
	// scenario.
	Policy Policy
	// SLA holds expressions with a section per scenario ([assert.File]);
	// nil for none.
	SLA *assert.File
	// PolicyFile and SLAFile are the absolute paths they were read from
	// ("" for none), for the tests a tool runs ([EnvPolicy], [EnvSLA]).
	PolicyFile, SLAFile string
}

// LoadJudge reads a policy file ([LoadPolicy]) and an SLA file
// ([assert.ParseFile]); "" leaves each out. Errors name the file, and the
// line, column and field at fault.
func LoadJudge(policyFile, slaFile string) (*Judge, error) {
	j := &Judge{}
	if policyFile != "" {
		abs, err := filepath.Abs(policyFile)
		if err != nil {
			return nil, err
		}
		if j.Policy, err = LoadPolicy(policyFile); err != nil {
			return nil, err
		}
		j.PolicyFile = abs
	}
	if slaFile != "" {
		abs, err := filepath.Abs(slaFile)
		if err != nil {
			return nil, err
		}
		if j.SLA, err = assert.ParseFile(slaFile); err != nil {
			return nil, err
		}
		j.SLAFile = abs
	}
	return j, nil
}

// JudgeFromEnv is the Judge of the files that LOADGATE_POLICY and
// LOADGATE_SLA name ([EnvPolicy], [EnvSLA]): the one loadgate run and the
// Action hand to the tests they run. Errors name the variable.
func JudgeFromEnv() (*Judge, error) {
	policy := strings.TrimSpace(os.Getenv(EnvPolicy))
	sla := strings.TrimSpace(os.Getenv(EnvSLA))
	j, err := LoadJudge(policy, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvPolicy, err)
	}
	k, err := LoadJudge("", sla)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvSLA, err)
	}
	j.SLA, j.SLAFile = k.SLA, k.SLAFile
	return j, nil
}

// SLAFor returns the SLA expressions that apply to a scenario: the
// policy's, then the SLA file's sections that match it.
func (j *Judge) SLAFor(scenario string) []string {
	exprs := slices.Clone(j.Policy.SLA)
	if j.SLA != nil {
		exprs = append(exprs, j.SLA.For(scenario)...)
	}
	return exprs
}

// PolicyFor returns the policy of a scenario, with the SLA expressions
// that apply to it ([Judge.SLAFor]).
func (j *Judge) PolicyFor(scenario string) Policy {
	p := j.Policy
	p.SLA = j.SLAFor(scenario)
	p.slaWhere = j.slaWhere(scenario)
	return p
}

// slaWhere returns what says where the SLA file's rule of scenario that
// reads an expression is written ([assert.File.Where]), for a breach to
// name it; nil without an SLA file. A file given by its absolute path (as
// loadgate run hands it to the tests) is named from the working directory
// when it is below it.
func (j *Judge) slaWhere(scenario string) func(expr string) string {
	if j.SLA == nil {
		return nil
	}
	// The file's name alone: on Windows IsLocal refuses any colon, and
	// "loadgate.sla:7" kept the runner's absolute path.
	name := j.SLA.Path
	if filepath.IsAbs(name) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, name); err == nil && filepath.IsLocal(rel) {
				name = rel
			}
		}
	}
	return func(expr string) string {
		where := j.SLA.Where(scenario, expr)
		if line, ok := strings.CutPrefix(where, j.SLA.Path); ok {
			return name + line
		}
		return where
	}
}

// Compare judges head against base for head's scenario.
func (j *Judge) Compare(base, head Sample) (*Comparison, error) {
	c, err := Compare(base, head, j.PolicyFor(head.Scenario))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", head.Scenario, err)
	}
	return c, nil
}

// CheckSLA checks the SLA expressions of the scenario on each run, for a
// scenario that has nothing to be compared with: its limits hold all the
// same. Run numbers are 1-based.
func (j *Judge) CheckSLA(scenario string, runs []*loadtest.Result) ([]SLAOutcome, error) {
	outs, err := checkSLA(j.SLAFor(scenario), runs, j.slaWhere(scenario))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", scenario, err)
	}
	return outs, nil
}

// checkSLA checks exprs on each run; run numbers are 1-based. where, if not
// nil, says where the rule of an expression is written: a breach's
// message ends with it ("…(15.5% over); loadgate.sla:7").
func checkSLA(exprs []string, runs []*loadtest.Result, where func(expr string) string) ([]SLAOutcome, error) {
	if len(exprs) == 0 {
		return nil, nil
	}
	var outs []SLAOutcome
	for i, r := range runs {
		res, err := assert.Check(r, exprs...)
		if err != nil {
			return nil, fmt.Errorf("SLA: %w", err)
		}
		for _, o := range res {
			out := SLAOutcome{Run: i + 1, Outcome: o}
			if where != nil {
				out.Where = where(o.Expr)
			}
			if !o.Pass && o.Err == nil && out.Where != "" {
				out.Message += "; " + out.Where
			}
			outs = append(outs, out)
		}
	}
	return outs, nil
}
