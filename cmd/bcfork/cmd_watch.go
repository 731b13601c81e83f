package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bcfork/bcfork/rebase"
	"github.com/bcfork/bcfork/upstream"
	"github.com/bcfork/bcfork/watch"
	"github.com/urfave/cli/v2"
)

// watchOptions are the flags of bcfork watch besides those that pick
// upstream (--repo, --github-api, --offline, --no-cache, --patches).
type watchOptions struct {
	sourceOptions
	Mirror   string          // --mirror: a local git repository of upstream
	Branches cli.StringSlice // --branch: more branches to watch
	JSON     bool            // --json
}

func watchCommand() *cli.Command {
	var o watchOptions
	return &cli.Command{
		Name:      "watch",
		Usage:     "say whether upstream has a release or commits the series is not carried onto (for maintainers)",
		UsageText: "bcfork watch [--mirror GITDIR] [--branch NAME]... [--patches DIR] [--json]",
		Description: `Compares upstream's tags and branch heads with the series the patches tree
ships (flavor upstream): a release tag newer than the newest release with a
series is new, and so is a branch whose head is not the commit of its
snapshot series (master-d9919c8 watches master; --branch watches another).
For each, the canonical series (the newest release with one) is carried onto
the new files in memory, as bcfork rebase would, and reported: each patch
unchanged, offset, merged or dropped, or the conflict. Nothing is written.

Upstream is GitHub (--repo, --github-api, a token from GITHUB_TOKEN; about 2
requests, plus 3 for each new ref's files, cached), or with --mirror GITDIR a
local clone or mirror of bucardo/bucardo read with git, offline (run "git
fetch" in it first). --json prints the report as one object.

Exit status: 0 nothing new; ` + exitNewText + ` and the series carries onto
all of it; ` + exitNewConflictText + `; 1 failure, 2 usage.`,
		Flags: append(o.sourceFlags("repo", "github-api", "offline", "no-cache", "patches"),
			&cli.StringFlag{Name: "mirror", Destination: &o.Mirror, Usage: "read upstream from the local git repository `GITDIR` (REPO/.git or a bare mirror)"},
			&cli.StringSliceFlag{Name: "branch", Destination: &o.Branches, Usage: "also watch branch `NAME`; repeatable"},
			&cli.BoolFlag{Name: "json", Destination: &o.JSON, Usage: "print the report as JSON"},
		),
		Action: action(o.run),
	}
}

func (o *watchOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	opt, err := o.upstreamOptions(stderr)
	if err != nil {
		return err
	}
	var up watch.Upstream = upstream.GitHub{Opt: opt}
	if o.Mirror != "" {
		up = upstream.Mirror{Dir: o.Mirror}
	}
	rep, err := watch.Check(ctx, up, watch.Options{Pins: opt.Pins, Branches: o.Branches.Value()})
	if err != nil {
		return err
	}
	if o.JSON {
		printWatchJSON(stdout, rep)
	} else {
		o.printWatch(stdout, rep)
	}
	return watchOutcome(rep)
}

// watchOutcome is the exit status of a watch: nil when nothing is new.
func watchOutcome(rep *watch.Report) error {
	for _, n := range rep.New {
		if n.Err != nil {
			return fmt.Errorf("trying the series on %s: %w", n.Ref, n.Err)
		}
	}
	if len(rep.New) == 0 {
		return nil
	}
	return &newUpstreamError{rep: rep}
}

// newUpstreamError is the outcome of a watch that found something new:
// exit code ExitNew, or ExitNewConflict when the series conflicts.
type newUpstreamError struct{ rep *watch.Report }

func (e *newUpstreamError) Error() string {
	var refs []string
	for _, n := range e.rep.New {
		what := "the series carries"
		if !n.Carries() {
			what = "the series conflicts"
		}
		refs = append(refs, fmt.Sprintf("%s (%s)", n.Ref, what))
	}
	return "upstream has something new: " + strings.Join(refs, ", ")
}

func (e *newUpstreamError) code() int {
	if e.rep.Carries() {
		return ExitNew
	}
	return ExitNewConflict
}

func (o *watchOptions) printWatch(w io.Writer, rep *watch.Report) {
	if len(rep.New) == 0 {
		fmt.Fprintf(w, "nothing new upstream: the series here are %s (canonical: %s)\n", strings.Join(rep.Shipped, ", "), rep.Canonical)
		return
	}
	for _, n := range rep.New {
		fmt.Fprintf(w, "%s: %s\n", describeNew(n), describeTry(n, rep.Canonical))
		for _, rp := range n.Carried {
			fmt.Fprintf(w, "  %s: %s\n", rp.Name, describe(rp))
		}
		if n.Conflict != nil {
			for _, f := range n.Conflict.Files {
				fmt.Fprintf(w, "  %s: CONFLICT in %s (%s)\n", n.Conflict.Patch, f.File, plural(len(f.Conflicts), "region", "regions"))
			}
		}
		fmt.Fprintf(w, "  next: %s\n", o.nextStep(n, rep.Canonical))
	}
}

func describeNew(n *watch.New) string {
	if !n.Branch {
		return fmt.Sprintf("new release %s (commit %.12s)", n.Ref, n.Commit)
	}
	if n.Since == "" {
		return fmt.Sprintf("%s at %.12s (no series for it)", n.Ref, n.Commit)
	}
	commits := ""
	if n.Commits >= 0 {
		commits = ", " + plural(n.Commits, "commit", "commits")
	}
	return fmt.Sprintf("%s moved: %.12s (%s) -> %.12s%s", n.Ref, n.Since, n.Snapshot, n.Commit, commits)
}

func describeTry(n *watch.New, canonical string) string {
	switch {
	case n.Err != nil:
		return "could not try the series: " + n.Err.Error()
	case n.Conflict != nil:
		return fmt.Sprintf("the series of %s does NOT carry: %s conflicts", canonical, n.Conflict.Patch)
	}
	for _, rp := range n.Carried {
		if rp.Status != rebase.Clean {
			return fmt.Sprintf("the series of %s carries, with changes", canonical)
		}
	}
	return fmt.Sprintf("the series of %s carries unchanged", canonical)
}

// nextStep is the command that carries the series onto n for good: from
// GitHub, or from the files of the mirror.
func (o *watchOptions) nextStep(n *watch.New, canonical string) string {
	folder := n.Ref
	if n.Branch {
		folder = fmt.Sprintf("%s-%.7s", n.Ref, n.Commit)
	}
	rebase := fmt.Sprintf("bcfork rebase --patches patches --version %s --onto %s --allow-unpinned", canonical, folder)
	if o.Mirror != "" {
		archive := func(ref, dir string) string {
			return fmt.Sprintf("git --git-dir %s archive --prefix=%s/ %s bucardo bucardo.schema | tar -x", shellQuote(o.Mirror), dir, ref)
		}
		rebase = fmt.Sprintf("%s && %s && %s --from-old %s --from %s",
			archive(canonical, "old-"+canonical), archive(n.Commit, folder), rebase, "old-"+canonical, folder)
	}
	return rebase + "; then carry it in scripts/series.sh too, with its files"
}

// watchJSON is what bcfork watch --json prints.
type watchJSON struct {
	Canonical string    `json:"canonical"`
	Shipped   []string  `json:"shipped"`
	New       []newJSON `json:"new"`
	Result    string    `json:"result"` // nothing-new, carries or conflict
}

type newJSON struct {
	Ref      string                `json:"ref"`
	Branch   bool                  `json:"branch,omitempty"`
	Commit   string                `json:"commit"`
	Since    string                `json:"since,omitempty"`
	Snapshot string                `json:"snapshot,omitempty"`
	Commits  *int                  `json:"commits,omitempty"`
	Carries  bool                  `json:"carries"`
	Patches  []patchReport         `json:"patches"`
	Conflict *rebase.ConflictError `json:"conflict,omitempty"`
	Error    string                `json:"error,omitempty"`
}

func printWatchJSON(w io.Writer, rep *watch.Report) {
	out := watchJSON{Canonical: rep.Canonical, Shipped: rep.Shipped, New: []newJSON{}, Result: "nothing-new"}
	for _, n := range rep.New {
		nj := newJSON{Ref: n.Ref, Branch: n.Branch, Commit: n.Commit, Since: n.Since, Snapshot: n.Snapshot, Carries: n.Carries(), Patches: []patchReport{}, Conflict: n.Conflict}
		if n.Commits >= 0 {
			nj.Commits = &n.Commits
		}
		if n.Err != nil {
			nj.Error = n.Err.Error()
		}
		for _, rp := range n.Carried {
			pr := patchReport{Name: rp.Name, Status: reportStatus[rp.Status]}
			if rp.Status == rebase.Moved {
				pr.Hunks = rp.Hunks
			}
			nj.Patches = append(nj.Patches, pr)
		}
		out.New = append(out.New, nj)
	}
	switch {
	case len(rep.New) > 0 && rep.Carries():
		out.Result = "carries"
	case len(rep.New) > 0:
		out.Result = "conflict"
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	fmt.Fprintf(w, "%s\n", b)
}
