package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// installOptions are the flags of bcfork install. Its --version and the
// source flags are those of the fork it generates without --from.
type installOptions struct {
	forkOptions
	hostOptions
	ForkDir       string // --from: a fork folder written by bcfork generate
	AllowModified bool   // --allow-modified: install a --from folder that is not its series' fork
	Force         bool   // --force
	DryRun        bool   // --dry-run
}

func installCommand() *cli.Command {
	var o installOptions
	return &cli.Command{
		Name:        "install",
		Usage:       "install a fork on this host, keeping the files it replaces",
		UsageText:   "bcfork install [--version V | --from DIR [--allow-modified]] [--root DIR] [--bin PATH] [--schema PATH] [--force] [--dry-run]",
		Description: installDescription,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "version", Destination: &o.Version, Usage: "install the fork of Bucardo `V` (default: the host's)"},
			&cli.StringFlag{Name: "from", Destination: &o.ForkDir, Usage: "install the fork folder `DIR` written by bcfork generate"},
			o.rootFlag(),
			o.binFlag("install the script at `PATH` (default " + install.DefaultBin + ")"),
			o.schemaFlag("install the schema at `PATH` (default " + install.DefaultSchema + ")"),
			&cli.BoolFlag{Name: "force", Destination: &o.Force, Usage: "overwrite targets changed since install; install a fork of another version than Bucardo.pm"},
			dryRunFlag(&o.DryRun),
			&cli.BoolFlag{Name: "allow-modified", Destination: &o.AllowModified, Usage: "install a --from fork folder that is not what its series makes of the pinned files (status then says \"modified fork\")"},
		}, o.sourceFlags("flavor", "repo", "github-api", "offline", "no-cache", "allow-unpinned", "patches")...),
		Action: action(o.run),
	}
}

const installDescription = `Installs the forked bucardo script (mode 0755, default /usr/bin/bucardo) and
bucardo.schema (0644, default /usr/local/share/bucardo/bucardo.schema, which
bucardo finds before Debian's /usr/share/bucardo copy). --from installs a fork
folder written by bcfork generate, derived again first rather than believed:
its pristine .orig copies must match the pins, and the series applied to them
must give its bucardo and bucardo.schema byte for byte (a link in the folder
is refused). A folder that is not the series' fork is refused (exit 4) unless
--allow-modified, and bcfork status then calls it a "modified fork", never
the fork of its series. Otherwise the fork of --version is generated, by default of the version of
the host's Bucardo.pm (else of the installed script, else the newest with a
series). A fork of another release than Bucardo.pm is refused without --force:
bucardo would die with "Version mismatch".

Both files change or neither. The plan is recorded in the receipt
(/var/lib/bcfork/receipt.json) before any target changes; what each target
held before the first install is kept byte for byte with its mode and owner
(/var/lib/bcfork/backup), as are the pristine originals (for uninstall
--pristine). Each file is written beside its target, synced and renamed into
place. A target shipped by a Debian package is diverted with dpkg-divert so
that package upgrades go to TARGET.distrib and leave the fork alone. An
install stopped at any point leaves each target whole, old or new; bcfork
status reports it and running install (or uninstall) again finishes the job.

Only the receipt says what each backup is a copy of. Without one, install
refuses (exit 5) while /var/lib/bcfork/backup holds backups (the copies
--force kept aside excepted): they may be the only copies of what an earlier
install replaced, which it would overwrite with what the targets hold now.
Put the receipt back, or restore the targets from the backups by hand (each
backup's path below that folder is its target's) and move the folder aside.
Nor does it keep a target that already holds a bcfork fork as the original
(exit 5) unless --force: the very fork it installs, or another (of another
version or series, whose receipt and backups were lost, or copied by hand),
which it tells by the lines its patch series add to mark their changes.

Installing the same fork again does nothing; so does install without
--from, --version or --force when the receipt's fork is in place, whole, and
of the release of Bucardo.pm: it says what is installed and since when, and
fetches nothing. Another version replaces the fork and keeps the original
backups. A target changed since install is not
overwritten without --force (which keeps a copy of it). A target that is a
symbolic link or a folder is never replaced: name the real file with --bin or
--schema. No link below the root is followed at all: a folder on the way to a
target or to the state folder that is a link is refused, so nothing is ever
written outside the root. --root DIR prefixes every path, receipt and backups
included (packaging, tests); dpkg is not asked then. --dry-run prints the plan and
changes nothing (it takes no lock and creates no folder).

A lock (/var/lib/bcfork/lock, an empty file that stays there) keeps two
install or uninstall runs apart: the second fails at once. Everything that
needs disk space is written before the first target changes, so without
write access (not root), on a read-only or a full filesystem the install
stops with the targets untouched, undoes what it wrote and says "nothing was
changed". If it says "interrupted" instead, each target is whole, old or
new: run install (or uninstall) again once the cause is fixed.

Exit codes: 0 installed, or already installed; 1 failure; 2 usage; 3 or 4 as
for bcfork generate, when installing without --from; 4 the --from folder is
not what its series makes of the pinned files; 5 a target changed since
install (nothing was changed: bcfork status shows it, --force replaces it),
or no receipt but backups, or a target that already holds a bcfork fork
(nothing was changed).`

// hostOptions are the flags that say where the targets are: --root, and
// for install and status --bin and --schema.
type hostOptions struct {
	Root   string // --root: prefix every path
	Bin    string // --bin: the script's host path
	Schema string // --schema: the schema's host path
}

func (h *hostOptions) rootFlag() cli.Flag {
	return &cli.StringFlag{Name: "root", Destination: &h.Root, Usage: "prefix every path with `DIR` (packaging, tests); dpkg is not asked"}
}

func (h *hostOptions) binFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "bin", Destination: &h.Bin, Usage: usage}
}

func (h *hostOptions) schemaFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "schema", Destination: &h.Schema, Usage: usage}
}

func dryRunFlag(dst *bool) cli.Flag {
	return &cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Destination: dst, Usage: "print the plan; change nothing"}
}

func (o *installOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	opt, notes, err := o.options()
	if err != nil {
		return err
	}
	opt.Force, opt.DryRun = o.Force, o.DryRun
	printLines(stdout, notes)
	if opt.Module, err = install.FindModule(opt.Root, perlINC(ctx, opt.Root)); err != nil {
		return hostErr(err)
	}
	printModule(stdout, opt)
	if rc, err := o.installed(ctx, opt); err != nil || rc != nil {
		if rc != nil {
			printInstalled(stdout, rc)
		}
		return hostErr(err)
	}
	dir, cleanup, err := o.forkDir(ctx, opt, stdout, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	fork, err := o.verifiedFork(dir, &opt, stderr)
	if err != nil {
		return err
	}
	res, err := install.InstallFork(ctx, fork, opt)
	if err != nil {
		return hostErr(err)
	}
	printResult(stdout, res, opt.DryRun, "install", forkName(fork.Manifest, opt.Modified))
	return nil
}

// verifiedFork reads the fork folder dir. One given with --from is derived
// again from the patches tree (generator.Verify); with --allow-modified a
// fork that is not its series' is installed all the same, as a modified fork.
func (o *installOptions) verifiedFork(dir string, opt *install.Options, stderr io.Writer) (*generator.Fork, error) {
	if o.ForkDir == "" {
		return generator.ReadFork(dir) // generated just now, from verified files
	}
	tree, err := o.patchesTree()
	if err != nil {
		return nil, err
	}
	fork, err := generator.Verify(dir, catalog.New(tree), o.AllowUnpinned)
	if errors.Is(err, generator.ErrModified) && o.AllowModified {
		fmt.Fprintf(stderr, "bcfork: warning: %v; installing it as a modified fork (--allow-modified)\n", err)
		opt.Modified = true
		return fork, nil
	}
	return fork, err
}

// forkName says what a fork is, in messages.
func forkName(m generator.Manifest, modified bool) string {
	if modified {
		return fmt.Sprintf("modified fork (claiming %s %s)", m.Flavor, m.Version)
	}
	return fmt.Sprintf("fork of %s %s (series %.12s)", m.Flavor, m.Version, m.Series)
}

// installed returns the receipt when install names no fork (no --from,
// --version or --force) and the host holds one already, as its receipt
// says, of the flavor asked and of the release of the host's Bucardo.pm:
// then there is nothing to do, and nothing to fetch. Else nil, or the
// *install.LostReceiptError that install would return after the fetch.
func (o *installOptions) installed(ctx context.Context, opt install.Options) (*install.Receipt, error) {
	if o.ForkDir != "" || o.Version != "" || o.Force {
		return nil, nil
	}
	r, err := install.Status(ctx, opt)
	switch {
	case err == nil && r.Lost != nil:
		return nil, r.Lost // refused before fetching anything
	case err != nil || r.Receipt == nil || r.State != install.StateInstalled || r.Drifted() || r.Receipt.Flavor != o.Flavor:
		return nil, err
	}
	for _, t := range r.Targets {
		if t.Content != install.ContentFork {
			return nil, nil
		}
	}
	if opt.Module != nil && scriptVersion(opt.Root, r.Receipt) != opt.Module.Version {
		return nil, nil // Bucardo.pm was upgraded: the fork must follow
	}
	return r.Receipt, nil
}

// scriptVersion is the $VERSION of the script rc installed, read below
// root without following a link; "" when it cannot be read.
func scriptVersion(root string, rc *install.Receipt) string {
	for _, t := range rc.Targets {
		if t.Name == bucardo.Script {
			v, _ := install.HostFileVersion(root, t.Path)
			return v
		}
	}
	return ""
}

// printInstalled says that the fork rc records is installed already.
func printInstalled(w io.Writer, rc *install.Receipt) {
	m := generator.Manifest{Flavor: rc.Flavor, Version: rc.Version, Series: rc.Series}
	fmt.Fprintf(w, "already installed: %s, installed %s by bcfork %s; nothing to do\n",
		forkName(m, rc.Modified), rc.Time.Local().Format("2006-01-02 15:04:05 MST"), rc.Bcfork)
	fmt.Fprintln(w, "bcfork status shows the targets; bcfork install --version V or --from DIR installs another fork")
}

// options turns h into install.Options, with notes on what is not checked.
func (h hostOptions) options() (install.Options, []string, error) {
	o := install.Options{Bcfork: buildVersion()}
	if h.Root != "" {
		abs, err := filepath.Abs(h.Root)
		if err != nil {
			return o, nil, usagef("--root %q: %v", h.Root, err)
		}
		o.Root = abs
	}
	for _, f := range []struct {
		name string
		path string
		dst  *string
	}{{"bin", h.Bin, &o.Bin}, {"schema", h.Schema, &o.Schema}} {
		if f.path != "" {
			if !filepath.IsAbs(f.path) {
				return o, nil, usagef("--%s %q: give an absolute path (--root prefixes it)", f.name, f.path)
			}
			*f.dst = f.path
		}
	}
	var note string
	o.Dpkg, note = hostDpkg(o.Root)
	return o, []string{note}, nil
}

// hostDpkg returns the host's dpkg, or nil and why under --root or without dpkg.
func hostDpkg(root string) (install.Dpkg, string) {
	if root != "" {
		return nil, "dpkg: not asked under --root (no diversions)"
	}
	d, err := install.NewDpkg()
	if err != nil {
		return nil, "dpkg: not found, so no package owns the targets (no diversions)"
	}
	return d, "dpkg: asked who owns the targets"
}

func printLines(w io.Writer, lines []string) {
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// perlINC lists Perl's @INC, except under --root, where the host's perl
// says nothing about the root.
func perlINC(ctx context.Context, root string) []string {
	if root != "" {
		return nil
	}
	out, err := exec.CommandContext(ctx, "perl", "-e", `print join "\n", @INC`).Output()
	if err != nil {
		return nil
	}
	return strings.Split(string(out), "\n")
}

func printModule(w io.Writer, o install.Options) {
	where := "this host"
	if o.Root != "" {
		where = fmt.Sprintf("%q", o.Root)
	}
	if o.Module == nil {
		fmt.Fprintf(w, "Bucardo.pm: none found on %s, so the fork's version is not checked against it\n", where)
		return
	}
	fmt.Fprintf(w, "Bucardo.pm: %s is Bucardo %s\n", filepath.Join(o.Root, o.Module.Path), o.Module.Version)
}

// forkDir returns the fork folder to install: --from, else one generated
// for --version or the version found on the host.
func (o *installOptions) forkDir(ctx context.Context, opt install.Options, stdout, stderr io.Writer) (string, func(), error) {
	from, version := o.ForkDir, o.Version
	if version != "" {
		if err := upstream.ValidVersion(version); err != nil {
			return "", nil, usageError{err: fmt.Errorf("--version: %w", err)}
		}
	}
	if from != "" {
		if err := checkInstallFrom(from); err != nil {
			return "", nil, err
		}
		m, err := generator.ReadManifest(from)
		if err != nil {
			return "", nil, hostErr(err)
		}
		if version != "" && version != m.Version {
			return "", nil, usagef("--version %s, but the fork in %q is of %s", version, from, m.Version)
		}
		return from, func() {}, nil
	}
	if version == "" {
		v, err := hostVersion(stdout, opt)
		if err != nil {
			return "", nil, hostErr(err)
		}
		version = v
	}
	return o.generateTemp(ctx, version, stderr)
}

// hostVersion is the version of the host's Bucardo.pm, else of the
// installed script, else "" (the newest with a series). The script is
// read below the root without following a link: one that is a link, or
// not a regular file, is an error, not a version.
func hostVersion(w io.Writer, o install.Options) (string, error) {
	if o.Module != nil {
		return o.Module.Version, nil
	}
	bin := o.Bin
	if bin == "" {
		bin = install.DefaultBin
	}
	v, err := install.HostFileVersion(o.Root, bin)
	switch {
	case err == nil:
		fmt.Fprintf(w, "version: %s, of the installed script\n", v)
		return v, nil
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, install.ErrNoVersion):
		return "", err
	}
	fmt.Fprintln(w, "version: none found on the host: installing the newest with a series")
	return "", nil
}

// printResult prints what install or uninstall did, or would do.
func printResult(w io.Writer, res *install.Result, dry bool, op, what string) {
	printLines(w, res.Notes)
	if res.NoOp {
		return
	}
	switch {
	case dry:
		fmt.Fprintf(w, "dry run: %s of %s would:\n", op, what)
	default:
		fmt.Fprintf(w, "%s of %s:\n", op, what)
	}
	for _, a := range res.Actions {
		fmt.Fprintf(w, "  %s\n", a)
	}
	for _, t := range res.Targets {
		fmt.Fprintf(w, "%s: %s\n", t.Path, undone(t.Undo, dry))
	}
	switch {
	case dry:
		fmt.Fprintln(w, "nothing changed (dry run)")
	case op == "install":
		fmt.Fprintln(w, "installed; bcfork status shows it, bcfork uninstall puts back what was there")
	default:
		fmt.Fprintln(w, "uninstalled")
	}
}

// undone says what uninstall did with a target, or would do.
func undone(undo string, dry bool) string {
	what := map[string]string{
		install.UndoRestore:  "restored as before install",
		install.UndoRemove:   "removed (nothing was there before install)",
		install.UndoPristine: "pristine original written (nothing was there before install)",
	}[undo]
	if dry {
		return "would be " + what
	}
	return what
}

// hostError marks an error of install, uninstall or status, whose hints
// (run as root, --root) make sense only for them.
type hostError struct{ err error }

func (e hostError) Error() string { return e.err.Error() }
func (e hostError) Unwrap() error { return e.err }

// isHost reports whether err is install's, uninstall's or status's.
func isHost(err error) bool {
	var he hostError
	return errors.As(err, &he)
}

func hostErr(err error) error {
	if err == nil {
		return nil
	}
	return hostError{err}
}

// checkInstallFrom turns a --from that is not a fork folder (a release
// tarball, say, which generate takes) into a usage error with the way on.
func checkInstallFrom(from string) error {
	fi, err := os.Stat(from)
	if err != nil {
		return usagef("--from %q: %v", from, errors.Unwrap(err))
	}
	_, merr := os.Stat(filepath.Join(from, generator.ManifestName))
	if fi.IsDir() && merr == nil {
		return nil
	}
	return usagef("--from %q is not a fork folder (no %s): install takes the folder bcfork generate writes;\n"+
		"for a release tarball or checkout run: bcfork generate --from %s, then bcfork install --from bcfork-VERSION",
		from, generator.ManifestName, from)
}
