package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/lint"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// lintOptions are the flags and argument of bcfork lint.
type lintOptions struct {
	Pristine     cli.StringSlice // --pristine: where the pinned files may be
	RequireFiles bool            // --require-files
	NoCache      bool            // --no-cache
	Dir          string          // the argument: a patches tree or one series folder
}

func lintCommand() *cli.Command {
	var o lintOptions
	return &cli.Command{
		Name:      "lint",
		Usage:     "check the patch series of a patches tree (for maintainers)",
		UsageText: "bcfork lint [--pristine PATH]... [--require-files] [DIR]",
		Description: `Checks every series of the patches tree DIR (default ./patches), or the one
series folder DIR/ (a folder holding series or checksums), and prints a line
"PATH: RULE: message" for each problem:

   header    a patch lacks a DEP-3 Description, Author (a name or an address,
             not a placeholder such as TODO or you@example.com), Forwarded (or
             Bug) or Last-Update (YYYY-MM-DD)
   series    the series file lists a patch that is not in the folder, or the
             folder has a .patch or .diff the series does not list; options
             other than -p1, a patch listed twice
   parse     a patch a series may not hold (not a diff, a rename, ...)
   pins      a series without checksums
   offset    a hunk that applies to the pinned files, but not at its stated line
   apply     a patch that does not apply to the pinned files
   upstream  a patch the pinned files already have (it applies in reverse)

The last three need the pinned files: each --pristine PATH (a release
tarball, a folder holding bucardo and bucardo.schema, or a folder of such
tarballs and folders) is read, and a series is applied to the files whose
sha256 its checksums pin; the cache of bcfork fetch is looked in too (unless
--no-cache). lint never goes to the network. A series whose files are not
found is only checked on its own, with a warning; --require-files makes that
a problem (CI).

Exit status: 0 no problem, 1 problems (or failure), 2 usage.`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "pristine", Destination: &o.Pristine, Usage: "look for pinned files in `PATH` (a tarball, a folder, or a folder of them); repeatable"},
			&cli.BoolFlag{Name: "require-files", Destination: &o.RequireFiles, Usage: "a series whose pinned files are not found is a problem"},
			&cli.BoolFlag{Name: "no-cache", Destination: &o.NoCache, Usage: "do not look in the cache for pinned files"},
		},
		Before: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usagef("lint takes at most one folder, got %q", c.Args().Slice())
			}
			o.Dir = c.Args().First()
			return nil
		},
		Action: action(o.run),
	}
}

func (o *lintOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	dir := o.Dir
	if dir == "" {
		dir = "patches"
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usagef("lint: %q is not a folder", dir)
	}
	files, err := o.pinnedFiles(ctx)
	if err != nil {
		return err
	}
	rep, err := lintDir(dir, files)
	if err != nil {
		return err
	}
	return o.report(stdout, stderr, rep)
}

// lintDir lints the tree dir, or only the series folder dir.
func lintDir(dir string, files *pristineSet) (*lint.Report, error) {
	if isSeriesFolder(dir) {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("linting: %w", err)
		}
		root, flavor, version := os.DirFS(filepath.Dir(filepath.Dir(abs))), filepath.Base(filepath.Dir(abs)), filepath.Base(abs)
		return lint.Folder(root, flavor, version, lint.Options{Files: files.find(root)})
	}
	root := os.DirFS(dir)
	return lint.Tree(root, lint.Options{Files: files.find(root)})
}

func isSeriesFolder(dir string) bool {
	for _, n := range []string{catalog.SeriesFile, catalog.ChecksumsFile} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

func (o *lintOptions) report(stdout, stderr io.Writer, rep *lint.Report) error {
	for _, f := range rep.Findings {
		fmt.Fprintln(stdout, f)
	}
	problems := len(rep.Findings)
	for _, s := range rep.Unpinned {
		if o.RequireFiles {
			fmt.Fprintf(stdout, "%s: files: the pinned files were not found (--pristine PATH)\n", s)
			problems++
			continue
		}
		fmt.Fprintf(stderr, "lint: warning: %s: the pinned files were not found (--pristine PATH): not applied\n", s)
	}
	fmt.Fprintf(stderr, "lint: %s applied to their pinned files, %d without; %s\n",
		plural(len(rep.Applied), "series", "series"), len(rep.Unpinned), plural(problems, "problem", "problems"))
	if problems > 0 {
		return &lintError{problems: problems}
	}
	return nil
}

// lintError says that lint found problems, which it printed.
type lintError struct{ problems int }

func (e *lintError) Error() string { return "lint: " + plural(e.problems, "problem", "problems") }

// pristineSet is the releases found in the --pristine paths, and the cache.
type pristineSet struct {
	found   []map[string][]byte
	cache   string
	noCache bool
}

// pinnedFiles reads every release the --pristine paths hold, unverified:
// find picks the one whose sums a series pins.
func (o *lintOptions) pinnedFiles(ctx context.Context) (*pristineSet, error) {
	ps := &pristineSet{noCache: o.NoCache}
	if !o.NoCache {
		ps.cache, _ = upstream.DefaultCacheDir()
	}
	for _, p := range o.Pristine.Value() {
		srcs, err := sources(p)
		if err != nil {
			return nil, err
		}
		for _, src := range srcs {
			rel, err := upstream.Fetch(ctx, upstream.Options{From: src, Pins: noPins{}, AllowUnpinned: true})
			if err != nil {
				continue // not a release; another source may be
			}
			ps.found = append(ps.found, rel.Files)
		}
	}
	return ps, nil
}

// sources expands a --pristine path: itself when it is a tarball or a
// folder holding the bucardo script, else the tarballs and such folders in it.
func sources(p string) ([]string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, usagef("--pristine %q: %v", p, err)
	}
	if !fi.IsDir() || isRelease(p) {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, fmt.Errorf("reading --pristine %q: %w", p, err)
	}
	var out []string
	for _, e := range entries {
		sub := filepath.Join(p, e.Name())
		if e.IsDir() && isRelease(sub) || strings.HasSuffix(e.Name(), ".tar.gz") || strings.HasSuffix(e.Name(), ".tgz") {
			out = append(out, sub)
		}
	}
	return out, nil
}

func isRelease(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, bucardo.Script))
	return err == nil
}

// find returns the files whose sha256 the series flavor/version pins: from
// the --pristine paths, else from the cache (offline); nil when none.
func (ps *pristineSet) find(pins fs.FS) func(flavor, version string) (map[string][]byte, error) {
	return func(flavor, version string) (map[string][]byte, error) {
		sums, err := catalog.New(pins).Pins(flavor, version)
		if err != nil || sums == nil {
			return nil, err
		}
		for _, files := range ps.found {
			if pinnedBy(files, sums) {
				return files, nil
			}
		}
		if ps.noCache || ps.cache == "" || flavor != catalog.Upstream {
			return nil, nil
		}
		rel, err := upstream.Fetch(context.Background(), upstream.Options{Version: version, Pins: pins, CacheDir: ps.cache, Offline: true})
		if err != nil {
			return nil, nil // not in the cache
		}
		return rel.Files, nil
	}
}

// pinnedBy reports whether files are those sums pins.
func pinnedBy(files map[string][]byte, sums map[string]string) bool {
	for _, n := range bucardo.Names {
		if generator.SHA256(files[n]) != sums[n] {
			return false
		}
	}
	return true
}

// noPins is a patches tree without pins: what is read against it is not
// verified (lint checks the sums itself).
type noPins struct{}

func (noPins) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
