package baseline

import (
	"fmt"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/cell"
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
// answer another load, and the comparison says so.
func plannedDiffers(base, head Sample) string {
	if len(base.Results) == 0 || len(head.Results) == 0 {
		return ""
	}
	bp, hp := base.Results[0].Planned(), head.Results[0].Planned()
	if planKey(bp) == planKey(hp) {
		return ""
	}
	return fmt.Sprintf("%s: %s; %s: %s", label(base, "base"), planText(bp), label(head, "head"), planText(hp))
}

// planKey is what a load's stages plan, without their seeds.
func planKey(stages []loadtest.StagePlan) string {
	var b strings.Builder
	for _, st := range stages {
		fmt.Fprintf(&b, "%s|%s|%g|%g|%d|%d|%d|%d|%d|%d;", st.Model, st.Arrivals, st.From, st.To, st.Users, st.EndUsers(),
			st.ThinkNS, st.IterationsPerUser, st.IterationsShared, st.DurationNS)
	}
	return b.String()
}

// planText describes stages by what they plan, not by their names, which
// a user may keep when changing the rate ("steady" at 100/s and at
// 200/s): "poisson 50→200/s for 2s, 200/s for 5s, think 1s".
func planText(stages []loadtest.StagePlan) string {
	var parts []string
	for _, st := range stages {
		var t string
		switch {
		case st.Model == loadtest.Closed && st.EndUsers() != st.Users:
			t = fmt.Sprintf("%d→%d users", st.Users, st.EndUsers())
		case st.Model == loadtest.Closed:
			t = cell.Plural(st.Users, "user")
		case st.Arrivals == loadtest.Custom:
			t = "custom pacer"
		case st.From != st.To:
			t = fmt.Sprintf("%g→%g/s", st.From, st.To)
		default:
			t = fmt.Sprintf("%g/s", st.From)
		}
		if st.Model != loadtest.Closed && st.Arrivals == loadtest.Exponential {
			t = "poisson " + t
		}
		switch {
		case st.IterationsPerUser > 0:
			t += fmt.Sprintf(", %d iterations each", st.IterationsPerUser)
		case st.IterationsShared > 0:
			t += fmt.Sprintf(", %d iterations", st.IterationsShared)
		default:
			t += " for " + time.Duration(st.DurationNS).String()
		}
		if st.ThinkNS > 0 {
			t += ", think " + time.Duration(st.ThinkNS).String()
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return "no stages"
	}
	return strings.Join(parts, ", ")
}
