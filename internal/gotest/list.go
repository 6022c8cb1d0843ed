package gotest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// ListedPackage is what go list says of a package.
type ListedPackage struct {
	ImportPath string
	Dir        string
	Error      *struct{ Err string }
	// TestGoFiles and XTestGoFiles are the package's _test.go files, of
	// the package itself and of its _test package.
	TestGoFiles, XTestGoFiles []string
}

// HasTests says whether the package has test files: go test runs a
// process for it.
func (p ListedPackage) HasTests() bool { return len(p.TestGoFiles)+len(p.XTestGoFiles) > 0 }

// List resolves package patterns with go list in dir ("" for the current
// directory), so that a package that does not exist is an error naming it
// before anything runs, and so that the caller knows each package's
// directory (where its baselines are). An error for which [NotStarted]
// is true says that the go command could not be started, which is no
// fault of the patterns.
func List(ctx context.Context, dir string, patterns []string) ([]ListedPackage, error) {
	args := append([]string{"list", "-e", "-json=ImportPath,Dir,Error,TestGoFiles,XTestGoFiles"}, patterns...)
	cmd := exec.CommandContext(ctx, Command, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if NotStarted(err) {
			return nil, fmt.Errorf("go list: %w", err)
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("go list: %s", msg)
	}
	var pkgs []ListedPackage
	var errs []error
	dec := json.NewDecoder(&stdout)
	for {
		var p ListedPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("go list: %v", err)
		}
		if p.Dir == "" {
			// Not found: a directory, a pattern or an import path that
			// resolves to nothing. Packages that exist but do not build
			// are left to go test, which says why.
			msg := "not found"
			if p.Error != nil {
				msg = p.Error.Err
			}
			errs = append(errs, fmt.Errorf("package %s: %s", p.ImportPath, msg))
			continue
		}
		if p.Error != nil && strings.HasPrefix(p.Error.Err, "no Go files in ") {
			// go test would fail it as a package that did not build
			// ("[setup failed]"), as if the code were at fault; most often
			// the directory was named for the packages below it.
			msg := p.Error.Err
			if hasPackageDirs(p.Dir) {
				msg += "; " + p.ImportPath + "/... names the packages below it"
			}
			errs = append(errs, fmt.Errorf("package %s: %s", p.ImportPath, msg))
			continue
		}
		pkgs = append(pkgs, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no packages match " + strings.Join(patterns, " ")
		}
		return nil, errors.New(msg)
	}
	return pkgs, nil
}

// hasPackageDirs tells whether dir has a subdirectory that the go
// command's "/..." pattern would look in (not testdata, nor one whose name
// starts with "." or "_").
func hasPackageDirs(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() && name != "testdata" && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") {
			return true
		}
	}
	return false
}

// NotStarted tells whether err, of [List] or [Start], says that the go
// command could not be started at all (not installed, not on PATH): the
// caller could not run the tests, which says nothing of them nor of the
// packages it was given.
func NotStarted(err error) bool {
	var e *exec.Error    // not found on PATH
	var pe *os.PathError // a path to it that holds no program
	return errors.As(err, &e) || errors.As(err, &pe) && pe.Op == "fork/exec"
}
