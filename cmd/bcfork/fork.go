package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// forkOptions are the flags of a fork build: the source and --fuzz.
type forkOptions struct {
	sourceOptions
	Fuzz int // --fuzz: context lines a hunk may ignore
}

func (o *forkOptions) fuzzFlag() cli.Flag {
	return &cli.IntFlag{Name: "fuzz", Destination: &o.Fuzz, Usage: "allow up to `N` context lines to be ignored per hunk (reported)"}
}

// buildFork fetches and verifies the pristine files of version and applies
// its series, in memory. Version "" is the version of the --from files,
// else the newest with a series. A version without a series is refused
// before anything is fetched.
func (o forkOptions) buildFork(ctx context.Context, version string, log io.Writer) (*generator.Fork, *upstream.Release, error) {
	opt, series, err := o.resolve(version, log)
	if err != nil {
		return nil, nil, err
	}
	return o.build(ctx, opt, series)
}

// seriesFunc returns the series resolve found for the version named:
// read already, or read in the background while the files are fetched.
type seriesFunc func() (*patch.Series, error)

// build fetches the files opt names and applies their series: the one
// resolve found for opt.Version (named), else the one of the version the
// files turn out to be. An error of the series named comes first, as if
// it had been read before the fetch.
//
// The rest of a --from tarball is read and checked while the series is
// applied (upstream.Options.Early); what it finds is reported first, as
// if it had been read before.
func (o forkOptions) build(ctx context.Context, opt upstream.Options, named seriesFunc) (*generator.Fork, *upstream.Release, error) {
	opt.Early = true
	rel, err := upstream.Fetch(ctx, opt)
	var series *patch.Series
	if named != nil {
		var serr error
		if series, serr = named(); serr != nil {
			if rel != nil {
				rel.Wait() // the series' error comes first
			}
			return nil, nil, serr
		}
	}
	if err != nil {
		return nil, nil, filesErr(opt, identifyInput(snapshotFiles(opt, err), opt.Pins, ""))
	}
	if series == nil || rel.Version != opt.Version {
		if series, err = catalog.New(opt.Pins).Series(opt.Flavor, rel.Version); err != nil {
			if werr := rel.Wait(); werr != nil {
				err = filesErr(opt, identifyInput(snapshotFiles(opt, werr), opt.Pins, ""))
			}
			return nil, nil, err
		}
	}
	fork, err := generator.Generate(generator.Options{
		Bcfork:  buildVersion(),
		Flavor:  opt.Flavor,
		Version: rel.Version,
		Files:   rel.Files,
		SHA256:  rel.SHA256,
		Series:  series,
		Fuzz:    o.Fuzz,
	})
	if werr := rel.Wait(); werr != nil {
		return nil, nil, filesErr(opt, identifyInput(snapshotFiles(opt, werr), opt.Pins, ""))
	}
	if err != nil {
		return nil, nil, newSeriesError(o.sourceOptions, opt, rel, series, err)
	}
	fork.Manifest.Source = sourceOf(rel) // the tarball's sha256 is known once it is read whole
	return fork, rel, nil
}

// resolve checks the flags of a fork build and resolves its version,
// before any network; the upstream.Options it returns log to log. The
// series of a version named is read once, for build to apply: here, when
// the files come from the network (a broken series is refused before it
// is used), else while build reads the files, which has no effect outside
// bcfork (the cache offline at most drops an entry it cannot use).
func (o forkOptions) resolve(version string, log io.Writer) (upstream.Options, seriesFunc, error) {
	if o.Fuzz < 0 {
		return upstream.Options{}, nil, usagef("--fuzz must be 0 or more, not %d", o.Fuzz)
	}
	opt, err := o.upstreamOptions(log)
	if err != nil {
		return opt, nil, err
	}
	opt.Version, err = forkVersion(opt, version)
	if err != nil || version == "" {
		return opt, nil, err
	}
	read := func() (*patch.Series, error) { return catalog.New(opt.Pins).Series(opt.Flavor, opt.Version) }
	if opt.From != "" || opt.Offline {
		return opt, background(read), nil
	}
	series, err := read()
	return opt, func() (*patch.Series, error) { return series, nil }, err
}

// background runs f on its own goroutine; the function it returns waits
// for f's result, and raises again a panic of f.
func background[T any](f func() (T, error)) func() (T, error) {
	type result struct {
		v        T
		err      error
		panicked any
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panicked: p}
			}
		}()
		v, err := f()
		done <- result{v: v, err: err}
	}()
	var once sync.Once
	var r result
	return func() (T, error) {
		once.Do(func() { r = <-done })
		if r.panicked != nil {
			panic(r.panicked)
		}
		return r.v, r.err
	}
}

// forkVersion is version, else the newest with a series unless the files
// come --from somewhere (then their $VERSION decides). A version named must
// have a series file, and the patches tree must have one at all.
func forkVersion(opt upstream.Options, version string) (string, error) {
	cat := catalog.New(opt.Pins)
	newest, err := cat.Newest(opt.Flavor)
	switch {
	case err != nil:
		return "", err
	case version != "":
		if err := upstream.ValidVersion(version); err != nil {
			return "", usageError{err: fmt.Errorf("--version: %w", err)}
		}
		v, err := cat.Resolve(opt.Flavor, version)
		if err != nil {
			return "", usageError{err: err}
		}
		return v, cat.HasSeries(opt.Flavor, v)
	case opt.From != "" && opt.Flavor == upstream.DefaultFlavor:
		return "", nil // the files' $VERSION decides
	case opt.From != "":
		return onlySeries(opt)
	}
	return newest, nil
}

// onlySeries is the version of a flavor's only series: other flavors'
// versions (5.6.0-4) are not the script's $VERSION, so --from alone names
// one only when there is just one.
func onlySeries(opt upstream.Options) (string, error) {
	vs, err := catalog.New(opt.Pins).Versions(opt.Flavor)
	if err != nil {
		return "", err
	}
	if len(vs) != 1 {
		return "", usagef("--flavor %s --from needs --version (series: %s)", opt.Flavor, strings.Join(vs, ", "))
	}
	return vs[0], nil
}

// sourceOf is where rel came from, as the manifest records it: a local
// source by its base name (and a tarball by its sha256), since the path
// given meant something only where generate ran.
func sourceOf(rel *upstream.Release) generator.Source {
	loc := rel.Location
	if rel.Kind != "github" {
		loc = filepath.Base(loc)
	}
	return generator.Source{Kind: rel.Kind, Location: loc, SHA256: rel.Tarball, Ref: rel.Ref, Commit: rel.Commit}
}

// generateTemp generates the fork of version (the newest with a series if
// "") into a temporary folder, for install without --from; the caller
// calls cleanup when done. It says so on log.
func (o forkOptions) generateTemp(ctx context.Context, version string, log io.Writer) (string, func(), error) {
	fork, _, err := o.buildFork(ctx, version, log)
	if err != nil {
		return "", nil, err
	}
	tmp, err := os.MkdirTemp("", "bcfork-install-")
	if err != nil {
		return "", nil, fmt.Errorf("generating fork: %w", err)
	}
	cleanup := func() { os.RemoveAll(tmp) }
	dir := filepath.Join(tmp, "fork")
	if err := fork.Write(dir, false); err != nil {
		cleanup()
		return "", nil, err
	}
	fmt.Fprintf(log, "generated the fork of %s %s (series %.12s)\n", fork.Manifest.Flavor, fork.Manifest.Version, fork.Manifest.Series)
	return dir, cleanup, nil
}

// snapshotError is a checksum mismatch of files that the patches tree pins
// as a snapshot of a branch (master-d9919c8): master still says $VERSION =
// '5.6.0', so its files taken for 5.6.0 do not match 5.6.0's pins.
type snapshotError struct {
	err      error
	snapshot string // the version whose pins the files match
	ref      string // its branch
	version  string // the version they were taken for
}

func (e *snapshotError) Error() string { return e.err.Error() }
func (e *snapshotError) Unwrap() error { return e.err }

// filesError is a failure to get the pristine files of version, the
// one the command resolved: its --version (a branch as its series), else
// for install the host's release, else the newest with a series; "" when
// the files come --from somewhere and their $VERSION decides. The hints'
// routes to the files are to that version's.
type filesError struct {
	version string
	err     error
}

func (e *filesError) Error() string { return e.err.Error() }
func (e *filesError) Unwrap() error { return e.err }

// filesErr marks err, getting the files opt names, with their version.
func filesErr(opt upstream.Options, err error) error {
	return &filesError{version: opt.Version, err: err}
}

// snapshotFiles recognises, in a checksum mismatch, files of a snapshot
// series of the same flavor.
func snapshotFiles(opt upstream.Options, err error) error {
	var ce *upstream.ChecksumError
	if !errors.As(err, &ce) || ce.Pin == "" {
		return err
	}
	files, ierr := catalog.New(opt.Pins).Identify(ce.Got)
	if ierr != nil {
		return err
	}
	for _, f := range files {
		if ref, ok := catalog.SnapshotRef(f.Version); ok && f.Flavor == opt.Flavor {
			return &snapshotError{err: err, snapshot: f.Version, ref: ref, version: path.Base(path.Dir(ce.Pin))}
		}
	}
	return err
}
