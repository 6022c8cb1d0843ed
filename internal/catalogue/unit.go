package catalogue

// Unit is what a metric's values measure. Its values are those of
// assert.Unit, which converts it.
type Unit string

const (
	Duration Unit = "duration" // nanoseconds
	Ratio    Unit = "ratio"    // a fraction
	Count    Unit = "count"    // a number of things
	Bytes    Unit = "bytes"    // a size
	Rate     Unit = "rate"     // requests per second
)

// Scope says where a metric is recorded: for the whole run, per stage
// (Result.Stages, and so in a gate), per request name (Result.ByName).
type Scope uint8

const (
	InRun Scope = 1 << iota
	InStage
	InName
	Everywhere = InRun | InStage | InName
)
