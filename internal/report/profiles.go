package report

import "github.com/loadgate/loadgate/loadtest"

// The place for issue 15's data: "where the time went" (CPU profiles of
// the load) and "the slowest requests". Other work adds them to
// loadtest.Result as the fields Profiles and Slowest; until a result
// carries them these return nil and the page leaves both sections out.
// When the fields exist, fill these views from them here, and the
// template (page.html, "where-the-time-went" and "slowest-requests")
// draws them.

// profilesView is where the time went: the top functions of the run's
// CPU profile, and the profile files beside the result.
type profilesView struct {
	Files []string
	Rows  []struct{ Function, Flat, Cum string }
}

// slowestView lists the slowest requests with their ids.
type slowestView struct {
	Rows []struct{ Latency, Service, Start, Name, Status, RequestID, TraceID string }
}

func profilesOf(*loadtest.Result) *profilesView { return nil }

func slowestOf(*loadtest.Result) *slowestView { return nil }
