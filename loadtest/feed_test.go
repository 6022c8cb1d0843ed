package loadtest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// numbered returns a table of n rows whose column "id" is the row's index.
func numbered(t *testing.T, n int) *loadtest.Table {
	t.Helper()
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i), fmt.Sprintf("user%d@example.com", i)}
	}
	tab, err := loadtest.RowsOf("numbered", []string{"id", "email"}, rows)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// TestDataUniqueEveryRowOnce is issue 14's figure: 100,000 iterations of a
// Flow over 8 closed-model users take each row of a 100,000-row table
// exactly once, and running out of rows, not the stage's time, ends the
// run, cleanly.
func TestDataUniqueEveryRowOnce(t *testing.T) {
	const rows = 100_000
	tab := numbered(t, rows)
	feed := tab.Unique()
	seen := make([]atomic.Int32, rows)
	var wrong atomic.Int64
	flow := loadtest.Flow(func(ctx context.Context, it *loadtest.Iteration) error {
		row, err := feed.Next()
		if err != nil {
			return err
		}
		seen[row.Index()].Add(1)
		if row.Get("id") != fmt.Sprint(row.Index()) {
			wrong.Add(1)
		}
		return nil
	})
	// The stage is far longer than the data lasts: only exhaustion can end
	// the run before it.
	res := loadtest.Run(t, loadtest.Scenario{Target: flow, Load: loadtest.Users(8).For(60 * time.Second)})
	if res == nil {
		return
	}
	if res.Requests != rows || res.Errors != 0 || len(res.ErrorKinds) != 0 {
		t.Errorf("%d iterations, %d errors %v; want %d and none: the hits that found no row must not count",
			res.Requests, res.Errors, res.ErrorKinds, rows)
	}
	want := loadtest.Stop{Cause: "data", Stage: res.Stages[0].Name, Reason: "test data exhausted: all 100000 rows of numbered were used"}
	if res.Stopped == nil || *res.Stopped != want {
		t.Errorf("Stopped = %+v, want %+v", res.Stopped, want)
	}
	var used, repeated int
	for i := range seen {
		switch seen[i].Load() {
		case 0:
		case 1:
			used++
		default:
			repeated++
		}
	}
	if used != rows || repeated != 0 || wrong.Load() != 0 {
		t.Errorf("%d rows used once, %d repeated, %d read wrong; want all %d once", used, repeated, wrong.Load(), rows)
	}
	var sent int64
	for _, s := range res.Timeline {
		sent += s.Sent
	}
	if sent != rows {
		t.Errorf("the timeline sent %d, want %d: a hit that found no row sent nothing", sent, rows)
	}
}

// TestDataExhaustedEndsRun checks that ErrDataExhausted, wrapped or not,
// ends the run in either model and in the warm-up, with the message that
// names the file, and that nothing of it is counted as a request or an
// error.
func TestDataExhaustedEndsRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.csv")
	var b strings.Builder
	b.WriteString("email,password\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "user%d@example.com,secret%d\n", i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	users, err := loadtest.ReadCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		load         loadtest.Stage
		warmup       time.Duration
		wrap         bool
		wantRequests int64
		wantStage    string
		wantReason   string
	}{
		{name: "closed", load: loadtest.Users(4).For(60 * time.Second), wantRequests: 1000, wantStage: "4 users",
			wantReason: "test data exhausted: all 1000 rows of " + path + " were used"},
		{name: "open, wrapped", load: loadtest.Rate(5000).For(60 * time.Second), wrap: true, wantRequests: 1000, wantStage: "5000/s",
			wantReason: "login: test data exhausted: all 1000 rows of " + path + " were used"},
		{name: "warm-up", load: loadtest.Users(2).For(60 * time.Second), warmup: 60 * time.Second, wantRequests: 0, wantStage: "warm-up",
			wantReason: "test data exhausted: all 1000 rows of " + path + " were used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			feed := users.Unique()
			target := loadtest.Func(func(ctx context.Context) error {
				row, err := feed.Next()
				if err != nil && tt.wrap {
					return fmt.Errorf("login: %w", err)
				}
				if err != nil {
					return err
				}
				if row.Get("password") == "" {
					return errors.New("no password")
				}
				return nil
			})
			tb := &errorsTB{fakeTB: fakeTB{TB: t}}
			res := loadtest.Run(tb, loadtest.Scenario{Target: target, Load: tt.load, Warmup: tt.warmup})
			if res == nil {
				t.Fatalf("Run failed: %q", tb.fatalMessages())
			}
			// A run whose data was used up before the measured load sent
			// nothing, measured nothing, and fails its test.
			var wantErrs []string
			if tt.wantRequests == 0 {
				wantErrs = []string{"loadtest: scenario " + t.Name() + " sent no requests (stopped early, data: " + tt.wantReason + "): nothing was measured"}
			}
			if got := tb.errorMessages(); !slices.Equal(got, wantErrs) {
				t.Errorf("the test failed with %q, want %q", got, wantErrs)
			}
			want := loadtest.Stop{Cause: "data", Stage: tt.wantStage, Reason: tt.wantReason}
			if res.Stopped == nil || *res.Stopped != want {
				t.Errorf("Stopped = %+v, want %+v", res.Stopped, want)
			}
			warm := int64(0)
			if res.Warmup != nil {
				warm = res.Warmup.Requests + res.Warmup.Errors
			}
			if res.Requests != tt.wantRequests || res.Errors != 0 || res.Dropped != 0 || res.Requests+warm != 1000 {
				t.Errorf("%d requests (%d in the warm-up), %d errors, %d dropped; want %d, 1000 in all, no errors",
					res.Requests, warm, res.Errors, res.Dropped, tt.wantRequests)
			}
			if s := loadtest.Summary(res); !strings.Contains(s, "stopped early (data) in stage "+tt.wantStage+": "+tt.wantReason) {
				t.Errorf("summary lacks the stop:\n%s", s)
			}
			// The data ran out long before the planned minute: the
			// result says the figures are of a share of the load.
			if tt.wantRequests > 0 && !slices.ContainsFunc(res.Warnings, func(w string) bool {
				return strings.HasPrefix(w, "the test data ran out after ") && strings.Contains(w, " of the 1m0s planned (1000 requests)")
			}) {
				t.Errorf("warnings %q, want one that the data ran out early", res.Warnings)
			}
		})
	}
}

func TestFeedSequentialWraps(t *testing.T) {
	feed := numbered(t, 3).Sequential()
	var got []int
	for range 7 {
		row, err := feed.Next()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, row.Index())
	}
	if fmt.Sprint(got) != "[0 1 2 0 1 2 0]" {
		t.Errorf("Sequential gave %v, want [0 1 2 0 1 2 0]", got)
	}
}

// TestFeedRandomReproducible checks that a seed fixes the draws, even when
// 8 goroutines share the feed (then which one draws what varies, not what
// is drawn), and that the draws cover the rows evenly.
func TestFeedRandomReproducible(t *testing.T) {
	tab := numbered(t, 10)
	draws := func(feed *loadtest.Feed, n int) []int {
		out := make([]int, n)
		for i := range out {
			row, err := feed.Next()
			if err != nil {
				t.Fatal(err)
			}
			out[i] = row.Index()
		}
		return out
	}
	const n = 80_000
	first := draws(tab.Random(42), n)
	if again := draws(tab.Random(42), n); fmt.Sprint(again) != fmt.Sprint(first) {
		t.Error("two feeds with seed 42 drew different rows")
	}
	if other := draws(tab.Random(43), 100); fmt.Sprint(other) == fmt.Sprint(first[:100]) {
		t.Error("seeds 42 and 43 drew the same rows")
	}
	counts := make([]int, 10)
	for _, i := range first {
		counts[i]++
	}
	for i, c := range counts {
		// 8,000 expected, standard deviation 85: ±600 is 7 of them,
		// and the seed fixes the draws, so this cannot flake.
		if c < 7400 || c > 8600 {
			t.Errorf("row %d drawn %d times of %d, want about %d", i, c, n, n/10)
		}
	}

	shared := tab.Random(42)
	var mu sync.Mutex
	concurrent := make([]int, 10)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			local := make([]int, 10)
			for _, i := range draws(shared, n/8) {
				local[i]++
			}
			mu.Lock()
			for i, c := range local {
				concurrent[i] += c
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if fmt.Sprint(concurrent) != fmt.Sprint(counts) {
		t.Errorf("8 goroutines drew %v, one drew %v: the same seed must draw the same rows", concurrent, counts)
	}
}

// TestFeedUniqueShards checks the hook for load spread over generators:
// n shards of a table give each row exactly once between them.
func TestFeedUniqueShards(t *testing.T) {
	tab := numbered(t, 10)
	seen := map[int]int{}
	sizes := []int{}
	for i := range 3 {
		feed, err := tab.UniqueShard(i, 3)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			row, err := feed.Next()
			if err != nil {
				want := fmt.Sprintf("test data exhausted: all %d rows of shard %d of 3 of numbered were used", n, i)
				if !errors.Is(err, loadtest.ErrDataExhausted) || err.Error() != want {
					t.Errorf("shard %d: err = %v, want %q", i, err, want)
				}
				break
			}
			seen[row.Index()]++
			n++
		}
		sizes = append(sizes, n)
	}
	if fmt.Sprint(sizes) != "[4 3 3]" || len(seen) != 10 {
		t.Errorf("shards gave %v rows, %d distinct; want [4 3 3] and all 10", sizes, len(seen))
	}
	for i, c := range seen {
		if c != 1 {
			t.Errorf("row %d given %d times", i, c)
		}
	}
	for _, give := range [][2]int{{3, 3}, {-1, 3}, {0, 0}} {
		if _, err := tab.UniqueShard(give[0], give[1]); err == nil {
			t.Errorf("UniqueShard(%d, %d) succeeded", give[0], give[1])
		}
	}
	if _, err := new(loadtest.Feed).Next(); err == nil || errors.Is(err, loadtest.ErrDataExhausted) {
		t.Errorf("the zero Feed's Next: err = %v, want an error saying it has no table", err)
	}
}
