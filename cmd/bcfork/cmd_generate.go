package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"
)

// generateOptions are the flags of bcfork generate.
type generateOptions struct {
	forkOptions
	Out   string // --out: the fork folder
	Force bool   // --force: replace an existing fork folder
}

func generateCommand() *cli.Command {
	var o generateOptions
	return &cli.Command{
		Name:      "generate",
		Usage:     "fetch, verify and patch a Bucardo release into a fork folder",
		UsageText: "bcfork generate [--version V] [--from FILE|DIR] [--out DIR] [--patches DIR] [--fuzz N] [--force]",
		Description: `Fetches the pristine bucardo and bucardo.schema of the release (from GitHub,
the cache, or --from a release tarball or folder), verifies them against the
pinned checksums, applies the patch series for that version, and writes DIR
(default ./bcfork-VERSION; missing parent folders are created):

   bucardo              the forked script (mode 0755)
   bucardo.schema       the forked schema
   bucardo.orig         the pristine script
   bucardo.schema.orig  the pristine schema
   manifest.json        source, sha256 of every file, how each hunk applied

Without --version, VERSION is the $VERSION of the --from files, else the
newest release with a patch series. A version without a series is refused
before anything is fetched.

Nothing is written when anything fails; an existing DIR is replaced only with
--force, and only when it is a fork folder (nothing but the files above) or
empty. On Linux the old DIR is swapped for the new one in one step; elsewhere
it is renamed aside first, so a crash at that moment can leave no DIR, with
the old and new folders beside it as .DIR.tmp-*. Hunks apply at their stated line or at the nearest exact match
(reported as an offset); fuzzy placement is refused unless --fuzz N allows it,
and every fuzzed hunk is reported. Output is byte-identical for identical inputs.

Exit codes: 0 written; 1 failure; 2 usage; 3 a patch does not apply (the
hint shows it with GNU patch); 4 a file does not match its pinned checksum.

Examples:
   bcfork generate --version 5.6.0
   bcfork generate --from bucardo_5.6.0.orig.tar.gz --out /tmp/fork`,
		Flags: append(o.sourceFlags(),
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Destination: &o.Out, Usage: "write the fork to `DIR` (default ./bcfork-VERSION)"},
			o.fuzzFlag(),
			&cli.BoolFlag{Name: "force", Destination: &o.Force, Usage: "replace an existing fork folder"},
		),
		Action: action(o.run),
	}
}

func (o *generateOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	defer collectLate(gcLimit)()
	opt, series, err := o.resolve(o.Version, stderr)
	if err != nil {
		return err
	}
	out := outDir(o.Out, opt.Version)
	if err := checkOut(out, o.Force); err != nil {
		return err // before any network or work
	}
	fork, _, err := o.build(ctx, opt, series)
	if err != nil {
		return err
	}
	if out == "" {
		out = outDir("", fork.Manifest.Version)
		if err := checkOut(out, o.Force); err != nil {
			return err
		}
	}
	if err := fork.Write(out, o.Force); err != nil {
		return err
	}
	printPatches(stdout, fork.Manifest.Patches)
	printDiffstat(stdout, fork.Diffstat())
	fmt.Fprintf(stdout, "wrote %s (%s %s, series %.12s)\n", out, fork.Manifest.Flavor, fork.Manifest.Version, fork.Manifest.Series)
	return nil
}

// outDir is --out, else ./bcfork-VERSION; "" while the version is unknown.
func outDir(out, version string) string {
	if out != "" || version == "" {
		return out
	}
	return "bcfork-" + version
}

// checkOut refuses what generate must not write to, before any work: an
// existing folder without force, or with force one that is not a fork folder
// (replacing it would delete what it holds), the current folder or one that
// holds it, and a place that cannot be written.
func checkOut(dir string, force bool) error {
	if dir == "" {
		return nil
	}
	if err := checkNotCwd(dir); err != nil {
		return err
	}
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return checkParent(dir)
	case err != nil:
		return fmt.Errorf("writing %q: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("writing %q: exists and is not a folder; not replacing it", dir)
	case !force:
		return fmt.Errorf("writing %q: %w", dir, atomicfile.ErrExists) // message names --force
	}
	return checkForkFolder(dir)
}

// checkNotCwd refuses the current folder and the folders that hold it.
func checkNotCwd(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("writing %q: %w", dir, err)
	}
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("writing %q: %w", dir, err)
	}
	if wd == abs || strings.HasPrefix(wd, strings.TrimSuffix(abs, "/")+"/") {
		return usagef("--out %q is the current folder or holds it: name a new folder", dir)
	}
	return nil
}

// checkParent checks that the nearest existing parent of dir is a folder
// generate may write in (the missing ones are created).
func checkParent(dir string) error {
	p := filepath.Dir(filepath.Clean(dir))
	for {
		fi, err := os.Stat(p)
		switch {
		case (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) && p != filepath.Dir(p):
			p = filepath.Dir(p)
			continue
		case err != nil:
			return fmt.Errorf("writing %q: %w", dir, err)
		case !fi.IsDir():
			return fmt.Errorf("writing %q: %q is not a folder", dir, p)
		}
		if err := unix.Access(p, unix.W_OK|unix.X_OK); err != nil {
			return fmt.Errorf("writing %q: cannot create anything in %q: %w", dir, p, err)
		}
		return nil
	}
}

// forkFiles are the names a fork folder holds.
var forkFiles = []string{
	bucardo.Script, bucardo.Script + generator.OrigSuffix,
	bucardo.Schema, bucardo.Schema + generator.OrigSuffix,
	generator.ManifestName,
}

// checkForkFolder refuses to replace a folder that holds anything but a fork.
func checkForkFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("writing %q: %w", dir, err)
	}
	for _, e := range entries {
		if !slices.Contains(forkFiles, e.Name()) || !e.Type().IsRegular() {
			return fmt.Errorf("not replacing %q: it is not a fork folder (it holds %q), and --force would delete it all", dir, e.Name())
		}
	}
	return nil
}

// printPatches writes one line per patch: hunks, offsets and any fuzz.
func printPatches(w io.Writer, patches []patch.Result) {
	for _, p := range patches {
		fmt.Fprintf(w, "applied %s: %d hunks, %s\n", p.Name, len(p.Hunks), patchDetail(p))
	}
}

// patchDetail is "exact", or the offset and fuzz of each hunk that had any.
func patchDetail(p patch.Result) string {
	var notes []string
	for i, h := range p.Hunks {
		if h.Offset != 0 {
			notes = append(notes, fmt.Sprintf("hunk %d offset %+d", i+1, h.Offset))
		}
		if h.Fuzz != 0 {
			notes = append(notes, fmt.Sprintf("hunk %d FUZZ %d (%s %s)", i+1, h.Fuzz, h.File, h.Header))
		}
	}
	if len(notes) == 0 {
		return "exact"
	}
	return strings.Join(notes, ", ")
}

// diffstatWidth is the widest diffstat bar.
const diffstatWidth = 40

func printDiffstat(w io.Writer, stats []generator.Stat) {
	var add, del, most int
	for _, s := range stats {
		most = max(most, s.Added+s.Removed)
	}
	for _, s := range stats {
		bar := strings.Repeat("+", scale(s.Added, most)) + strings.Repeat("-", scale(s.Removed, most))
		line := fmt.Sprintf(" %-16s | %4d %s", s.Name, s.Added+s.Removed, bar)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		add += s.Added
		del += s.Removed
	}
	fmt.Fprintf(w, " %d files changed, %d insertions(+), %d deletions(-)\n", len(stats), add, del)
}

// scale sizes n's part of a diffstat bar so that the file with most changed
// lines gets diffstatWidth columns, as git does; any change shows.
func scale(n, most int) int {
	if most <= diffstatWidth || n == 0 {
		return n
	}
	return max(1, (n*diffstatWidth+most/2)/most)
}
