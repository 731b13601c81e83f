package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/upstream"
	"github.com/urfave/cli/v2"
)

// versionsOptions are the flags of bcfork versions.
type versionsOptions struct {
	sourceOptions
}

func versionsCommand() *cli.Command {
	var o versionsOptions
	return &cli.Command{
		Name:        "versions",
		Usage:       "list Bucardo releases and which have a patch series, pins or a cache entry",
		UsageText:   "bcfork versions [--offline] [--repo OWNER/NAME] [--patches DIR]",
		Description: versionsHelp,
		Flags:       o.sourceFlags("repo", "github-api", "offline", "no-cache", "patches"),
		Action:      action(o.run),
	}
}

const versionsHelp = `Lists the tags of the upstream repository, newest first (releases by
number, then other tags), with the versions known here: SERIES says the
patches tree has a patch series for it, PINNED that it has pinned checksums,
CACHED that its files are in the cache and verify. COMMIT is the commit of
the tag (offline: from the last listing, the cache or the commit pinned in
the patches tree); "moved" marks a tag that no longer points at its pinned
commit. Refs that are only cached (master, a commit) are listed too. A
series for a branch at a commit is named REF-COMMIT (master-d9919c8); the
line after the table says which one --version REF names in generate and
install.

Requests: one GitHub API request per 100 tags. The listing is kept in the
cache with its ETags, so the next listing asks conditionally; an unchanged
page is answered 304 Not Modified, which does not count against the rate
limit when a token is sent (BCFORK_GITHUB_TOKEN or GITHUB_TOKEN).

Offline (--offline or BCFORK_OFFLINE), versions lists what is known locally:
the patches tree, the cache and the last listing.

Exit status: 0 ok, 1 failure, 2 usage.`

func (o *versionsOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	opt, err := o.upstreamOptions(stderr)
	if err != nil {
		return err
	}
	list, err := upstream.Versions(ctx, opt)
	if err != nil {
		return err
	}
	if opt.Offline {
		fmt.Fprintln(stderr, "offline: listing the versions known locally")
	}
	if err := printVersions(stdout, list); err != nil {
		return err
	}
	return printAliases(stdout, catalog.New(opt.Pins), opt.Flavor, list)
}

// printAliases says which series a branch name stands for: master for
// master-d9919c8.
func printAliases(w io.Writer, cat *catalog.Catalog, flavor string, list []upstream.VersionInfo) error {
	said := map[string]bool{}
	for _, v := range list {
		ref, ok := catalog.SnapshotRef(v.Version)
		if !ok || !v.HasSeries {
			continue
		}
		got, err := cat.Resolve(flavor, ref)
		var amb *catalog.AmbiguousError
		switch {
		case err == nil && got == v.Version:
			fmt.Fprintf(w, "--version %s names %s, the series for %s at %s\n", ref, v.Version, ref, commitColumn(v))
		case errors.As(err, &amb) && !said[ref]:
			said[ref] = true
			fmt.Fprintf(w, "--version %s is ambiguous: name one of %s\n", ref, strings.Join(amb.Snapshots, ", "))
		}
	}
	return nil
}

func printVersions(w io.Writer, list []upstream.VersionInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSERIES\tPINNED\tCACHED\tCOMMIT")
	for _, v := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", field(v.Version), yesNo(v.HasSeries), yesNo(v.Pinned), yesNo(v.Cached), field(commitColumn(v)))
	}
	return tw.Flush()
}

// commitColumn is the short commit, "-" when unknown, and says when the
// tag no longer points at the pinned commit.
func commitColumn(v upstream.VersionInfo) string {
	switch {
	case v.Commit == "":
		return "-"
	case v.PinnedCommit != "" && v.Commit != v.PinnedCommit:
		return fmt.Sprintf("%.12s (moved; pinned %.12s)", v.Commit, v.PinnedCommit)
	}
	return fmt.Sprintf("%.12s", v.Commit)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
