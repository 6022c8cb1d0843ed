package loadtest

import (
	"fmt"
	"time"
)

// Describe says what the stage planned, whatever its name: its rate or
// users, Poisson arrivals, and for how long, or how many iterations it
// ran to (its duration is then only a bound), and its think time:
// "poisson 200/s for 2s", "2→10 users for 1m0s", "4 users, 100 iterations
// between them". Two stages with one description plan the same load,
// but for stages of a custom [Pacer], which the plan does not describe:
// every one reads "custom pacer", whatever rate its pacer kept.
func (p StagePlan) Describe() string {
	var t string
	switch {
	case p.Model == Closed && p.EndUsers() != p.Users:
		t = fmt.Sprintf("%d→%d users", p.Users, p.EndUsers())
	case p.Model == Closed:
		t = plural(p.Users, "user")
	case p.Arrivals == Custom:
		t = "custom pacer"
	case p.From != p.To:
		t = fmt.Sprintf("%g→%g/s", p.From, p.To)
	default:
		t = fmt.Sprintf("%g/s", p.From)
	}
	if p.Model != Closed && p.Arrivals == Exponential {
		t = "poisson " + t
	}
	switch {
	case p.IterationsPerUser > 0:
		t += ", " + plural(p.IterationsPerUser, "iteration") + " each"
	case p.IterationsShared > 0:
		t += ", " + plural(p.IterationsShared, "iteration") + " between them"
	default:
		t += " for " + time.Duration(p.DurationNS).String()
	}
	if p.ThinkNS > 0 {
		t += ", thinking " + time.Duration(p.ThinkNS).String()
	}
	return t
}
