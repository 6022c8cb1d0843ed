package main

import (
	"flag"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/gotest"
)

// policyFlags are the flags that say how comparisons judge: a policy file
// (a baseline.Policy in JSON) and an SLA file (assert.File: expressions
// with a section per scenario).
type policyFlags struct {
	policyPath string
	slaPath    string
	toTests    bool
}

// register adds -policy and -sla to fs. toTests says that the command
// passes them on to the tests it runs (loadgate run), whose baseline.Check
// then judges alike.
func (pf *policyFlags) register(fs *flag.FlagSet, toTests bool) {
	policy := "JSON `file` with the comparison policy (baseline.Policy: alpha, rules per metric); default baseline.DefaultPolicy"
	sla := "SLA `file` of assert expressions, a [pattern] section per scenario; a breach in the new results fails the comparison"
	if toTests {
		policy = "JSON `file` with the comparison policy (baseline.Policy: alpha, rules per metric), for loadgate and the tests' baseline.Check (LOADGATE_POLICY); default the absolute file LOADGATE_POLICY names, else baseline.DefaultPolicy"
		sla = "SLA `file` of assert expressions, a [pattern] section per scenario; a breach fails the comparison, and the tests' baseline.Check (LOADGATE_SLA); default the absolute file LOADGATE_SLA names, else none"
	}
	pf.toTests = toTests
	fs.StringVar(&pf.policyPath, "policy", "", policy)
	fs.StringVar(&pf.slaPath, "sla", "", sla)
}

// load reads the files the flags name into the one judge of the run; its
// errors name the flag.
// A command that runs the tests defaults each flag to the file that
// LOADGATE_POLICY or LOADGATE_SLA names (gotest.InheritedFile), which the
// tests would read; those errors name the variable.
func (pf *policyFlags) load(cmd string) (*baseline.Judge, error) {
	policy, policyName := pf.policyPath, "-policy"
	sla, slaName := pf.slaPath, "-sla"
	if pf.toTests {
		var err error
		if policy == "" {
			if policy, err = gotest.InheritedFile(baseline.EnvPolicy); err != nil {
				return nil, usageErrorf(cmd, "%v", err)
			}
			policyName = baseline.EnvPolicy + "=" + policy
		}
		if sla == "" {
			if sla, err = gotest.InheritedFile(baseline.EnvSLA); err != nil {
				return nil, usageErrorf(cmd, "%v", err)
			}
			slaName = baseline.EnvSLA + "=" + sla
		}
	}
	j, err := baseline.LoadJudge(policy, "")
	if err != nil {
		return nil, usageErrorf(cmd, "%s: %v", policyName, err)
	}
	k, err := baseline.LoadJudge("", sla)
	if err != nil {
		return nil, usageErrorf(cmd, "%s: %v", slaName, err)
	}
	j.SLA, j.SLAFile = k.SLA, k.SLAFile
	return j, nil
}
