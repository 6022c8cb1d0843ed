// Command shardgen is the load generator and the checker of the sharded
// runs that scripts/shards.sh measures (docs/SHARDS.md).
//
// shardgen run is one shard: it GETs -url (loadtest.GET on the Lean
// transport) in the open model at the rate of the whole load, through
// loadtest.Execute, so that LOADGATE_SHARD and LOADGATE_START_AT make it
// send its share at the shared start, and writes its result into -out. With -raw it also records, in the target itself,
// how long each request took, to a file of little-endian int64
// nanoseconds: the harness's own record of every latency, for the check.
//
//	LOADGATE_SHARD=2/4 LOADGATE_START_AT=... shardgen run -url http://127.0.0.1:8080/ -rate 10000 -d 10s -out shards -raw raw-2.bin
//
// shardgen check reads a result loadgate merge wrote, the shards' own
// results and their raw records, and prints the figures as Markdown table
// rows: the merged rate against the plan, the busiest merged second, the
// merged p99 against the shards' histograms added up here and against the
// exact p99 of every raw latency pooled, the shards' start skews.
//
//	shardgen check -merged merged/shards.json -shards shards -raw 'raw-*.bin'
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadgate/loadgate/internal/merge"
	"github.com/loadgate/loadgate/loadtest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: shardgen run|check [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(os.Args[2:], os.Stdout, os.Stderr)
	case "check":
		err = check(os.Args[2:], os.Stdout, os.Stderr)
	default:
		err = fmt.Errorf("unknown command %q: want run or check", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shardgen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("shardgen run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "loopback `URL` to GET")
	rate := fs.Float64("rate", 1000, "arrivals per second of the whole load (every shard together)")
	dur := fs.Duration("d", 10*time.Second, "length of the load")
	out := fs.String("out", "", "`dir`ectory for the shard's result")
	raw := fs.String("raw", "", "`file` for the raw latency of every request, as the target measured it")
	name := fs.String("scenario", "shards", "scenario `name`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" || *out == "" {
		return errors.New("-url and -out are required")
	}
	// The most this shard can send, with room: rate and duration are the
	// whole load's, whatever the share.
	target := &timed{HTTP: loadtest.GET(*url), durs: make([]int64, int(*rate*dur.Seconds())+1000)}
	target.Transport = loadtest.Lean
	res, err := loadtest.Execute(context.Background(), loadtest.Scenario{
		Name: *name, Target: target, Load: loadtest.Rate(*rate).For(*dur), Timeout: 5 * time.Second,
		Leaks: loadtest.LeakCheck{Off: true},
	})
	if err != nil {
		return err
	}
	path, err := loadtest.WriteFile(*out, res)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	if *raw != "" {
		k := min(target.n.Load(), int64(len(target.durs)))
		buf := make([]byte, 8*k)
		for i := range k {
			binary.LittleEndian.PutUint64(buf[8*i:], uint64(target.durs[i]))
		}
		if err := os.WriteFile(*raw, buf, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// timed is loadtest's HTTP target (on its Lean transport) that also keeps
// how long each of its requests took, measured around its Hit. It embeds
// *loadtest.HTTP, so that the run prepares and finishes it as it does the
// target itself.
type timed struct {
	*loadtest.HTTP
	durs []int64
	n    atomic.Int64
}

// Hit implements loadtest.Target.
func (t *timed) Hit(ctx context.Context, s *loadtest.Sample) error {
	start := time.Now()
	err := t.HTTP.Hit(ctx, s)
	if i := t.n.Add(1) - 1; i < int64(len(t.durs)) {
		t.durs[i] = int64(time.Since(start))
	}
	return err
}

func check(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("shardgen check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mergedPath := fs.String("merged", "", "the merged result `file`")
	shardsDir := fs.String("shards", "", "`dir`ectory of the shards' results")
	rawGlob := fs.String("raw", "", "`glob` of the shards' raw latency files")
	label := fs.String("label", "", "first cell of each row")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := loadtest.ReadFile(*mergedPath)
	if err != nil {
		return err
	}
	files, err := merge.Read(*shardsDir)
	if err != nil {
		return err
	}
	var planned float64
	for _, p := range m.Load.Stages {
		planned = max(planned, p.From)
	}
	// The busiest second of the merged timeline, against the plan.
	var busiest int64
	for _, s := range m.Timeline {
		busiest = max(busiest, s.Sent)
	}
	// The shards' latency histograms added up here, independently of
	// loadgate merge.
	pooled := hdrhistogram.New(1, int64(time.Hour), 3)
	var skews []time.Duration
	var lag time.Duration
	var cpu float64
	for _, f := range files {
		h, err := f.Result.Latency.Histogram()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		pooled.Merge(h)
		if st := f.Result.Shard.Start; st != nil {
			skews = append(skews, time.Duration(st.SkewNS))
		}
		lag = max(lag, time.Duration(f.Result.PacerLagMaxNS))
		cpu += f.Result.Runtime.CPUSeconds
	}
	maxSkew := time.Duration(0)
	for _, s := range skews {
		maxSkew = max(maxSkew, s.Abs())
	}
	row := func(what, value string) { fmt.Fprintf(stdout, "| %s | %s | %s |\n", *label, what, value) }
	row("shards merged", fmt.Sprintf("%d of %d, %d requests, %d errors, %d dropped", len(m.Shards), m.Shard.Count, m.Requests, m.Errors, m.Dropped))
	row("merged rate", fmt.Sprintf("%.1f/s, %+.2f%% of the planned %.0f/s", m.Rate, 100*(m.Rate/planned-1), planned))
	row("busiest merged second", fmt.Sprintf("%d sent, %.1f%% of the plan", busiest, 100*float64(busiest)/planned))
	row("merged p50 / p99 / p99.9", fmt.Sprintf("%v / %v / %v", time.Duration(m.Latency.P50NS), time.Duration(m.Latency.P99NS), time.Duration(m.Latency.P999NS)))
	row("p99 of the shards' histograms added up here", fmt.Sprintf("%v (%s)", time.Duration(pooled.ValueAtQuantile(99)), equal(pooled.ValueAtQuantile(99), m.Latency.P99NS)))
	if *rawGlob != "" {
		raw, err := readRaw(*rawGlob)
		if err != nil {
			return err
		}
		slices.Sort(raw)
		rank := max(int(0.99*float64(len(raw))+0.5), 1)
		exact := raw[rank-1]
		row("exact p99 of every raw latency pooled (service time, as the target measured it)",
			fmt.Sprintf("%v of %d; merged service-time p99 %v, %+.2f%%", time.Duration(exact), len(raw),
				time.Duration(m.ServiceTime.P99NS), 100*(float64(m.ServiceTime.P99NS)/float64(exact)-1)))
	}
	row("start skew, each shard", fmt.Sprint(skews))
	row("start skew, largest", maxSkew.String())
	row("generators: largest pacer lag, CPU in all", fmt.Sprintf("%v, %.2f s", lag, cpu))
	return nil
}

func equal(a, b int64) string {
	if a == b {
		return "equal to the merged p99"
	}
	return fmt.Sprintf("merged p99 differs by %.3f%%", 100*math.Abs(float64(a-b))/float64(a))
}

func readRaw(glob string) ([]int64, error) {
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("-raw %q: no files", glob)
	}
	var out []int64
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		for i := 0; i+8 <= len(data); i += 8 {
			out = append(out, int64(binary.LittleEndian.Uint64(data[i:])))
		}
	}
	return out, nil
}
