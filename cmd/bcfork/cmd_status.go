package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bcfork/bcfork/install"
	"github.com/urfave/cli/v2"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "say what the install targets hold and whether the host drifted from the receipt",
		UsageText: "bcfork status [--root DIR] [--json] [--bin PATH] [--schema PATH]",
		Description: `For each target, says what it holds: the fork the receipt records (with its
version and series), a pristine upstream release, a distribution package's file
(asking dpkg, or by Debian's known checksums), the file that was there before
install, a file modified since install, or nothing. Shows dpkg diversions and
the receipt. --bin and --schema name the targets when nothing is installed.

Exit code 5 when the host has drifted from the receipt: a target changed or
removed, a diversion gone, or an install or uninstall interrupted (install or
uninstall again finishes it). Usable in monitoring; --json for machines.`,
		Flags: []cli.Flag{
			rootFlag(),
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
			&cli.StringFlag{Name: "bin", Usage: "the script's `PATH` when nothing is installed (default " + install.DefaultBin + ")"},
			&cli.StringFlag{Name: "schema", Usage: "the schema's `PATH` when nothing is installed (default " + install.DefaultSchema + ")"},
		},
		Action: runStatus,
	}
}

func runStatus(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("status takes no arguments, got %q", c.Args().Slice())
	}
	o, notes, err := hostOptions(c)
	if err != nil {
		return err
	}
	r, err := install.Status(c.Context, o)
	if err != nil {
		return hostErr(err)
	}
	w := c.App.Writer
	if c.Bool("json") {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		printStatus(w, r)
		printLines(w, notes)
	}
	if r.Drifted() {
		return hostErr(fmt.Errorf("%w: %s", install.ErrDrift, strings.Join(r.Drift, "; ")))
	}
	return nil
}

func printStatus(w io.Writer, r *install.Report) {
	switch rc := r.Receipt; {
	case rc == nil:
		fmt.Fprintf(w, "receipt: none at %s: bcfork has installed nothing\n", r.ReceiptPath)
	default:
		busy := ""
		if r.Busy {
			busy = " (another bcfork is at work now)"
		}
		fmt.Fprintf(w, "receipt: %s: %s, fork of %s %s (series %.12s), %s%s\n",
			r.ReceiptPath, rc.State, rc.Flavor, rc.Version, rc.Series, rc.Time.Format("2006-01-02 15:04:05 MST"), busy)
	}
	for _, t := range r.Targets {
		fmt.Fprintf(w, "%s: %s\n", t.Path, t.Description)
		if t.Diversion != nil {
			fmt.Fprintf(w, "  diverted by dpkg (%s) to %s\n", t.Diversion.By, t.Diversion.To)
		}
	}
	for _, d := range r.Drift {
		fmt.Fprintf(w, "drift: %s\n", d)
	}
}
