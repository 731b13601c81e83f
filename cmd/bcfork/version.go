package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"text/tabwriter"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/patches"
)

// buildVersion reports the module version bcfork was built from.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "(devel)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && v == "(devel)" {
			v += " " + s.Value
		}
	}
	return v
}

// printVersion prints bcfork's version, then each release the built-in
// patches tree pins, newest first by flavor: its series (sha256 over the
// series and patches, as manifests and receipts record it) if it has one,
// its pinned upstream commit, and the pinned sha256 of both files.
func printVersion(w io.Writer) error {
	fmt.Fprintf(w, "bcfork %s\n", buildVersion())
	cat := catalog.New(patches.FS)
	flavors, err := cat.Flavors()
	if err != nil {
		return err
	}
	slices.SortStableFunc(flavors, upstreamFirst)
	fmt.Fprintln(w, "built-in series and pins (sha256 and commits to 12 hex digits):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  FLAVOR\tVERSION\tSERIES\tCOMMIT\tBUCARDO\tBUCARDO.SCHEMA")
	for _, f := range flavors {
		entries, err := cat.Entries(f)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := printPins(tw, cat, f, e); err != nil {
				return err
			}
		}
	}
	return tw.Flush()
}

// upstreamFirst orders the upstream flavor before the others.
func upstreamFirst(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == catalog.Upstream:
		return -1
	case b == catalog.Upstream:
		return 1
	}
	return 0
}

// printPins prints the line of release e of flavor.
func printPins(w io.Writer, cat *catalog.Catalog, flavor string, e catalog.Entry) error {
	series := "none"
	if e.Series {
		s, err := cat.Series(flavor, e.Version)
		if err != nil {
			return err
		}
		series = s.Hash()[:12]
	}
	commit, err := cat.Commit(flavor, e.Version)
	if err != nil {
		return err
	}
	pins, err := cat.Pins(flavor, e.Version)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\n", flavor, e.Version, series, short(commit), short(pins[bucardo.Script]), short(pins[bucardo.Schema]))
	return nil
}

// short is the first 12 hex digits of a sum or commit, "-" for none.
func short(sum string) string {
	if sum == "" {
		return "-"
	}
	return sum[:min(12, len(sum))]
}
