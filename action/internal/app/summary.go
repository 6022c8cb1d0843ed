package app

import (
	"errors"
	"fmt"
	"os"

	"github.com/sethvargo/go-githubactions"
)

// WriteSummary appends the report to the job summary, at the most
// detailed level that keeps the step's summary under [MaxSummaryBytes]
// with what the step already wrote there. It returns the level written.
// Without GITHUB_STEP_SUMMARY (outside Actions) it writes nothing.
func WriteSummary(gha *githubactions.Action, r *Report) (level Level, err error) {
	path := gha.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return Full, errors.New("job summary: GITHUB_STEP_SUMMARY is not set")
	}
	used := int64(0)
	if fi, err := os.Stat(path); err == nil {
		used = fi.Size()
	}
	// The summary is where the comment points for what it left out, so it
	// must not point back to itself.
	saved := r.SummaryURL
	r.SummaryURL, r.inSummary = "", true
	defer func() { r.SummaryURL, r.inSummary = saved, false }()
	md, level := r.Fit(MaxSummaryBytes-int(used)-1, Bytes)
	// AddStepSummary panics when it cannot write the file.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job summary: %v", p)
		}
	}()
	gha.AddStepSummary(md)
	return level, nil
}
