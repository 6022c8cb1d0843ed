package baseline

import (
	"errors"
	"fmt"
)

// Option tunes [Check]. Options that do not apply to the mode Check runs
// in (WithUpdateID when comparing, Strict when recording) are accepted
// and unused, not refused: a test sets its options once and
// LOADGATE_UPDATE switches the mode.
type Option interface {
	apply(*options) error
}

type optionFunc func(*options) error

func (f optionFunc) apply(o *options) error { return f(o) }

var _ Option = optionFunc(nil)

// options gathers Check's settings and their defaults in one place.
type options struct {
	dir string // "": LOADGATE_BASELINE_DIR, else DefaultDir
	// judge is LOADGATE_POLICY's and LOADGATE_SLA's, with WithPolicy's
	// policy instead when given.
	judge     Judge
	policy    Policy
	policySet bool // WithPolicy was given: LOADGATE_POLICY does not apply
	sla       []string
	strict    bool
	update    *bool // nil: from LOADGATE_UPDATE
	updateID  string
	runs      int // 0: from go test -count
}

func buildOptions(opts []Option) (*options, error) {
	o := &options{}
	var errs []error
	for _, opt := range opts {
		if opt == nil {
			errs = append(errs, errors.New("nil option"))
			continue
		}
		if err := opt.apply(o); err != nil {
			errs = append(errs, err)
		}
	}
	if o.dir == "" {
		o.dir = Dir("")
	}
	if j, err := JudgeFromEnv(); err != nil {
		errs = append(errs, err)
	} else {
		o.judge = *j
	}
	if o.policySet {
		o.judge.Policy, o.judge.PolicyFile = o.policy, ""
	}
	return o, errors.Join(errs...)
}

// WithDir keeps baselines in dir instead of [DefaultDir] or the directory
// LOADGATE_BASELINE_DIR names ([EnvDir]).
func WithDir(dir string) Option {
	return optionFunc(func(o *options) error {
		if dir == "" {
			return errors.New("baseline.WithDir: empty directory")
		}
		o.dir = dir
		return nil
	})
}

// WithPolicy judges the comparison by p instead of [DefaultPolicy] or the
// policy file LOADGATE_POLICY names ([EnvPolicy]).
func WithPolicy(p Policy) Option {
	return optionFunc(func(o *options) error {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("baseline.WithPolicy: %w", err)
		}
		o.policy, o.policySet = p, true
		return nil
	})
}

// WithSLA adds hard limits, expressions of the assert package such as
// "p99 < 200ms": a breach fails the test whatever the baseline says, in
// update mode too.
func WithSLA(exprs ...string) Option {
	return optionFunc(func(o *options) error {
		o.sla = append(o.sla, exprs...)
		return nil
	})
}

// Strict fails the test when there is no baseline to compare with,
// instead of logging how to record one.
func Strict() Option {
	return optionFunc(func(o *options) error {
		o.strict = true
		return nil
	})
}

// WithUpdate records (true) or compares (false) whatever LOADGATE_UPDATE
// says.
func WithUpdate(update bool) Option {
	return optionFunc(func(o *options) error {
		o.update = &update
		return nil
	})
}

// WithUpdateID tags the runs this process records with id instead of
// LOADGATE_UPDATE_ID or an id of the process: runs with the same id are
// added to one baseline.
func WithUpdateID(id string) Option {
	return optionFunc(func(o *options) error {
		if id == "" {
			return errors.New("baseline.WithUpdateID: empty id")
		}
		o.updateID = id
		return nil
	})
}

// WithRuns compares after n runs of the scenario in this process, pooled,
// instead of after as many as go test's -count asks for.
func WithRuns(n int) Option {
	return optionFunc(func(o *options) error {
		if n < 1 {
			return fmt.Errorf("baseline.WithRuns(%d): want at least 1 run", n)
		}
		o.runs = n
		return nil
	})
}
