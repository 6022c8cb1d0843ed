package loadtest

import "fmt"

// nothingSent says why a run that sent no request fails its test, or ""
// when it sent some. Such a run measured nothing: without an SLA or a
// baseline to break it would pass, however it came about (a Unique feed
// used up by an earlier test, a context already ended, an open-model rate
// too low to make one arrival in its duration). The result of one shard
// of a sharded run is not failed here: its share may be empty, and the
// merged result is the one judged.
func nothingSent(r *Result) string {
	if r.Requests > 0 || r.Shard != nil {
		return ""
	}
	why := ""
	if st := r.Stopped; st != nil {
		why = fmt.Sprintf(" (stopped early, %s: %s)", st.Cause, st.Reason)
	}
	return fmt.Sprintf("loadtest: scenario %s sent no requests%s: nothing was measured", r.Scenario, why)
}
