package merge

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/loadtest"
)

// Refusal is why shards cannot be merged: the shard file at fault (Path;
// "" when the fault is a shard that is not there), the field of its
// result ("shard.commit", "load.stages[0].from", "latency.hdr") and what
// is wrong with it.
type Refusal struct {
	Path     string
	Scenario string
	Field    string
	Reason   string
}

func (r *Refusal) Error() string {
	if r.Path == "" {
		return fmt.Sprintf("scenario %s: %s: %s", r.Scenario, r.Field, r.Reason)
	}
	return fmt.Sprintf("%s: %s: %s", r.Path, r.Field, r.Reason)
}

// check refuses files that are not the shards of one run, and returns
// the shards missing (which only Options.Partial accepts). files are in
// the order of their shards.
func check(files []File, o Options) (missing []int, err error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("no results to merge")
	}
	ref := files[0]
	refuse := func(f File, field, format string, args ...any) error {
		return &Refusal{Path: f.Path, Scenario: f.Result.Scenario, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	for _, f := range files {
		switch sh := f.Result.Shard; {
		case sh == nil:
			return nil, refuse(f, "shard", "not a shard's result: only the results of a sharded run (%s=i/N, or %s with %s) are merged",
				loadtest.EnvShard, loadtest.EnvJobIndex, loadtest.EnvShards)
		case sh.Index == 0:
			return nil, refuse(f, "shard.index", "a merged result already (of %d shards of run group %s); merge the shards' own results", sh.Count, sh.Group)
		}
	}
	rs := ref.Result.Shard
	by := fmt.Sprintf("shard %d (%s)", rs.Index, ref.Path)
	seen := map[int]string{}
	for i, f := range files {
		r, sh := f.Result, f.Result.Shard
		if i == 0 {
			seen[sh.Index] = f.Path
			continue
		}
		// What the shards of one run share comes before the duplicate
		// check: shard 1 of another run (another shard.group, or a load
		// begun at another time) is another run's, not shard 1 again.
		for _, c := range []struct{ field, got, want string }{
			{"scenario", r.Scenario, ref.Result.Scenario},
			{"package", r.Package, ref.Result.Package},
		} {
			if c.got != c.want {
				return nil, refuse(f, c.field, "%q, %s has %q: shards of different scenarios", c.got, by, c.want)
			}
		}
		switch {
		case sh.Count != rs.Count:
			return nil, refuse(f, "shard.count", "shard %d of %d, %s is one of %d: shards of different splits", sh.Index, sh.Count, by, rs.Count)
		case sh.Commit != rs.Commit:
			return nil, refuse(f, "shard.commit", "%s, %s ran %s: shards of different code", orNone(sh.Commit), by, orNone(rs.Commit))
		case sh.Group != rs.Group:
			return nil, refuse(f, "shard.group", "%q, %s has %q: shards of different runs (%s, %s)", sh.Group, by, rs.Group, loadtest.EnvRunGroup, loadtest.EnvStartAt)
		case sh.Run != rs.Run:
			return nil, refuse(f, "shard.run", "run %d of the scenario, %s is run %d", sh.Run, by, rs.Run)
		}
		if field, got, want := firstDiff("load", r.Load, ref.Result.Load); field != "" {
			return nil, refuse(f, field, "%s, %s planned %s: shards of different plans", got, by, want)
		}
		if field, got, want := firstDiff("env", loadOf(r.Env), loadOf(ref.Result.Env)); field != "" {
			return nil, refuse(f, field, "%s, %s ran with %s: shards of different loads", got, by, want)
		}
		if sh.Index < 1 || sh.Index > rs.Count {
			return nil, refuse(f, "shard.index", "shard %d of %d", sh.Index, rs.Count)
		}
		if gap, allowed := apart(sh, rs); gap > allowed {
			return nil, refuse(f, "shard.load_start", "%s, %s began its load at %s: %v apart, more than the longer run (shard.busy_ns) plus the %v a shard may start late; these shards did not run together (another run, a wrong clock, or a later scenario of processes whose earlier ones took longer in one shard)",
				sh.LoadStart.Format(time.RFC3339Nano), by, rs.LoadStart.Format(time.RFC3339Nano), gap.Round(time.Millisecond), loadtest.StartAtLate)
		}
		if prev, dup := seen[sh.Index]; dup {
			return nil, refuse(f, "shard.index", "shard %d of %d again: %s is that shard too; give each shard's result once", sh.Index, sh.Count, prev)
		}
		seen[sh.Index] = f.Path
	}
	for i := 1; i <= rs.Count; i++ {
		if _, ok := seen[i]; !ok {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 && !o.Partial {
		var have []string
		for _, f := range files {
			have = append(have, fmt.Sprintf("%d (%s)", f.Result.Shard.Index, f.Path))
		}
		return missing, &Refusal{Scenario: ref.Result.Scenario, Field: "shard.index",
			Reason: fmt.Sprintf("%s of %d missing; have %s. Merge what there is with %s: the result then says partial",
				loadtest.ShardList(missing), rs.Count, strings.Join(have, ", "), cmp.Or(o.PartialHint, "-partial"))}
	}
	return missing, nil
}

// apart returns how far apart two shards' loads began, and how far apart
// they may begin and still have run together: the longer of their loads
// and drains, plus the lateness a shard may start with
// (loadtest.StartAtLate).
func apart(a, b *loadtest.Shard) (gap, allowed time.Duration) {
	if a.LoadStart.Before(b.LoadStart) {
		a, b = b, a
	}
	gap = a.LoadStart.Sub(b.LoadStart) // saturates: years apart are refused too
	allowed = time.Duration(max(a.BusyNS, b.BusyNS)) + loadtest.StartAtLate
	if allowed < loadtest.StartAtLate { // overflowed
		allowed = math.MaxInt64
	}
	return gap, allowed
}

// loadOf is the part of an environment that changes the load: shards of
// different scales or targets do not add up to one load.
func loadOf(e loadtest.Env) loadtest.Env {
	return loadtest.Env{Scale: e.Scale, RateScale: e.RateScale, Target: e.Target}
}

func orNone(commit string) string {
	if commit == "" {
		return "no known commit"
	}
	return "commit " + commit
}

// firstDiff returns the first field, as a JSON path under root, whose
// value differs between a and b, with both values as JSON; "" if they
// are equal.
func firstDiff(root string, a, b any) (field, av, bv string) {
	var x, y any
	for _, p := range []struct {
		v   any
		out *any
	}{{a, &x}, {b, &y}} {
		data, err := json.Marshal(p.v)
		if err != nil {
			return root, err.Error(), ""
		}
		_ = json.Unmarshal(data, p.out)
	}
	return diff(root, x, y)
}

func diff(path string, a, b any) (string, string, string) {
	show := func(v any) string {
		if v == nil {
			return "nothing"
		}
		data, _ := json.Marshal(v)
		return string(data)
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			if p, av, bv := diff(path+"."+k, x[k], y[k]); p != "" {
				return p, av, bv
			}
		}
		return "", "", ""
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		for i := range max(len(x), len(y)) {
			var xi, yi any
			if i < len(x) {
				xi = x[i]
			}
			if i < len(y) {
				yi = y[i]
			}
			if p, av, bv := diff(fmt.Sprintf("%s[%d]", path, i), xi, yi); p != "" {
				return p, av, bv
			}
		}
		return "", "", ""
	}
	if show(a) == show(b) {
		return "", "", ""
	}
	return path, show(a), show(b)
}
