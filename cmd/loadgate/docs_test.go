package main

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// figureRE finds a figure a document quotes, tagged with its name just
// before it: <!-- figure: wrk-ratio -->0.93×. The figure is a number or a
// range (45–50) and its unit, after any Markdown emphasis.
var figureRE = regexp.MustCompile(`<!--\s*figure:\s*([a-z0-9-]+)\s*-->[*_\s]*([0-9][0-9.,]*(?:\s*[–-]\s*[0-9][0-9.,]*)?)\s*(×|µs|ms|ns|%|/s|s\b|MiB|GiB)?`)

// figure is a figure a document quotes: "45–50µs", and where.
type figure struct{ value, at string }

func (f figure) String() string { return f.value + " (" + f.at + ")" }

// figures returns the tagged figures of a Markdown file by name.
func figures(t *testing.T, path string) map[string][]figure {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	got := map[string][]figure{}
	for _, m := range figureRE.FindAllStringSubmatchIndex(text, -1) {
		name, value, unit := text[m[2]:m[3]], text[m[4]:m[5]], ""
		if m[6] >= 0 {
			unit = text[m[6]:m[7]]
		}
		line := strings.Count(text[:m[0]], "\n") + 1
		got[name] = append(got[name], figure{strings.Join(strings.Fields(value), "") + unit, fmt.Sprintf("%s:%d", filepath.Base(path), line)})
	}
	// A tag that is not followed by a figure is a mistake, not a skip.
	if n, found := strings.Count(text, "<!-- figure:"), len(figureRE.FindAllStringIndex(text, -1)); n != found {
		t.Errorf("%s: %d figure tags, %d of them followed by a figure", path, n, found)
	}
	return got
}

// TestDocsFigures checks that the figures README.md quotes from
// docs/PERFORMANCE.md are the ones it states (issue 19: the README said
// 30 µs and 0.96× where the measurements say 45–50 µs and a median of
// 0.93×). Each quoted figure is tagged with a name in both files.
func TestDocsFigures(t *testing.T) {
	readme := figures(t, "../../README.md")
	perf := figures(t, "../../docs/PERFORMANCE.md")
	if len(readme) == 0 {
		t.Fatal("README.md tags no figure: <!-- figure: NAME --> before each figure it quotes from docs/PERFORMANCE.md")
	}
	for name, fs := range perf {
		for _, f := range fs[1:] {
			if f.value != fs[0].value {
				t.Errorf("docs/PERFORMANCE.md states figure %s twice, differently: %s and %s", name, fs[0], f)
			}
		}
	}
	for name, fs := range readme {
		src, ok := perf[name]
		if !ok {
			t.Errorf("README.md quotes figure %s (%s), which docs/PERFORMANCE.md does not state", name, fs[0])
			continue
		}
		for _, f := range fs {
			if f.value != src[0].value {
				t.Errorf("figure %s: README.md says %s, docs/PERFORMANCE.md %s", name, f, src[0])
			}
		}
	}
}

func TestFigures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.md")
	os.WriteFile(path, []byte("reaches <!-- figure: wrk-ratio -->0.93× wrk's,\n<!-- figure: vegeta -->**2.00× vegeta** and a median of <!-- figure: lateness -->45–50 µs, <!-- figure: rate -->22,500/s\n"), 0o644)
	got := figures(t, path)
	want := map[string][]figure{
		"wrk-ratio": {{"0.93×", "x.md:1"}}, "vegeta": {{"2.00×", "x.md:2"}}, "lateness": {{"45–50µs", "x.md:2"}}, "rate": {{"22,500/s", "x.md:2"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("figures = %q, want %q", got, want)
	}
}

var (
	// A version of loadgate the docs pin: go get …@v, go install
	// …/cmd/loadgate@v, go run …@v, uses: loadgate/loadgate@v.
	pinRE = regexp.MustCompile("loadgate@([^\\s\"'`)]+)")
	// A release heading of the changelog: ## [0.1.0] - 2026-01-31.
	releaseRE = regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+[^\]]*)\]`)
	semverRE  = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)
)

// TestDocsPins checks that README.md and action.yml pin loadgate to one
// released version, never a branch, and that it is the changelog's newest
// release (or, before the first, the one its Unreleased section announces),
// as docs/RELEASING.md's step 2 asks.
func TestDocsPins(t *testing.T) {
	var version string
	for _, path := range []string{"../../README.md", "../../action.yml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range pinRE.FindAllStringSubmatch(line, -1) {
				v := strings.TrimRight(m[1], ".,;:")
				switch {
				case !semverRE.MatchString(v):
					t.Errorf("%s:%d: loadgate@%s: pin a released version (vX.Y.Z), not a branch", filepath.Base(path), i+1, v)
				case version == "":
					version = v
				case v != version:
					t.Errorf("%s:%d: loadgate@%s, where the docs pin %s elsewhere", filepath.Base(path), i+1, v, version)
				}
			}
		}
	}
	if version == "" {
		t.Fatal("README.md pins no version of loadgate (go install github.com/loadgate/loadgate/cmd/loadgate@vX.Y.Z)")
	}
	data, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	changelog := string(data)
	releases := releaseRE.FindAllStringSubmatch(changelog, -1)
	if !slices.ContainsFunc(strings.Split(changelog, "\n"), func(l string) bool { return l == "## [Unreleased]" }) {
		t.Errorf("CHANGELOG.md has no ## [Unreleased] section")
	}
	switch {
	case len(releases) > 0 && "v"+releases[0][1] != version:
		t.Errorf("the docs pin loadgate@%s, but CHANGELOG.md's newest release is %s", version, releases[0][1])
	case len(releases) == 0 && strings.Contains(changelog, "## [Unreleased]"):
		_, unreleased, _ := strings.Cut(changelog, "## [Unreleased]")
		unreleased, _, _ = strings.Cut(unreleased, "\n## ")
		if !strings.Contains(unreleased, "released as "+version) {
			t.Errorf("the docs pin loadgate@%s before any release, and CHANGELOG.md's Unreleased section does not say it is to be released as %[1]s", version)
		}
	}
}

// TestHelpPinsNoVersion: the command's help is not among the files
// docs/RELEASING.md's step 2 updates, so a version in it goes stale at the
// next release (loadgate version -h of v0.2.0 would say
// go install …@v0.1.0). It writes vX.Y.Z.
func TestHelpPinsNoVersion(t *testing.T) {
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range pinRE.FindAllStringSubmatch(line, -1) {
				if semverRE.MatchString(strings.TrimRight(m[1], ".,;:")) {
					t.Errorf("%s:%d: loadgate@%s: the help goes stale at the next release; write vX.Y.Z", path, i+1, m[1])
				}
			}
		}
	}
}

// TestChangelogCovers: the changelog's Unreleased section is the next
// release's notes (docs/RELEASING.md, step 7). It named neither loadgate
// report nor loadgate merge, nor loadtest/grpcload, though all three were
// in the README. Every command of loadgate -h is in its command entry, and
// every public package in the section.
func TestChangelogCovers(t *testing.T) {
	data, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	_, unreleased, _ := strings.Cut(string(data), "## [Unreleased]")
	unreleased, _, _ = strings.Cut(unreleased, "\n## [")
	_, cmds, ok := strings.Cut(unreleased, "\n- `loadgate` command:")
	if !ok {
		t.Fatal("CHANGELOG.md's Unreleased section has no entry \"- `loadgate` command:\"")
	}
	cmds, _, _ = strings.Cut(cmds, "\n- ")
	usage, err := os.ReadFile("testdata/usage.golden")
	if err != nil {
		t.Fatal(err)
	}
	_, list, _ := strings.Cut(string(usage), "Commands:\n")
	list, _, _ = strings.Cut(strings.TrimLeft(list, "\n"), "\n\n")
	for _, line := range strings.Split(list, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == "action" { // the Action's entry is its own
			continue
		}
		if !regexp.MustCompile("`" + f[0] + "[` ]").MatchString(cmds) {
			t.Errorf("CHANGELOG.md's `loadgate` command entry does not name `%s`", f[0])
		}
	}
	for _, pkg := range publicPackages {
		if pkg == "action" {
			pkg = "action.yml" // the GitHub Action, whose Go package it is
		}
		if !strings.Contains(unreleased, "`"+pkg+"`") {
			t.Errorf("CHANGELOG.md's Unreleased section does not name package `%s`", pkg)
		}
	}
}

// publicPackages are the packages a user imports; go doc of each should
// read as a complete guide.
var publicPackages = []string{"action", "assert", "baseline", "loadtest", "loadtest/grpcload", "loadtest/watch"}

// TestDocComments checks go doc's completeness for the public packages
// (issue 19): a package comment, a doc comment on every exported
// identifier go doc lists (types, functions, methods of exported types,
// constants and variables; a group's comment covers its members), and at
// least one runnable Example with output. Struct fields are left to
// review: many are documented a group at a time.
func TestDocComments(t *testing.T) {
	for _, pkg := range publicPackages {
		t.Run(pkg, func(t *testing.T) {
			dir := filepath.Join("../..", filepath.FromSlash(pkg))
			paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			var tests []*ast.File
			hasDoc := false
			for _, path := range paths {
				f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
				if err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(path, "_test.go") {
					tests = append(tests, f)
					continue
				}
				hasDoc = hasDoc || f.Doc != nil
				for _, missing := range undocumented(f) {
					t.Errorf("%s: exported %s has no doc comment", fset.Position(missing.Pos()), missing.Name)
				}
			}
			if !hasDoc {
				t.Errorf("package %s has no package comment (doc.go)", pkg)
			}
			withOutput := 0
			for _, ex := range doc.Examples(tests...) {
				if ex.Output != "" {
					withOutput++
				}
			}
			if withOutput == 0 {
				t.Errorf("package %s has no runnable Example with an // Output: comment", pkg)
			}
		})
	}
	// A new public package joins the list.
	root, seen := "../..", map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if name := d.Name(); rel != "." && (strings.HasPrefix(name, ".") || name == "internal" || name == "testdata" || rel == "examples" || rel == "perf" || rel == "deploy") {
				// deploy holds no code, only the tests of its manifests.
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly)
		if err != nil {
			return err
		}
		if pkg := filepath.ToSlash(filepath.Dir(rel)); f.Name.Name != "main" && !slices.Contains(publicPackages, pkg) && !seen[pkg] {
			seen[pkg] = true
			t.Errorf("%s: package %s is public (not main, not under internal/): add it to publicPackages", rel, pkg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// undocumented returns the exported identifiers of f that go doc lists
// without a doc comment.
func undocumented(f *ast.File) []*ast.Ident {
	var missing []*ast.Ident
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && d.Doc == nil && exportedRecv(d) {
				missing = append(missing, d.Name)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && s.Doc == nil && d.Doc == nil && s.Comment == nil {
						missing = append(missing, s.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() && s.Doc == nil && d.Doc == nil && s.Comment == nil {
							missing = append(missing, n)
						}
					}
				}
			}
		}
	}
	return missing
}

// exportedRecv reports whether a function is not a method, or a method of
// an exported type (go doc does not list the methods of unexported ones).
func exportedRecv(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return true
	}
	typ := d.Recv.List[0].Type
	for {
		switch x := typ.(type) {
		case *ast.StarExpr:
			typ = x.X
		case *ast.IndexExpr:
			typ = x.X
		case *ast.IndexListExpr:
			typ = x.X
		case *ast.Ident:
			return x.IsExported()
		default:
			return true
		}
	}
}

func TestUndocumented(t *testing.T) {
	src := `package p

// A is documented.
type A int

type B int

func (A) M()   {}
func (b *B) N() {}
func (c c) O()  {}

// F is documented.
func F() {}

func G() {}

// Group of constants.
const (
	C1 = 1
	C2 = 2
)

var V1, v2 = 1, 2
var V3 = 3 // V3 has a line comment.
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, id := range undocumented(f) {
		got = append(got, id.Name)
	}
	if want := []string{"B", "M", "N", "G", "V1"}; !slices.Equal(got, want) {
		t.Errorf("undocumented = %q, want %q", got, want)
	}
}
