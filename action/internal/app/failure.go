package app

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/loadgate/loadgate/internal/cell"
	"github.com/loadgate/loadgate/loadtest"
)

// failureText is "`TestX` in `pkg` failed in 2 of 5 runs (file:line)".
func (r *Report) failureText(f Failure) string {
	what := cell.Code(f.Package) + " failed to build or run"
	if f.Test != "" {
		what = r.testRef(f.Package, f.Test) + " failed"
	}
	what += r.failedIn(f)
	if f.Reason != "" {
		what += ": " + cell.Markdown(f.Reason)
	}
	return what
}

// failedIn is " in shards 2, 5 of 8" (a sharded run: its runs are
// shards), " in 2 of 5 runs", or "" when the test ran once.
func (r *Report) failedIn(f Failure) string {
	switch sh := r.Manifest.Shard; {
	case len(f.Shards) > 0 && sh != nil:
		return fmt.Sprintf(" in %s of %d", loadtest.ShardList(f.Shards), sh.Count)
	case f.Of > 1:
		return fmt.Sprintf(" in %d of %d runs", f.Runs, f.Of)
	}
	return ""
}

// testRef names a test function, linked to its declaration when known.
func (r *Report) testRef(pkg, test string) string {
	text := cell.Code(test)
	p, ok := r.Manifest.Positions[pkg+"."+test]
	if !ok {
		return text + " in " + cell.Code(pkg)
	}
	if link := r.blobURL(p); link != "" {
		return fmt.Sprintf("%s ([%s](%s))", text, cell.Markdown(p.String()), link)
	}
	return fmt.Sprintf("%s (%s)", text, cell.Code(p.String()))
}

func (r *Report) blobURL(p Position) string {
	sha := r.Manifest.PRHeadSHA
	if sha == "" {
		sha = r.Manifest.HeadSHA
	}
	if r.ServerURL == "" || r.Repository == "" || sha == "" {
		return ""
	}
	// The file's path as a URL's: a directory "load (old)" must not end
	// the link, nor a path from the results of a fork's job (from-results)
	// go anywhere else.
	segs := strings.Split(p.File, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return fmt.Sprintf("%s/%s/blob/%s/%s#L%d", strings.TrimSuffix(r.ServerURL, "/"), r.Repository, url.PathEscape(sha), strings.Join(segs, "/"), p.Line)
}
