package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/loadgate/loadgate/internal/rootcause"
)

// explain says where the time went in a scenario's runs, from the profiles
// they took (loadgate run -profile, LOADGATE_PROFILE), against the base's
// runs when there are any; nil when the head's runs took none.
func explain(k scenarioKey, base, head []resultFile) *rootcause.Report {
	return rootcause.Explain(k.Scenario, profiledRuns(base), profiledRuns(head))
}

// profiledRuns are the runs of result files, each with its directory,
// where its profiles are.
func profiledRuns(files []resultFile) []rootcause.Run {
	runs := make([]rootcause.Run, len(files))
	for i, f := range files {
		runs[i] = rootcause.Run{Result: f.Result, Dir: filepath.Dir(f.Path)}
	}
	return runs
}

// writeWhereTimeWent writes the section of loadgate run's summary that says
// where the time went in each scenario whose runs took profiles: with a
// base (-base), which functions' CPU and allocations per request grew
// most; otherwise the costliest.
func writeWhereTimeWent(w io.Writer, o *runOutcome) {
	if o.Results == nil {
		return
	}
	first := true
	for _, k := range o.Results.keys() {
		var base []resultFile
		if o.Base != nil && o.Base.Results != nil {
			base = o.Base.Results.Results[k]
		}
		r := explain(k, base, o.Results.Results[k])
		if r == nil {
			continue
		}
		if first {
			fmt.Fprintf(w, "\n== where the time went (profiles of the measured load)\n")
			first = false
		}
		r.WriteText(w)
	}
}
