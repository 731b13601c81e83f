package main

import (
	"context"
	"io"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/instance"
	"github.com/urfave/cli/v2"
)

// uninstallOptions are the flags of bcfork uninstall.
type uninstallOptions struct {
	hostOptions
	Force    bool // --force
	Pristine bool // --pristine
	Purge    bool // --purge: what uninstall now does by default; a hidden alias
	DryRun   bool // --dry-run
}

func uninstallCommand() *cli.Command {
	var o uninstallOptions
	return &cli.Command{
		Name:        "uninstall",
		Usage:       "put back what install replaced",
		UsageText:   "bcfork uninstall [--root DIR] [--force] [--pristine] [--dry-run]",
		Description: uninstallDescription,
		Flags: []cli.Flag{
			o.rootFlag(),
			&cli.BoolFlag{Name: "force", Destination: &o.Force, Usage: "put back the originals over targets changed since install"},
			&cli.BoolFlag{Name: "pristine", Destination: &o.Pristine, Usage: "where nothing was there before install, write the pristine original of the installed release instead of removing the fork"},
			&cli.BoolFlag{Name: "purge", Destination: &o.Purge, Hidden: true, Usage: "what uninstall does by default: where nothing was there before install, remove the fork"},
			dryRunFlag(&o.DryRun),
		},
		Action: action(o.run),
	}
}

const uninstallDescription = `Puts back exactly what install replaced, checked against the sha256 in the
receipt, with its mode and owner, absence included: where nothing was there
before, it removes the fork (and the folders install created, if empty), so
that on Debian bucardo finds the package's /usr/share/bucardo/bucardo.schema
again. --pristine writes the pristine original of the installed release there
instead (for a host that installed Bucardo from upstream's tarball). A target
diverted with dpkg-divert gets the package's file back (the current one, if
the package was upgraded meanwhile) and the diversion is removed. Then the
backups and the receipt go. The summary says for each target whether it was
restored as before, removed, or got the pristine original; bcfork status
says beforehand which of the first two uninstall will do.

A target changed since install is left alone without --force (which keeps a
copy of it next to the backups, in /var/lib/bcfork/backup). While Bucardo
instances use the fork (bcfork instance list), uninstall refuses and lists
them: bcfork instance remove NAME removes each; --force uninstalls anyway,
leaving their daemons without the fork. An uninstall
stopped at any point can be run again; with no receipt there is nothing to
do, unless /var/lib/bcfork/backup holds backups: then the receipt of an
install was lost, and uninstall refuses (exit 5) and changes nothing, as it
cannot tell what they are copies of (bcfork status lists them); so it does
when a target holds a bcfork fork (told by the lines its patch series add to
mark their changes; bcfork status calls it "a bcfork fork (no receipt)"),
as nothing says what the fork replaced: put the receipt back, or put back
by hand what was there (bcfork fetch --version V --out DIR writes upstream's
files of release V; apt-get install --reinstall bucardo Debian's, after
dpkg-divert --local --remove PATH where dpkg-divert --list shows a
diversion). --dry-run prints the plan and changes nothing. --root DIR prefixes every
path, as for install.

The receipt steers what is removed and restored, so it is checked first: one
that others than root may have written (not owned by root, or writable by
group or others), or that names paths install never writes (a target that is
not a clean absolute path, a backup or pristine copy outside the state
folder), is refused and nothing is touched; so do install and status.

The lock file /var/lib/bcfork/lock (empty) and the state folder stay after
uninstall, as do the copies --force kept; remove them by hand if you like.

Exit codes: 0 uninstalled, or nothing to do; 1 failure (if it says
"interrupted", run it again once the cause is fixed); 2 usage; 5 a target
changed since install (nothing was changed: bcfork status shows it, --force
puts the original back over it), or no receipt but backups or a bcfork
fork in place (nothing was changed).`

func (o *uninstallOptions) run(ctx context.Context, stdout, _ io.Writer) error {
	opt, notes, err := o.options()
	if err != nil {
		return err
	}
	if o.Pristine && o.Purge {
		return usagef("--pristine and --purge contradict each other: --pristine writes the pristine originals where nothing was, plain uninstall (--purge) removes the fork there")
	}
	opt.Force, opt.Pristine, opt.DryRun = o.Force, o.Pristine, o.DryRun
	printLines(stdout, notes)
	if !o.Force {
		// Refused under the lock while instances use the fork.
		root := opt.Root
		opt.Guard = func() error { return instance.Guard(instance.Options{Root: root}) }
	}
	rc, err := install.ReadReceipt(opt)
	if err != nil {
		return hostErr(err)
	}
	res, err := install.Uninstall(ctx, opt)
	if err != nil {
		return hostErr(err)
	}
	what := "the fork"
	if rc != nil {
		what = forkName(generator.Manifest{Flavor: rc.Flavor, Version: rc.Version, Series: rc.Series}, rc.Modified)
	}
	printResult(stdout, res, opt.DryRun, "uninstall", what)
	return nil
}
