package baseline

import (
	"fmt"
	"strings"

	"github.com/loadgate/loadgate/loadtest"
)

// sameLoad returns an error unless two sets of runs, named a and b in the
// message ("baseline", "head", "result 2"), were sent to the same target
// at the same scales, as their environments record (loadtest.Env's
// Target, Scale and RateScale; a scale of 0, as files written before it
// existed have, is 1). A change of any of them changes what is measured,
// so a comparison across it would report the setting as a regression or
// an improvement: the error, [ErrTargetMismatch] or [ErrScaleMismatch],
// names both values. It is the one rule of [Compare], [SampleOf] and
// [RecordSession].
func sameLoad(a string, ae loadtest.Env, b string, be loadtest.Env) error {
	const keep = "or keep a baseline for each in a directory of its own (LOADGATE_BASELINE_DIR, loadgate run -baselines)"
	if ae.Target != be.Target {
		return fmt.Errorf("%w: the %s ran against %s, the %s against %s: the numbers of two services are not comparable; compare runs against the same target, %s",
			ErrTargetMismatch, a, targetText(ae.Target), b, targetText(be.Target), keep)
	}
	for _, s := range []struct {
		name   string
		av, bv float64
	}{
		{loadtest.EnvScale, ae.Scale, be.Scale},
		{loadtest.EnvRateScale, ae.RateScale, be.RateScale},
	} {
		if factor(s.av) != factor(s.bv) {
			return fmt.Errorf("%w: the %s ran at %s=%g, the %s at %s=%g: a scaled load measures something else; compare runs at the same scale, %s",
				ErrScaleMismatch, a, s.name, factor(s.av), b, s.name, factor(s.bv), keep)
		}
	}
	return nil
}

// targetText describes the target of runs whose Env.Target is t.
func targetText(t string) string {
	if t == "" {
		return "a server its test started itself (no " + loadtest.EnvTarget + ")"
	}
	return loadtest.EnvTarget + "=" + t
}

// factor is a recorded scale: 0 (not recorded) is 1.
func factor(s float64) float64 {
	if s == 0 {
		return 1
	}
	return s
}

// plannedDiffers says how the load the base's results planned differs
// from the head's ("base: 100/s for 1s; head: 200/s for 1s"), or "" when
// they planned the same, or either side has no results (a stored
// baseline keeps no plan). The first result of each side stands for its
// runs. Seeds are not compared: a Poisson stage's draw is noise, not a
// plan. A changed plan is not refused, as a changed target is: a pull
// request may change its load test on purpose. But its latencies then
// answer another load, and the comparison says so. Stages of a custom
// pacer are alike whatever their pacer did (loadtest.StagePlan.Describe).
func plannedDiffers(base, head Sample) string {
	if len(base.Results) == 0 || len(head.Results) == 0 {
		return ""
	}
	bp, hp := base.Results[0].Planned(), head.Results[0].Planned()
	if planText(bp) == planText(hp) {
		return ""
	}
	return fmt.Sprintf("%s: %s; %s: %s", label(base, "base"), planText(bp), label(head, "head"), planText(hp))
}

// planText describes stages by what they plan (loadtest.StagePlan.Describe),
// not by their names, which a rate change may keep.
func planText(stages []loadtest.StagePlan) string {
	var parts []string
	for _, st := range stages {
		parts = append(parts, st.Describe())
	}
	if len(parts) == 0 {
		return "no stages"
	}
	return strings.Join(parts, ", ")
}
