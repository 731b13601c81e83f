package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/instance"
	"github.com/urfave/cli/v2"
)

// statusOptions are the flags of bcfork status.
type statusOptions struct {
	hostOptions
	JSON bool // --json
}

func statusCommand() *cli.Command {
	var o statusOptions
	return &cli.Command{
		Name:        "status",
		Usage:       "say what the install targets hold and whether the host drifted from the receipt",
		UsageText:   "bcfork status [--root DIR] [--json] [--bin PATH] [--schema PATH]",
		Description: statusDescription,
		Flags: []cli.Flag{
			o.rootFlag(),
			&cli.BoolFlag{Name: "json", Destination: &o.JSON, Usage: "print the report as JSON"},
			o.binFlag("the script's `PATH` when nothing is installed (default " + install.DefaultBin + ")"),
			o.schemaFlag("the schema's `PATH` when nothing is installed (default " + install.DefaultSchema + ")"),
		},
		Action: action(o.run),
	}
}

const statusDescription = `For each target, says what it holds: the fork the receipt records (with its
version and series), a pristine upstream release, a distribution package's file
(asking dpkg, or by Debian's known checksums), the file that was there before
install, a file modified since install, a bcfork fork no receipt records (the
lines its patch series add to mark their changes are in it: the receipt was
lost, or it was copied by hand), or nothing. Shows dpkg diversions and
the receipt. --bin and --schema name the targets when nothing is installed.

Exit codes: 0 the targets are as the receipt says (or nothing is installed);
1 failure (e.g. the receipt cannot be read, or the lock in the state folder is
a link, a FIFO, a folder or unreadable, so status cannot tell whether another
bcfork is at work: install and uninstall refuse it too); 2 usage; 5 the host
has drifted from the receipt: a target changed, removed, of another mode or
owner, or not a regular file, a dpkg diversion gone, or an install or
uninstall interrupted (install or uninstall again finishes it), or no
receipt but backups in the state folder (the receipt was lost); or from the
instance record: a file bcfork wrote for an instance changed or gone, a run
folder missing, an instance add, remove or upgrade interrupted. Usable in
monitoring.

A file bcfork wrote for instances (the template unit, a tmpfiles.d or
logrotate entry) that is still as an older bcfork wrote it, while this bcfork
writes it otherwise, is no drift: nobody changed the host. Status prints a
note naming the command that rewrites it (bcfork instance upgrade), and that
alone does not make it exit 5.

--json prints one object, the same with exit code 0 or 5. Fields may be
added in later versions, never renamed or removed:
   state          "not installed", "installed", "installing" or "uninstalling"
   receipt_path   where the receipt is (under --root)
   receipt        the receipt install wrote, or null
   busy           true while another bcfork installs or uninstalls
   dpkg           whether dpkg was asked about packages and diversions
   drift          how the host differs from the receipt and the instance
                  record: sentences; [] if none
   lost_receipt   null, or when there is no receipt but backups:
                  {"receipt_path", "backup_dir", "backups" (at most 10),
                  "more" (true if there are more)}
   instances      the Bucardo instances, as bcfork instance list --json shows them
   notices        what is to know that is not drift, e.g. a file an older
                  bcfork wrote that bcfork instance upgrade rewrites:
                  sentences; [] if none
   targets        one object per target, script first:
      name         "bucardo" or "bucardo.schema"
      path         where it is (under --root)
      content      "fork", "modified fork" (the fork the receipt records,
                   installed with --allow-modified: not what its series
                   makes), "pristine", "packaged", "original" (what was there
                   before install), "modified", "absent", "other" (not a
                   regular file), "unrecorded fork" (no receipt, but a
                   bcfork fork: its patch series' marks are in it) or
                   "unknown" (no receipt to compare with)
      description  the same for people
      version, series_sha256, package, sha256, mode ("0755"),
      owner ("uid:gid"), diversion ({"to", "by"}): when known
      uninstall    what bcfork uninstall does with it: "restore" (what was
                   there before install) or "remove" (nothing was there);
                   absent when nothing is installed`

func (o *statusOptions) run(ctx context.Context, stdout, _ io.Writer) error {
	opt, notes, err := o.options()
	if err != nil {
		return err
	}
	r, err := install.Status(ctx, opt)
	if err != nil {
		return hostErr(err)
	}
	inst, notices, err := instanceStatus(r, opt.Root)
	if err != nil {
		return hostErr(err)
	}
	if err := printReport(stdout, statusReport{r, inst, notices}, notes, o.JSON); err != nil {
		return err
	}
	if r.Drifted() {
		return hostErr(driftError{drift: r.Drift, lost: r.Lost})
	}
	return nil
}

// driftError is status's error when the host drifted. It matches
// install.ErrDrift and, when the receipt is lost, the
// *install.LostReceiptError, whose hint says what to do.
type driftError struct {
	drift []string
	lost  *install.LostReceiptError
}

func (e driftError) Error() string {
	what := install.ErrDrift
	if e.lost != nil {
		what = install.ErrLostReceipt
	}
	return fmt.Sprintf("%v: %s", what, strings.Join(e.drift, "; "))
}

func (e driftError) Unwrap() error {
	if e.lost != nil {
		return e.lost
	}
	return install.ErrDrift
}

// statusReport is what status says: the install targets and the
// instances, and what is to know that is not drift.
type statusReport struct {
	*install.Report
	Instances []instance.Status `json:"instances"`
	Notices   []string          `json:"notices"`
}

// instanceStatus lists the instances and adds how their files drifted
// from the instance record to r's drift; it returns the instances and the
// notices on their files.
func instanceStatus(r *install.Report, root string) ([]instance.Status, []string, error) {
	o := instance.Options{Root: root}
	list, err := instance.List(o)
	if err != nil {
		return nil, nil, err
	}
	drift, err := instance.Drift(o)
	if err != nil {
		return nil, nil, err
	}
	r.Drift = append(r.Drift, drift...)
	notices, err := instance.Notices(o)
	return list, notices, err
}

// printReport prints r for people, with notes, or as JSON.
func printReport(w io.Writer, r statusReport, notes []string, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printStatus(w, r.Report)
	printInstanceLine(w, r.Instances)
	printNotices(w, r.Notices)
	printLines(w, notes)
	return nil
}

// printInstanceLine says which instances there are.
func printInstanceLine(w io.Writer, list []instance.Status) {
	if len(list) == 0 {
		return
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Name)
	}
	fmt.Fprintf(w, "instances: %s (bcfork instance list shows them)\n", strings.Join(names, ", "))
}

// printNotices prints what is to know that is not drift.
func printNotices(w io.Writer, notices []string) {
	for _, n := range notices {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// unrecorded reports whether a target holds a bcfork fork no receipt records.
func unrecorded(r *install.Report) bool {
	for _, t := range r.Targets {
		if t.Content == install.ContentUnrecorded {
			return true
		}
	}
	return false
}

func printStatus(w io.Writer, r *install.Report) {
	switch rc := r.Receipt; {
	case rc == nil && r.Lost != nil:
		fmt.Fprintf(w, "receipt: none at %s, but %s holds backups of an install: the receipt was lost\n", r.ReceiptPath, r.Lost.Dir)
	case rc == nil && unrecorded(r):
		fmt.Fprintf(w, "receipt: none at %s, but a target holds a bcfork fork: its receipt was lost, or it was copied by hand\n", r.ReceiptPath)
	case rc == nil:
		fmt.Fprintf(w, "receipt: none at %s: bcfork has installed nothing\n", r.ReceiptPath)
	default:
		busy := ""
		if r.Busy {
			busy = " (another bcfork is at work now)"
		}
		fmt.Fprintf(w, "receipt: %s: %s, %s, %s%s\n",
			r.ReceiptPath, rc.State, forkName(generator.Manifest{Flavor: rc.Flavor, Version: rc.Version, Series: rc.Series}, rc.Modified), rc.Time.Format("2006-01-02 15:04:05 MST"), busy)
	}
	for _, t := range r.Targets {
		fmt.Fprintf(w, "%s: %s\n", t.Path, t.Description)
		if t.Diversion != nil {
			fmt.Fprintf(w, "  diverted by dpkg (%s) to %s\n", t.Diversion.By, t.Diversion.To)
		}
		switch t.Uninstall {
		case install.UndoRestore:
			fmt.Fprintln(w, "  bcfork uninstall restores the file that was there before install")
		case install.UndoRemove:
			fmt.Fprintln(w, "  bcfork uninstall removes it: nothing was there before install (--pristine writes the pristine original instead)")
		}
	}
	for _, d := range r.Drift {
		fmt.Fprintf(w, "drift: %s\n", d)
	}
}
