package loadtest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Gate decides, when a stage ends, whether the run may go on to the next
// stage. It sees the stage's result so far (requests still in flight are not
// in it yet) and returns an error saying what is wrong, or nil to go on.
type Gate func(s *StageResult) error

// LatencyBelow is a gate that passes while the stage's latency at quantile q
// (0.95 for p95) is below limit.
func LatencyBelow(q float64, limit time.Duration) Gate {
	return func(s *StageResult) error {
		v, err := s.Latency.Quantile(q)
		if err != nil {
			return err
		}
		if v >= limit {
			return fmt.Errorf("p%s = %v, want < %v", formatQuantile(q), v, limit)
		}
		return nil
	}
}

// ErrorRateAtMost is a gate that passes while the stage's share of failed
// requests is at most max (0 for "no errors", 0.01 for 1%). Dropped
// arrivals count as failed: a request that could not be sent did not
// succeed.
func ErrorRateAtMost(max float64) Gate {
	return func(s *StageResult) error {
		failed, total := s.Errors+s.Dropped, s.Requests+s.Dropped
		if total == 0 {
			return nil
		}
		if rate := float64(failed) / float64(total); rate > max {
			return fmt.Errorf("error rate = %.2f%% (%d errors and %d dropped of %d), want <= %.2f%%",
				100*rate, s.Errors, s.Dropped, total, 100*max)
		}
		return nil
	}
}

// AllOf is a gate that passes when every gate passes; it reports every
// failure.
func AllOf(gates ...Gate) Gate {
	return func(s *StageResult) error {
		var errs []error
		for _, g := range gates {
			if err := g(s); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}

// formatQuantile writes 0.99 as "99" and 0.999 as "99.9".
func formatQuantile(q float64) string {
	return strconv.FormatFloat(math.Round(q*1e6)/1e4, 'f', -1, 64)
}
