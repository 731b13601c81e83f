package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/lazyre"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/upstream"
)

// seriesHint shows a failed patch with GNU patch, or the way to a series.
func seriesHint(err error) string {
	var ae *patch.ApplyError
	var se *seriesError
	switch {
	case errors.As(err, &ae) && errors.As(err, &se):
		return se.applyHint(ae)
	case errors.Is(err, generator.ErrUnpinnedFork):
		return "add --allow-unpinned to take its pristine copies as they are (the series is still applied to them and compared),\n" +
			"or --patches DIR with the series and pins of that version"
	case errors.Is(err, generator.ErrModified):
		return "generate the fork again from the release (bcfork install --version V generates and installs it),\n" +
			"or, if you changed it on purpose, add --allow-modified: bcfork status then calls it a modified fork"
	case errors.Is(err, catalog.ErrNoSeries):
		return "--patches DIR reads series from DIR/upstream/VERSION/series; maintainers carry a series to a new release with bcfork rebase"
	}
	return ""
}

// seriesError is a series that failed on the files of a release, with what
// the hint needs to show the failure with other tools.
type seriesError struct {
	err     error
	version string
	dir     string   // the series folder on disk; "" for the built-in series
	names   []string // the series' patches, in order
	fetch   []string // bcfork fetch arguments that get the same pristine files
	applied bool     // the files already have the failing patch's changes
}

func (e *seriesError) Error() string { return e.err.Error() }
func (e *seriesError) Unwrap() error { return e.err }

func newSeriesError(src sourceOptions, opt upstream.Options, rel *upstream.Release, s *patch.Series, err error) error {
	se := &seriesError{err: err, version: rel.Version, fetch: fetchArgs(src, rel)}
	for _, p := range s.Patches {
		se.names = append(se.names, p.Name)
	}
	var ae *patch.ApplyError
	if errors.As(err, &ae) {
		se.applied = alreadyApplied(rel.Files, s, ae.Patch)
	}
	if dir := src.Patches; dir != "" {
		abs, aerr := filepath.Abs(filepath.Join(dir, opt.Flavor, rel.Version))
		if aerr != nil {
			return err
		}
		se.dir = abs
	}
	return se
}

// fetchArgs are the arguments of a bcfork fetch that gets the same pristine
// files as src did. --repo and --github-api are left out where a plain
// fetch takes the same value (the default, or BCFORK_GITHUB_API).
func fetchArgs(src sourceOptions, rel *upstream.Release) []string {
	args := []string{"bcfork", "fetch", "--version", rel.Version}
	for _, f := range []struct{ name, path string }{{"from", src.From}, {"patches", src.Patches}} {
		if f.path != "" {
			abs, err := filepath.Abs(f.path)
			if err != nil {
				abs = f.path
			}
			args = append(args, "--"+f.name, abs)
		}
	}
	if src.Repo != upstream.DefaultRepo {
		args = append(args, "--repo", src.Repo)
	}
	if api := cmp.Or(os.Getenv("BCFORK_GITHUB_API"), upstream.DefaultAPIURL); src.APIURL != api {
		args = append(args, "--github-api", src.APIURL)
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"offline", src.Offline}, {"no-cache", src.NoCache}, {"allow-unpinned", src.AllowUnpinned}} {
		if f.set {
			args = append(args, "--"+f.name)
		}
	}
	return args
}

// applyHint gives a command that shows the failed patch with GNU patch: it
// fetches the pristine files into a scratch folder and applies the series
// up to the failing patch there (its rejects land in FILE.rej).
func (e *seriesError) applyHint(ae *patch.ApplyError) string {
	if e.dir == "" {
		return fmt.Sprintf("the built-in series of %s does not apply to its pinned files: that is a bug in bcfork, please report it", e.version)
	}
	out := "pristine-" + e.version
	upto := e.names
	for i, n := range e.names {
		if n == ae.Patch {
			upto = e.names[:i+1]
			break
		}
	}
	if e.applied {
		return fmt.Sprintf("%s is already upstream: the files of %s already have its changes (it applies in reverse); take it out of the series (bcfork rebase drops such a patch); --fuzz would not help", ae.Patch, e.version)
	}
	h := fmt.Sprintf("see it with GNU patch: %s --out %s && for p in %s; do patch -p1 -d %s -i %s/\"$p\" || break; done",
		shellJoin(e.fetch), shellQuote(out), shellJoin(upto), shellQuote(out), shellQuote(e.dir))
	if ae.NearestTotal > 0 {
		h += "\nif upstream only changed the hunk's outer context, add --fuzz 1 (or 2) to apply the hunk anyway (reported and recorded); review it with bcfork diff"
	}
	return h
}

var shellSafe = lazyre.New(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe().MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// alreadyApplied reports whether the files, with the patches before name
// applied, already have name's changes.
func alreadyApplied(files map[string][]byte, s *patch.Series, name string) bool {
	opt := patch.ApplyOptions{Allowed: bucardo.Names}
	for _, p := range s.Patches {
		if p.Name == name {
			return patch.Applied(files, p, opt)
		}
		next, _, err := patch.ApplyOne(files, p, opt)
		if err != nil {
			return false
		}
		files = next
	}
	return false
}
