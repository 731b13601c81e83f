package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
	"github.com/urfave/cli/v2"
)

// refreshOptions are the flags and argument of bcfork refresh.
type refreshOptions struct {
	Dir     string // --dir: the fork folder
	Patches string // --patches: the patches tree holding its series
	Patch   string // the argument: the patch to put the edit in
}

func refreshCommand() *cli.Command {
	var o refreshOptions
	return &cli.Command{
		Name:      "refresh",
		Usage:     "turn an edited fork folder back into its patch series (for maintainers)",
		UsageText: "bcfork refresh [PATCH] [--dir DIR] [--patches DIR]",
		Description: `After you edit bucardo or bucardo.schema in a fork folder that bcfork
generate wrote (--dir, default the current folder), refresh rewrites the patch
series the fork was generated from so that it makes the edited files: the
series folder <patches>/<flavor>/<version> (--patches, default ./patches),
whose series must still be the one the fork was made from.

The edit goes into PATCH when it is given, else into the patch whose lines it
changes (or is next to), else into the last patch that changes the edited
file. That patch keeps its DEP-3 header, with Last-Update set to today
(SOURCE_DATE_EPOCH, when set, gives the date); the patches after it are
carried onto it as bcfork rebase would, rewritten only where their lines
moved. An edit that changes the lines of two patches is refused, naming both:
make it one patch at a time. The new series is checked to make the edited
files, every hunk at its stated line, before it is written; then the fork
folder's manifest.json is updated to the new series, so the folder can be
installed or refreshed again. To carry the edit into the series derived from
this one, carry them again (make series in bcfork's source tree).

Exit status: 0 refreshed (or nothing to refresh), 1 failure, 2 usage.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Aliases: []string{"C"}, Value: ".", Destination: &o.Dir, Usage: "the fork folder `DIR` with the edited files"},
			&cli.StringFlag{Name: "patches", Value: "patches", Destination: &o.Patches, Usage: "the patches tree `DIR` that holds the fork's series"},
		},
		Before: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usagef("refresh takes at most one patch name, got %q", c.Args().Slice())
			}
			o.Patch = c.Args().First()
			return nil
		},
		Action: action(o.run),
	}
}

func (o *refreshOptions) run(_ context.Context, stdout, _ io.Writer) error {
	date, err := today()
	if err != nil {
		return err
	}
	if isWork(o.Dir) {
		return fmt.Errorf("refreshing: %q is a rebase work folder, not a fork folder: resolve its marked files and run bcfork rebase --continue%s, which writes them into the series", o.Dir, workFlag(o.Dir))
	}
	fork, err := generator.ReadEdited(o.Dir)
	if err != nil {
		return err
	}
	m := fork.Manifest
	dir := filepath.Join(o.Patches, m.Flavor, m.Version)
	s, err := readForkSeries(o.Patches, m.Flavor, m.Version)
	if err != nil {
		return err
	}
	if s.Hash() != m.Series {
		return &staleSeriesError{dir: dir, fork: o.Dir}
	}
	rf, err := rebase.Refresh(s, fork.Pristine, fork.Files, o.Patch, date)
	if errors.Is(err, rebase.ErrUnchanged) {
		fmt.Fprintf(stdout, "nothing to refresh: %s is what %s makes\n", o.Dir, dir)
		return nil
	}
	if err != nil {
		return err
	}
	if err := writePatches(dir, rf.Patches); err != nil {
		return err
	}
	printRefreshed(stdout, rf, dir, date)
	return o.updateManifest(fork, dir, stdout)
}

// readForkSeries reads the series flavor/version of the patches tree root.
func readForkSeries(root, flavor, version string) (*patch.Series, error) {
	s, err := patch.ReadSeries(os.DirFS(root), flavor+"/"+version)
	if err != nil {
		return nil, fmt.Errorf("refreshing: %w", err)
	}
	return s, nil
}

// staleSeriesError is a series that changed since the fork was generated.
type staleSeriesError struct{ dir, fork string }

func (e *staleSeriesError) Error() string {
	return fmt.Sprintf("refreshing: the series in %q is not the one %q was generated from", e.dir, e.fork)
}

// writePatches replaces the series folder dir with one whose patches are
// changed as given, atomically.
func writePatches(dir string, changed map[string][]byte) error {
	files, err := readFolder(dir)
	if err != nil {
		return err
	}
	for n, b := range changed {
		files[n] = b
	}
	return rebase.WriteSeries(dir, files, true)
}

func printRefreshed(w io.Writer, rf *rebase.Refreshed, dir, date string) {
	fmt.Fprintf(w, "%s: refreshed from the edit (Last-Update %s)\n", rf.Patch, date)
	for _, rp := range rf.Later {
		what := describe(rp)
		if rp.Status != rebase.Clean {
			what += ", rewritten"
		}
		fmt.Fprintf(w, "%s: %s\n", rp.Name, what)
	}
	fmt.Fprintf(w, "wrote %s\n", dir)
}

// updateManifest generates the fork of the new series and, as it is the
// edited folder, writes its manifest there.
func (o *refreshOptions) updateManifest(edited *generator.Fork, dir string, stdout io.Writer) error {
	m := edited.Manifest
	s, err := readForkSeries(o.Patches, m.Flavor, m.Version)
	if err != nil {
		return err
	}
	f, err := generator.Generate(generator.Options{Bcfork: buildVersion(), Flavor: m.Flavor, Version: m.Version,
		Source: m.Source, Files: edited.Pristine, Series: s})
	if err != nil {
		return fmt.Errorf("refreshing: the new series in %q: %w", dir, err)
	}
	for _, n := range bucardo.Names {
		if string(f.Files[n]) != string(edited.Files[n]) {
			return fmt.Errorf("refreshing: the new series in %q does not make the edited %q", dir, n)
		}
	}
	js, err := f.ManifestJSON()
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(o.Dir, generator.ManifestName), js, 0o644); err != nil {
		return fmt.Errorf("refreshing: %w", err)
	}
	fmt.Fprintf(stdout, "updated %s: the folder is the fork of the new series\n", filepath.Join(o.Dir, generator.ManifestName))
	return nil
}
