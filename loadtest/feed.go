package loadtest

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"sync/atomic"
	"time"
)

// ErrDataExhausted is returned, wrapped, by the Next of a [Feed] that has
// given every row it may give ([Table.Unique], [Table.UniqueShard]).
//
// A target that returns it (or an error wrapping it) ends the run cleanly:
// no new request starts, Result.Stopped says why with Cause "data", and
// the hit that found no row is counted neither as a request nor as an
// error. The test passes unless its own assertions fail. A [Flow] should
// take its rows before its first step, so that an iteration that finds
// none sends nothing.
var ErrDataExhausted = errors.New("test data exhausted")

// Feed hands out the rows of a [Table] to the users of a run, in the order
// of its kind: [Table.Sequential], [Table.Random] or [Table.Unique]. The
// caller builds one feed per run, before it, and shares it: a feed's
// position is its own, so two Unique feeds of one table each give every
// row. Inside a [Flow] or a [Func], call Next once per iteration and use
// the row's fields:
//
//	users, err := loadtest.ReadCSV("testdata/users.csv")
//	...
//	feed := users.Unique()
//	flow := loadtest.Flow(func(ctx context.Context, it *loadtest.Iteration) error {
//		row, err := feed.Next()
//		if err != nil {
//			return err // ErrDataExhausted: the run ends
//		}
//		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/login",
//			strings.NewReader(url.Values{"email": {row.Get("email")}}.Encode()))
//		...
//	})
//
// A Feed is safe for concurrent use. Next takes no lock: it advances one
// atomic counter, kept on a cache line of its own.
type Feed struct {
	t    *Table
	kind feedKind
	seed uint64
	// Unique: rows first, first+stride, … , count of them.
	first, stride, count uint64
	exhausted            error

	_    [64]byte // keep the counter off the cache line of the fields above
	next atomic.Uint64
	_    [56]byte
}

type feedKind uint8

const (
	sequential feedKind = iota + 1
	random
	unique
)

// Sequential returns a feed that gives the rows in order, starting again
// from the first after the last: the k-th call to Next in the run gives
// row k mod Len.
func (t *Table) Sequential() *Feed { return &Feed{t: t, kind: sequential} }

// Random returns a feed that gives rows drawn uniformly, with repeats.
// The draws are reproducible: the k-th call to Next in the run gives the
// same row in every run with the same seed and table (which user makes
// the k-th call depends on scheduling).
func (t *Table) Random(seed int64) *Feed {
	// Mixed, so that nearby seeds do not give shifted copies of one
	// sequence.
	return &Feed{t: t, kind: random, seed: splitmix64(uint64(seed))}
}

// Unique returns a feed that gives each row at most once, in order; once
// all were given, Next returns an error wrapping [ErrDataExhausted], which
// ends the run when the target returns it. The warm-up's iterations take
// rows too: a table must hold a row for every iteration of the warm-up
// and of the measured load.
//
// In a sharded run (LOADGATE_SHARD=i/N, or JOB_COMPLETION_INDEX with
// LOADGATE_SHARDS) Unique is UniqueShard(i−1, N): each shard gives its own
// rows, every N-th from row i−1, so that no row is used twice across the
// shards of the run. A shard then runs out of rows after about 1/N of
// them. Unique reads the environment when it is called; if the
// variables are malformed it gives the whole table, and [Run] refuses
// the scenario naming the variable. For the whole table in a sharded run,
// call UniqueShard(0, 1).
func (t *Table) Unique() *Feed {
	i, n := 0, 1
	if sh, err := shardingFromEnv(os.Getenv, time.Now()); err == nil && sh != nil {
		i, n = sh.index-1, sh.count
	}
	f, _ := t.UniqueShard(i, n)
	return f
}

// UniqueShard returns a feed that gives once each of the rows i, i+n,
// i+2n, … in order, then [ErrDataExhausted]: it is the i-th of n shards of
// the table (0 <= i < n). It is the hook for load spread over n
// generators: each, given its own i, gives each row at most once across
// the whole run. [Table.Unique] is UniqueShard(0, 1).
func (t *Table) UniqueShard(i, n int) (*Feed, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("UniqueShard(%d, %d): want 0 <= i < n", i, n)
	}
	count := 0
	if i < t.Len() {
		count = (t.Len()-i-1)/n + 1
	}
	f := &Feed{t: t, kind: unique, first: uint64(i), stride: uint64(n), count: uint64(count)}
	what := fmt.Sprintf("all %d rows of %s", t.Len(), t.name)
	if n > 1 {
		what = fmt.Sprintf("all %d rows of shard %d of %d of %s", count, i, n, t.name)
	}
	f.exhausted = fmt.Errorf("%w: %s were used", ErrDataExhausted, what)
	return f, nil
}

// Next returns the feed's next row. It returns an error wrapping
// [ErrDataExhausted] when a Unique feed has given all its rows: the caller
// should return it from its target, so that the run ends.
func (f *Feed) Next() (Row, error) {
	if f == nil || f.t == nil {
		return Row{}, errors.New("loadtest: Feed has no table (build one with Table.Sequential, Random or Unique)")
	}
	k := f.next.Add(1) - 1
	n := uint64(f.t.Len())
	switch f.kind {
	case sequential:
		return Row{f.t, int(k % n)}, nil
	case random:
		// Lemire's multiply-shift maps the hash onto [0, n) without
		// the bias of a modulo.
		hi, _ := bits.Mul64(splitmix64(f.seed+(k+1)*0x9e3779b97f4a7c15), n)
		return Row{f.t, int(hi)}, nil
	}
	if k >= f.count {
		return Row{}, f.exhausted
	}
	return Row{f.t, int(f.first + k*f.stride)}, nil
}

// splitmix64 is the finalizer of SplitMix64 (Steele, Lea and Flood 2014):
// consecutive inputs give independent-looking outputs, so the k-th draw
// needs no state but k.
func splitmix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
