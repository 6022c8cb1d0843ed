package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/loadgate/loadgate/assert"
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

// judge is how to compare each scenario.
type judge struct {
	policy baseline.Policy
	sla    *assert.File // nil: no SLA file
}

// load reads the files the flags name; its errors name the flag.
func (pf *policyFlags) load(cmd string) (*judge, error) {
	j := &judge{}
	if pf.policyPath != "" {
		data, err := os.ReadFile(pf.policyPath)
		if err != nil {
			return nil, usageErrorf(cmd, "-policy: %v", err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j.policy); err != nil {
			return nil, usageErrorf(cmd, "-policy: %v", jsonError(pf.policyPath, data, dec.InputOffset(), err, &j.policy))
		}
		if err := j.policy.Validate(); err != nil {
			return nil, usageErrorf(cmd, "-policy %s: %v", pf.policyPath, err)
		}
	}
	if pf.slaPath != "" {
		f, err := assert.ParseFile(pf.slaPath)
		if err != nil {
			return nil, usageErrorf(cmd, "-sla: %v", err)
		}
		j.sla = f
	}
	return j, nil
}

// policyFor returns the policy for a scenario, with the SLA expressions
// that apply to it.
func (j *judge) policyFor(scenario string) baseline.Policy {
	p := j.policy
	if j.sla != nil {
		p.SLA = append(slices.Clone(p.SLA), j.sla.For(scenario)...)
	}
	return p
}

// compare judges head against base for one scenario.
func (j *judge) compare(base, head baseline.Sample) (*baseline.Comparison, error) {
	c, err := baseline.Compare(base, head, j.policyFor(head.Scenario))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", head.Scenario, err)
	}
	return c, nil
}
