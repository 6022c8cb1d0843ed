package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/internal/merge"
	"github.com/loadgate/loadgate/loadtest"
)

const mergeUsage = `usage: loadgate merge -out DIR [-partial] SHARDS...

Merge joins the results of the shards of a sharded run into one result per
scenario, of the same schema as a run's, which loadgate compare, export and
the baselines read as they read any result. The shards are the results of
generators run with LOADGATE_SHARD=i/N (or JOB_COMPLETION_INDEX with
LOADGATE_SHARDS=N, as a Kubernetes Indexed Job), each running its share of
one load (docs/SHARDS.md). SHARDS are result files or directories of them.

The merge is exact: latency histograms are added, so the merged p99 is the
p99 of every request of every shard; counts, error kinds and status codes
are summed; rates are taken over the shards' common wall-clock window; the
per-second timelines are aligned on wall-clock seconds. Runtime statistics
of several processes do not add up: the merged result keeps them per
shard, with each shard's rate, p99, start skew and pacer lag.

Merge refuses shards of different run groups, scenarios, plans, commits,
scales or targets, histograms of different layouts, a shard given twice
and a shard missing, naming the shard file and the field at fault; with
-partial it merges a run that lacks shards, and the result says partial
everywhere it is read. Nothing is written unless every scenario merges;
each merged result is written whole or not at all, to DIR/<scenario>.json.

Flags:
%s
Example: merge four shards, then compare the merged result with a
baseline

	loadgate merge -out merged shard-1 shard-2 shard-3 shard-4
	loadgate compare testdata/loadgate merged
`

func cmdMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", mergeUsage, stdout)
	out := fs.String("out", "", "`dir`ectory for the merged results (required; new or empty)")
	partial := fs.Bool("partial", false, "merge runs that lack shards, marking the result partial, instead of refusing them")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return helpOrErr(err)
	}
	switch {
	case *out == "":
		return usageErrorf("merge", "-out is required: the directory for the merged results")
	case len(paths) == 0:
		return usageErrorf("merge", "want the shards' result files or directories")
	}
	dir, err := checkOut("merge", *out)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if abs, err := filepath.Abs(p); err == nil && abs == dir {
			return usageErrorf("merge", "-out %s is also a shard directory; write the merged results elsewhere", *out)
		}
	}
	merged, err := merge.Do(paths, merge.Options{Partial: *partial})
	if err != nil {
		return inputError("merge", err)
	}
	written := make([]string, len(merged))
	for i, r := range merged {
		if written[i], err = loadtest.WriteFile(dir, r); err != nil {
			return inputError("merge", err)
		}
	}
	for i, r := range merged {
		sh := r.Shard
		fmt.Fprintf(stdout, "%s: %s of %d merged into %s\n", r.Scenario, cell.Plural(sh.Count-len(sh.Missing), "shard"), sh.Count, relPath(written[i]))
		fmt.Fprintf(stdout, "%s\n\n", loadtest.Summary(r))
	}
	return nil
}
