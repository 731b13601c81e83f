package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// defaultWork is the rebase work folder when --work is not given.
const defaultWork = ".bcfork-rebase"

// rebaseOptions are the flags of bcfork rebase. Its --version is OLD and
// its --from NEW's files.
type rebaseOptions struct {
	sourceOptions
	Onto      string // --onto NEW
	FromOld   string // --from-old: OLD's files
	Out       string // --out: the new series folder
	Work      string // --work: the work folder
	Continue  bool   // --continue
	Abort     bool   // --abort
	Force     bool   // --force
	OldFlavor string // --old-flavor: OLD's flavor; "" for --flavor
	JSON      bool   // --json
}

func rebaseCommand() *cli.Command {
	var o rebaseOptions
	return &cli.Command{
		Name:  "rebase",
		Usage: "carry a patch series onto a new Bucardo release or ref (for maintainers)",
		UsageText: `bcfork rebase --version OLD --onto NEW [--flavor F] [--old-flavor F] [--from-old FILE|DIR] [--from FILE|DIR] [--patches DIR] [--out DIR] [--work DIR] [--force] [--json]
bcfork rebase --continue [--work DIR] [--force] [--json]
bcfork rebase --abort [--work DIR]`,
		Description: `Carries the series patches/<old-flavor>/OLD onto the pristine files of NEW,
one patch at a time, with a 3-way merge: base is OLD's files with the
earlier patches, ours is base with this patch, theirs is NEW's files with
the earlier patches as carried. --flavor is NEW's flavor (its pins, its
folder); --old-flavor, OLD's, defaults to it: carry the upstream series onto
Debian's package files with --old-flavor upstream --flavor debian. Each patch
is reported as

   unchanged         it applies to NEW as it is; kept byte for byte
   offset (...)      it applies at other lines; rewritten with the new ones
   merged            it did not apply, but merged without conflict; rewritten
   resolved          it conflicted and was resolved, by hand or as recorded
   dropped           NEW already has its changes; commented out in series
   CONFLICT in FILE  both changed the same lines

--json prints the report as one JSON object instead. A rewritten patch keeps
its DEP-3 header with Last-Update set to today (SOURCE_DATE_EPOCH, when set,
gives the date), unless the folder it replaces has the same patch but for
that date: carrying the same series again changes nothing. On a conflict,
the work folder (--work, default ./` + defaultWork + `) receives FILE with
the conflict written between "<<<<<<< ours", "||||||| base", "=======" and
">>>>>>> theirs" lines, and bcfork exits 3. Edit FILE there, then run bcfork
rebase --continue (refused while markers remain); bcfork rebase --abort
removes the work folder. Nothing is written outside the work folder until
every patch is carried. The resolution is recorded in the new folder's file
"resolutions", and a later rebase onto that folder (--force) that meets the
same conflict takes it instead of stopping.

The new series folder (--out, default <patches>/<flavor>/NEW, with --patches
DIR as <patches>, else ./patches) holds series (its comment naming NEW and
where the series was carried from), the patches, checksums, which pins NEW's
pristine files, and a README.md saying how each patch was carried; other
files of the old folder are copied as they are. Before it is written, the
new series is applied afresh to NEW's files and every hunk must apply at its
stated line. An existing folder is replaced only with --force, unless it
holds nothing but the same checksums.

OLD's files come from the cache, GitHub or --from-old; NEW's from the cache,
GitHub or --from. Both are verified against their pins; NEW without pins
(master, a commit) needs --allow-unpinned.

Exit status: 0 every patch carried unchanged; ` + exitChangedText + `; 3 a
conflict stopped the rebase (or markers remain); 1 failure, 2 usage.`,
		Flags: append(o.sourceFlags("flavor", "repo", "github-api", "offline", "no-cache", "allow-unpinned", "patches"),
			&cli.StringFlag{Name: "old-flavor", Destination: &o.OldFlavor, Usage: "the flavor `F` of OLD's series (default: --flavor)"},
			&cli.BoolFlag{Name: "json", Destination: &o.JSON, Usage: "print the report as JSON"},
			&cli.StringFlag{Name: "version", Destination: &o.Version, Usage: "the release `OLD` whose series to carry"},
			&cli.StringFlag{Name: "onto", Destination: &o.Onto, Usage: "the release or ref `NEW` to carry it onto: 5.7.0, master, a commit"},
			&cli.StringFlag{Name: "from-old", Destination: &o.FromOld, Usage: "read OLD's files from a release tarball or folder `PATH`"},
			&cli.StringFlag{Name: "from", Destination: &o.From, Usage: "read NEW's files from a release tarball or folder `PATH`"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Destination: &o.Out, Usage: "write the new series to `DIR`"},
			&cli.StringFlag{Name: "work", Destination: &o.Work, Value: defaultWork, Usage: "keep a stopped rebase in `DIR`"},
			&cli.BoolFlag{Name: "continue", Destination: &o.Continue, Usage: "go on after resolving a conflict in the work folder"},
			&cli.BoolFlag{Name: "abort", Destination: &o.Abort, Usage: "give up a stopped rebase: remove the work folder"},
			&cli.BoolFlag{Name: "force", Destination: &o.Force, Usage: "replace an existing series folder"},
		),
		Action: action(o.run),
	}
}

func (o *rebaseOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	defer collectLate(gcLimit)()
	switch {
	case o.Continue && o.Abort:
		return usagef("--continue and --abort exclude each other")
	case o.Continue || o.Abort:
		if err := o.onlyWork(); err != nil {
			return err
		}
		if o.Abort {
			return abortRebase(o.Work, stdout)
		}
		return continueRebase(o.Work, o.Force, o.JSON, stdout)
	}
	return o.start(ctx, stdout, stderr)
}

// onlyWork refuses flags that only starting a rebase takes. None of them
// has a default or an environment variable: given means not empty.
func (o *rebaseOptions) onlyWork() error {
	for _, f := range []struct{ name, value string }{
		{"version", o.Version}, {"onto", o.Onto}, {"from", o.From},
		{"from-old", o.FromOld}, {"out", o.Out}, {"patches", o.Patches}, {"old-flavor", o.OldFlavor},
	} {
		if f.value != "" {
			return usagef("--%s is for starting a rebase; --continue and --abort take only --work (and --force)", f.name)
		}
	}
	return nil
}

// errNoRebase is returned by --continue and --abort without a work folder.
var errNoRebase = errors.New("no rebase in progress")

// errInProgress is returned when starting a rebase over a stopped one.
var errInProgress = errors.New("a rebase is in progress")

func abortRebase(work string, stdout io.Writer) error {
	if !isWork(work) {
		return fmt.Errorf("aborting: %w in %q", errNoRebase, work)
	}
	if err := rebase.RemoveWork(work); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "aborted: removed %s; nothing was written\n", work)
	return nil
}

func isWork(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, rebase.StateName))
	return err == nil
}

// continueRebase goes on with the rebase stopped in work; force lets it
// replace an existing series folder, asJSON prints the report as JSON.
func continueRebase(work string, force, asJSON bool, stdout io.Writer) error {
	if !isWork(work) {
		return fmt.Errorf("continuing: %w in %q", errNoRebase, work)
	}
	r, err := rebase.Load(work)
	if err != nil {
		return err
	}
	if r.Meta[metaOut] == "" {
		return fmt.Errorf("continuing: %q does not say where to write the series", filepath.Join(work, rebase.StateName))
	}
	if force {
		r.Meta[metaForce] = "true"
	}
	from := len(r.Done)
	if err := prepareRebase(r); err != nil {
		return err
	}
	if r.Conflict != nil {
		if err := r.Resolve(r.Work); err != nil {
			return &workError{work: work, err: err}
		}
	}
	return carry(stdout, r, work, from, asJSON, nil)
}

// rebaseMeta is what a rebase keeps in its work folder for --continue.
const (
	metaOld    = "old"
	metaNew    = "new"
	metaFlavor = "flavor"
	metaSince  = "date" // Last-Update of rewritten patches
	metaOut    = "out"
	metaForce  = "force"
	metaSource = "new_source"
	metaCommit = "new_commit"
)

// start starts a rebase of --version onto --onto.
func (o *rebaseOptions) start(ctx context.Context, stdout, stderr io.Writer) error {
	old, onto, work := o.Version, o.Onto, o.Work
	if old == "" || onto == "" {
		return usagef("rebase needs --version OLD and --onto NEW (or --continue, --abort)")
	}
	if err := checkWorkFree(work); err != nil {
		return err
	}
	opt, err := o.upstreamOptions(stderr)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(o.outDir(opt.Flavor))
	if err != nil {
		return fmt.Errorf("rebasing: %w", err)
	}
	if _, err := replaceable(out, nil, o.Force); err != nil {
		return err // before any network or work
	}
	date, err := today()
	if err != nil {
		return err
	}
	r, sums, err := o.newRebase(ctx, opt)
	if err != nil {
		return err
	}
	r.Meta[metaOut], r.Meta[metaForce], r.Meta[metaSince] = out, strconv.FormatBool(o.Force), date
	if err := prepareRebase(r); err != nil {
		return err
	}
	if !o.JSON {
		fmt.Fprintf(stdout, "rebasing %s onto %s (%s)\n", r.From, r.Onto, r.Meta[metaSource])
	}
	return carry(stdout, r, work, 0, o.JSON, sums)
}

func checkWorkFree(work string) error {
	if isWork(work) {
		return fmt.Errorf("%w in %q: edit the marked files there and run bcfork rebase --continue, or bcfork rebase --abort", errInProgress, work)
	}
	if _, err := os.Lstat(work); err == nil {
		return fmt.Errorf("work folder %q exists and holds no rebase: remove it or pick another --work", work)
	}
	return nil
}

// outDir is --out, else <patches>/<flavor>/NEW.
func (o *rebaseOptions) outDir(flavor string) string {
	if o.Out != "" {
		return o.Out
	}
	root := o.Patches
	if root == "" {
		root = "patches"
	}
	return filepath.Join(root, flavor, o.Onto)
}

// newRebase fetches OLD's and NEW's files and reads OLD's series folder;
// sums are the sha256 of NEW's files, hashed as they were verified. opt is
// for NEW; OLD's flavor is --old-flavor, else the same.
func (o *rebaseOptions) newRebase(ctx context.Context, opt upstream.Options) (r *rebase.Rebase, sums map[string]string, err error) {
	oldOpt := opt
	if f := o.OldFlavor; f != "" {
		if err := upstream.ValidFlavor(f); err != nil {
			return nil, nil, usagef("--old-flavor %q: want a folder name of the patches tree such as %s or debian", f, upstream.DefaultFlavor)
		}
		oldOpt.Flavor = f
	}
	oldRel, err := fetchAs(ctx, oldOpt, o.Version, o.FromOld)
	if err != nil {
		return nil, nil, &oldFilesError{fmt.Errorf("getting %s: %w", o.Version, err)}
	}
	newRel, err := fetchAs(ctx, opt, o.Onto, o.From)
	if err != nil {
		return nil, nil, fmt.Errorf("getting %s: %w", o.Onto, err)
	}
	r = &rebase.Rebase{Old: oldRel.Files, New: newRel.Files, Meta: map[string]string{
		metaOld: oldRel.Version, metaNew: newRel.Version, metaFlavor: opt.Flavor, metaSource: newRel.String(),
		metaCommit: newRel.Commit,
	}}
	r.From = rebase.Label{Flavor: oldOpt.Flavor, Version: oldRel.Version}
	r.Onto = rebase.Label{Flavor: opt.Flavor, Version: newRel.Version}
	if r.Series, err = catalog.New(opt.Pins).Series(oldOpt.Flavor, oldRel.Version); err != nil {
		return nil, nil, err
	}
	dir := path.Join(oldOpt.Flavor, oldRel.Version)
	if r.SeriesFile, err = fs.ReadFile(opt.Pins, path.Join(dir, catalog.SeriesFile)); err != nil {
		return nil, nil, fmt.Errorf("reading series: %w", err)
	}
	r.Extra, err = extraFiles(opt.Pins, dir, r.Series)
	return r, newRel.SHA256, err
}

func fetchAs(ctx context.Context, opt upstream.Options, version, from string) (*upstream.Release, error) {
	opt.Version, opt.From = version, from
	return upstream.Fetch(ctx, opt)
}

// extraFiles returns the regular files of a series folder other than its
// series, checksums and patches.
func extraFiles(fsys fs.FS, dir string, s *patch.Series) (map[string][]byte, error) {
	skip := map[string]bool{catalog.SeriesFile: true, catalog.ChecksumsFile: true, catalog.CommitFile: true}
	for _, p := range s.Patches {
		skip[p.Name] = true
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading series folder: %w", err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if skip[e.Name()] || !e.Type().IsRegular() {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading series folder: %w", err)
		}
		out[e.Name()] = b
	}
	return out, nil
}

// prepareRebase gives r what is not kept in the work folder: the date of
// rewritten patches and the series folder it is to replace, if any.
func prepareRebase(r *rebase.Rebase) error {
	r.Date = r.Meta[metaSince]
	if r.Date == "" {
		date, err := today()
		if err != nil {
			return err
		}
		r.Date = date
	}
	prev, err := readFolder(r.Meta[metaOut])
	r.Previous = prev
	return err
}

// readFolder reads the regular files of dir; nil when dir does not exist.
func readFolder(dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", dir, err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading %q: %w", dir, err)
		}
		out[e.Name()] = b
	}
	return out, nil
}

// carry runs the rebase on from the patch it is at, reports each patch
// carried from index from on (as JSON with asJSON, once it stops or ends),
// and either saves it at a conflict or writes the new series. sums, when
// not nil, are the sha256 of r.New's files.
func carry(w io.Writer, r *rebase.Rebase, work string, from int, asJSON bool, sums map[string]string) error {
	err := r.Run()
	if !asJSON {
		printCarried(w, r.Done[from:])
	}
	var ce *rebase.ConflictError
	if errors.As(err, &ce) {
		if err := r.Save(work); err != nil {
			return err
		}
		if asJSON {
			printRebaseReport(w, newReport(r, "", work))
		} else {
			printConflict(w, ce, work)
		}
		return &workError{work: work, err: err}
	}
	if err != nil {
		return err
	}
	return finish(w, r, work, asJSON, sums)
}

func printCarried(w io.Writer, done []rebase.Carried) {
	for _, rp := range done {
		fmt.Fprintf(w, "%s: %s\n", rp.Name, describe(rp))
	}
}

func describe(rp rebase.Carried) string {
	switch rp.Status {
	case rebase.Clean:
		return "unchanged"
	case rebase.Moved:
		return "offset (hunks moved: " + offsets(rp.Hunks) + ")"
	case rebase.Merged:
		return "merged"
	case rebase.Resolved:
		switch {
		case rp.Recorded:
			return "resolved (as recorded in " + rebase.ResolutionsName + ")"
		case rp.Unrecorded:
			return "resolved by hand (not recorded: the file was edited outside the marked regions)"
		}
		return "resolved by hand (recorded in " + rebase.ResolutionsName + ")"
	case rebase.Dropped:
		return "dropped (the new files already have its changes)"
	}
	return string(rp.Status)
}

func offsets(hunks []patch.HunkResult) string {
	var offs []string
	for _, h := range hunks {
		offs = append(offs, fmt.Sprintf("%+d", h.Offset))
	}
	return strings.Join(offs, " ")
}

func printConflict(w io.Writer, ce *rebase.ConflictError, work string) {
	for _, f := range ce.Files {
		var at []string
		for _, cf := range f.Conflicts {
			at = append(at, strconv.Itoa(cf.MergedStart))
		}
		fmt.Fprintf(w, "%s: CONFLICT in %s (%s at line %s) — edit %s, then bcfork rebase --continue%s\n",
			ce.Patch, f.File, plural(len(f.Conflicts), "region", "regions"), strings.Join(at, ", "), filepath.Join(work, f.File), workFlag(work))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// workFlag is " --work DIR" when DIR is not the default.
func workFlag(work string) string {
	if work == defaultWork {
		return ""
	}
	return " --work " + work
}

// finish verifies the carried series, writes it with the checksums of
// NEW's files (sums, else hashed here) and removes the work folder.
func finish(w io.Writer, r *rebase.Rebase, work string, asJSON bool, sums map[string]string) error {
	if err := r.Verify(); err != nil {
		return err
	}
	checksums := checksumLines(r.New, sums)
	files := r.Files()
	files[catalog.ChecksumsFile] = []byte(checksums)
	if commit := r.Meta[metaCommit]; commit != "" {
		files[catalog.CommitFile] = []byte(commit + "\n") // the new release's commit, as fetched and verified
	}
	out := r.Meta[metaOut]
	force, err := replaceable(out, files[catalog.ChecksumsFile], r.Meta[metaForce] == "true")
	if err != nil {
		return err
	}
	if err := rebase.WriteSeries(out, files, force); err != nil {
		return err
	}
	if isWork(work) {
		if err := rebase.RemoveWork(work); err != nil {
			return err
		}
	}
	rep := newReport(r, out, "")
	if asJSON {
		printRebaseReport(w, rep)
	} else {
		printWritten(w, r, out, checksums)
	}
	if rep.Result == resultChanged {
		return &changedError{changed: rep.changed()}
	}
	return nil
}

// replaceable says whether the series folder out may be replaced: with
// force, or when it holds nothing but a checksums file equal to sums (nil:
// any). A folder with anything else is an error.
func replaceable(out string, sums []byte, force bool) (bool, error) {
	if force {
		return true, nil
	}
	entries, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	exists := fmt.Errorf("writing %q: %w", out, atomicfile.ErrExists) // message names --force
	if err != nil || !onlyPins(entries) {
		return false, exists
	}
	if sums == nil {
		return true, nil
	}
	have, err := os.ReadFile(filepath.Join(out, catalog.ChecksumsFile))
	if err != nil || !bytes.Equal(have, sums) {
		return false, fmt.Errorf("writing %q: its checksums differ from the new files' (use --force to replace it)", out)
	}
	return true, nil
}

// onlyPins reports whether a series folder holds only pin files: checksums,
// and maybe commit (a release pinned before its series existed).
func onlyPins(entries []fs.DirEntry) bool {
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	return names[catalog.ChecksumsFile] && len(names) <= 2 && (len(names) == 1 || names[catalog.CommitFile])
}

// checksumLines is catalog.ChecksumLines(files), from sums when they hold
// the sha256 of every file.
func checksumLines(files map[string][]byte, sums map[string]string) string {
	if len(sums) != len(files) {
		return catalog.ChecksumLines(files)
	}
	for n := range files {
		if sums[n] == "" {
			return catalog.ChecksumLines(files)
		}
	}
	return catalog.SumLines(sums)
}

func printWritten(w io.Writer, r *rebase.Rebase, out, checksums string) {
	n := 0
	for _, rp := range r.Done {
		if rp.Raw != nil {
			n++
		}
	}
	fmt.Fprintf(w, "verified: the new series applies to %s at every stated line\n", r.Meta[metaNew])
	extra := ""
	if len(r.Resolutions) > 0 {
		extra = ", " + rebase.ResolutionsName
	}
	fmt.Fprintf(w, "wrote %s: %s, series, checksums%s (pins %s)\n", out, plural(n, "patch", "patches"), extra, r.Meta[metaNew])
	fmt.Fprint(w, checksums)
}

// workError carries the work folder of a stopped rebase, for the hint.
type workError struct {
	work string
	err  error
}

func (e *workError) Error() string { return e.err.Error() }
func (e *workError) Unwrap() error { return e.err }
