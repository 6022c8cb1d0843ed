package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loadgate/loadgate/baseline"
	"github.com/loadgate/loadgate/internal/filename"
	"github.com/loadgate/loadgate/internal/gotest"
)

// orphanedBaselines lists the stored baselines that nothing compared with
// although the test that recorded them ran and passed: the test wrote no
// result of their scenario, which was renamed or removed, so the file
// lingers beside the code, listed by baseline show as if it were in use.
// It says nothing when -run picks subtests (a "/" in it), which may leave
// a test's other scenarios out on purpose, nor of baselines it cannot
// read (the scenarios that use them say why).
func (o *runOutcome) orphanedBaselines() []string {
	if strings.Contains(o.Config.Run, "/") || o.Config.Update {
		return nil
	}
	var out []string
	for _, p := range o.Packages {
		dir, _ := o.baselineDir(p.ImportPath)
		paths, _ := filename.JSONFiles(dir) // none: no baselines in this package
		for _, path := range paths {
			b, err := baseline.Load(path)
			if err != nil || b.Package != p.ImportPath {
				continue
			}
			test := topTest(b.Test)
			t := o.Session.Tests[gotest.Key{Package: p.ImportPath, Test: test}]
			if t == nil || t.Outcome() != gotest.StatusPass || len(o.Results.Results[scenarioKey{p.ImportPath, b.Scenario}]) > 0 {
				continue
			}
			out = append(out, fmt.Sprintf("%s was compared with nothing: %s ran and passed but wrote no result of scenario %q (renamed or removed? delete the file, or record the scenario's new name with loadgate baseline update)",
				relPath(path), test, b.Scenario))
		}
	}
	slices.Sort(out)
	return out
}
