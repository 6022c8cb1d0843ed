package merge

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/loadtest"
)

// File is a result and the file it was read from, which refusals name.
type File struct {
	Path   string
	Result *loadtest.Result
}

// Read reads the result files among paths: each path is a result file or
// a directory, whose *.json files (not its subdirectories) are read. Every
// problem is an error naming the file: a missing path, a directory
// without results (naming its subdirectories that hold some, which are
// not read), a file that is not a result.
func Read(paths ...string) ([]File, error) {
	var out []File
	for _, p := range paths {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file or directory", p)
		}
		if err != nil {
			return nil, err
		}
		files := []string{p}
		if st.IsDir() {
			if files, err = filename.JSONFiles(p); err != nil {
				return nil, err
			}
			if len(files) == 0 {
				return nil, noResults(p)
			}
		}
		for _, f := range files {
			r, err := loadtest.ReadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, File{f, r})
		}
	}
	return out, nil
}

// noResults is the error for dir, a directory without result files. The
// merge reads no subdirectory, but a download of a matrix's artifacts
// (actions/download-artifact with a pattern, gh run download) puts each
// shard's results in a directory of its own under the one given: the
// error names the subdirectories that hold result files, so that the
// user gives them instead.
func noResults(dir string) error {
	const (
		depth = 3 // levels of subdirectories looked in: a download's loadgate-shard-1/head/
		most  = 4 // named; the rest are counted
	)
	var held []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || p == dir {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if files, _ := filename.JSONFiles(p); len(files) > 0 {
			held = append(held, p)
			return filepath.SkipDir
		}
		if rel, _ := filepath.Rel(dir, p); strings.Count(rel, string(filepath.Separator)) >= depth-1 {
			return filepath.SkipDir
		}
		return nil
	})
	if len(held) == 0 {
		return fmt.Errorf("%s: no result files (*.json) in the directory", dir)
	}
	named, verb := strings.Join(held[:min(len(held), most)], " "), "holds"
	if len(held) > 1 {
		verb = "hold"
	}
	if len(held) > most {
		named += fmt.Sprintf(" and %d more", len(held)-most)
	}
	return fmt.Errorf("%s: no result files (*.json) in the directory, whose subdirectories are not read; %s %s result files: give them, one directory per shard, as a download of the shards' artifacts lays them out",
		dir, named, verb)
}

// Run is one run of one scenario, split over shards: the files [Merge]
// joins into one result.
type Run struct {
	Package, Scenario string
	// Run is the shards' Shard.Run (0 for results that are no shard's).
	Run   int
	Files []File
}

// String names the run in messages: "checkout", or "checkout (run 2)".
func (r Run) String() string {
	if r.Run > 1 {
		return fmt.Sprintf("%s (run %d)", r.Scenario, r.Run)
	}
	return r.Scenario
}

// Runs groups files by package, scenario and run, in that order; within
// a run the files are in the order of their shards.
func Runs(files []File) []Run {
	var runs []Run
	index := map[[2]string]map[int]int{}
	for _, f := range files {
		k := [2]string{f.Result.Package, f.Result.Scenario}
		n := 0
		if f.Result.Shard != nil {
			n = f.Result.Shard.Run
		}
		if index[k] == nil {
			index[k] = map[int]int{}
		}
		i, ok := index[k][n]
		if !ok {
			i = len(runs)
			index[k][n] = i
			runs = append(runs, Run{Package: k[0], Scenario: k[1], Run: n})
		}
		runs[i].Files = append(runs[i].Files, f)
	}
	for i := range runs {
		slices.SortStableFunc(runs[i].Files, func(a, b File) int { return cmp.Compare(shardIndex(a), shardIndex(b)) })
	}
	slices.SortFunc(runs, func(a, b Run) int {
		return cmp.Or(strings.Compare(a.Package, b.Package), strings.Compare(a.Scenario, b.Scenario), cmp.Compare(a.Run, b.Run))
	})
	return runs
}

func shardIndex(f File) int {
	if f.Result.Shard == nil {
		return 0
	}
	return f.Result.Shard.Index
}
