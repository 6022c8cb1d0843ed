package main

import (
	"flag"

	"github.com/loadgate/loadgate/baseline"
)

// policyFlags are the flags that say how comparisons judge: a policy file
// (a baseline.Policy in JSON) and an SLA file (assert.File: expressions
// with a section per scenario).
type policyFlags struct {
	policyPath string
	slaPath    string
}

// register adds -policy and -sla to fs. toTests says that the command
// passes them on to the tests it runs (loadgate run), whose baseline.Check
// then judges alike.
func (pf *policyFlags) register(fs *flag.FlagSet, toTests bool) {
	policy := "JSON `file` with the comparison policy (baseline.Policy: alpha, rules per metric); default baseline.DefaultPolicy"
	sla := "SLA `file` of assert expressions, a [pattern] section per scenario; a breach in the new results fails the comparison"
	if toTests {
		policy = "JSON `file` with the comparison policy (baseline.Policy: alpha, rules per metric), for loadgate and the tests' baseline.Check (LOADGATE_POLICY); default baseline.DefaultPolicy"
		sla = "SLA `file` of assert expressions, a [pattern] section per scenario; a breach fails the comparison, and the tests' baseline.Check (LOADGATE_SLA)"
	}
	fs.StringVar(&pf.policyPath, "policy", "", policy)
	fs.StringVar(&pf.slaPath, "sla", "", sla)
}

// load reads the files the flags name into the one judge of the run; its
// errors name the flag.
func (pf *policyFlags) load(cmd string) (*baseline.Judge, error) {
	j, err := baseline.LoadJudge(pf.policyPath, "")
	if err != nil {
		return nil, usageErrorf(cmd, "-policy: %v", err)
	}
	k, err := baseline.LoadJudge("", pf.slaPath)
	if err != nil {
		return nil, usageErrorf(cmd, "-sla: %v", err)
	}
	j.SLA, j.SLAFile = k.SLA, k.SLAFile
	return j, nil
}
