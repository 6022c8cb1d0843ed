package app

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loadgate/loadgate/baseline"
)

// MaxAnnotations is how many annotations of one kind a step shows; GitHub
// drops the rest silently, so the action emits the worst ones only.
const MaxAnnotations = 10

// reservedAnnotations are the annotations of each level that the tests'
// leave to those that come after them in the step. Errors: the action's
// own when it could not comment (Run returns it, and action.Run writes
// it), and the runner's on the step's exit status. Warnings: the action's
// own about commenting (a pull request it could not check, a token whose
// login it could not learn, no token). The tests' get the rest.
var reservedAnnotations = map[string]int{"error": 2, "warning": 3}

// Annotation is an error or warning shown on a line of a file in the pull
// request's diff and in the checks.
type Annotation struct {
	Level   string // "error" or "warning"
	File    string // relative to the repository's root
	Line    int
	Title   string
	Message string
}

// Annotations returns what to annotate, worst first and at most
// [MaxAnnotations] of each level less those reserved for others
// (reservedAnnotations): an error on each test function that failed (in
// go test, by a regression, an SLA breach or a leak), a warning on each
// whose scenarios warn. A test whose position is unknown gets an
// annotation without a file. When there are more, the last annotation of
// the level says how many more tests there are, and where they are.
func (r *Report) Annotations() []Annotation {
	var errs, warns []Annotation
	done := map[string]bool{}
	for _, f := range r.Failures {
		key := f.Package + "." + f.Test
		done[key] = true
		a := Annotation{Level: "error", File: f.Position.File, Line: f.Position.Line}
		if f.Test == "" {
			a.Title = "loadgate: " + f.Package + " failed"
		} else {
			a.Title = "loadgate: " + f.Test + " failed"
		}
		var why []string
		for _, s := range f.Scenarios {
			why = append(why, s.annotationText())
		}
		msg := "the test failed"
		if f.Test == "" {
			msg = "the package failed to build or run"
		}
		msg += r.failedIn(f)
		if f.Reason != "" {
			msg += ": " + f.Reason
		}
		why = append(why, msg)
		a.Message = strings.Join(why, "\n")
		errs = append(errs, a)
	}
	// Scenarios whose test did not fail in go test, yet fail or warn here:
	// a regression against the base is not something the test can see.
	type group struct {
		pkg, test string
		worst     baseline.Verdict
		scenarios []*Scenario
	}
	var groups []*group
	index := map[string]*group{}
	for _, s := range r.Scenarios {
		key := s.Package + "." + s.Test
		if done[key] || s.Verdict == baseline.Pass {
			continue
		}
		g := index[key]
		if g == nil {
			g = &group{pkg: s.Package, test: s.Test}
			index[key] = g
			groups = append(groups, g)
		}
		g.worst = max(g.worst, s.Verdict)
		g.scenarios = append(g.scenarios, s)
	}
	sortGroups := func(gs []*group) {
		// Stable insertion sort by severity, worst first; there are few.
		for i := 1; i < len(gs); i++ {
			for j := i; j > 0 && worstChange(gs[j].scenarios) > worstChange(gs[j-1].scenarios); j-- {
				gs[j], gs[j-1] = gs[j-1], gs[j]
			}
		}
	}
	sortGroups(groups)
	for _, g := range groups {
		p := r.Manifest.Positions[g.pkg+"."+g.test]
		a := Annotation{File: p.File, Line: p.Line}
		var why []string
		for _, s := range g.scenarios {
			why = append(why, s.annotationText())
		}
		a.Message = strings.Join(why, "\n")
		if g.worst == baseline.Fail {
			a.Level, a.Title = "error", "loadgate: "+g.test+" regressed"
			if !slices.ContainsFunc(g.scenarios, func(s *Scenario) bool { return s.Regressions() > 0 }) {
				// An SLA breach or a leak: nothing regressed.
				a.Title = "loadgate: " + g.test + " failed"
			}
			errs = append(errs, a)
		} else {
			a.Level, a.Title = "warning", "loadgate: "+g.test+" warns"
			if g.worst == baseline.Inconclusive {
				a.Title = "loadgate: " + g.test + " inconclusive"
			}
			warns = append(warns, a)
		}
	}
	// Failures come sorted worst first; regressions after them, also
	// worst first.
	return append(r.fitAnnotations(errs, "failed or regressed"), r.fitAnnotations(warns, "warn or are inconclusive")...)
}

// fitAnnotations keeps the first of as, all of one level, that the step
// shows; when some must go, the last one kept gives way to a note of how
// many tests are left out, so that none is dropped unsaid.
func (r *Report) fitAnnotations(as []Annotation, what string) []Annotation {
	if len(as) == 0 {
		return as
	}
	room := MaxAnnotations - reservedAnnotations[as[0].Level]
	if len(as) <= room {
		return as
	}
	left := len(as) - (room - 1)
	where := "the job summary"
	if r.SummaryURL != "" {
		where += " (" + r.SummaryURL + ")"
	}
	return append(as[:room-1:room-1], Annotation{
		Level:   as[0].Level,
		Title:   fmt.Sprintf("loadgate: %d more tests %s", left, what),
		Message: fmt.Sprintf("%d more tests %s, not annotated here (GitHub shows %d annotations of a kind a step): see %s", left, what, MaxAnnotations, where),
	})
}

// annotationText is the scenario's gist and the comparison's reasons, as
// plain text.
func (s *Scenario) annotationText() string {
	text := strings.ReplaceAll(s.gist(), "`", "")
	if c := s.Comparison; c != nil && len(c.Reasons) > 0 {
		reasons := c.Reasons
		if len(reasons) > 3 {
			reasons = append(reasons[:3:3], fmt.Sprintf("and %d more", len(c.Reasons)-3))
		}
		text += "\n" + strings.Join(reasons, "\n")
	}
	return text
}

// TestPositions finds where the Test functions of the package in dir are
// declared: go/parser over its _test.go files, without type checking. The
// keys are "importPath.TestName"; files are made relative to root and
// slash-separated. Files that do not parse are skipped: go test has
// already said what is wrong with them.
func TestPositions(dir, importPath, root string) map[string]Position {
	out := map[string]Position{}
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	fset := token.NewFileSet()
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !isTestName(fn.Name.Name) {
				continue
			}
			rel, err := filepath.Rel(root, file)
			if err != nil || strings.HasPrefix(rel, "..") {
				rel = file
			}
			out[importPath+"."+fn.Name.Name] = Position{
				File: filepath.ToSlash(rel),
				Line: fset.Position(fn.Pos()).Line,
			}
		}
	}
	return out
}

// isTestName reports whether name is a test function's name: Test, then
// nothing or a character that is not a lower-case letter (as go test says).
func isTestName(name string) bool {
	rest, ok := strings.CutPrefix(name, "Test")
	if !ok {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || !unicode.IsLower(r)
}
