// Package merge joins the results of the shards of one sharded load
// (LOADGATE_SHARD in package loadtest, docs/SHARDS.md) into one result of
// the same schema, exactly: loadgate merge and the GitHub Action are its
// two front ends, so that a result is merged one way.
//
// Shard results flow through the package in this order:
//
//  1. [Read] reads them from files and directories (loadtest.ReadFile,
//     the one reader of result files).
//  2. [Runs] groups them by scenario and by run (Shard.Run, the n-th run
//     of the scenario in each shard's process).
//  3. [Merge] checks that a group's shards belong together (one run
//     group, commit, plan, environment and histogram layout; each shard
//     once; none missing unless [Options.Partial]) and joins them: HDR
//     histograms are added, so the merged percentiles are those of all
//     the requests together; counts, error kinds and status codes are
//     summed; rates are taken over the shards' common wall-clock window;
//     the per-second timelines are aligned on wall-clock seconds; runtime
//     statistics stay per shard (Result.Shards). Every refusal is a
//     [*Refusal] naming the shard file and the field at fault.
//
// [Do] runs the three steps over the paths of a command line and returns
// one merged result per scenario and run; the caller writes them
// (loadtest.WriteFile writes each atomically).
package merge
