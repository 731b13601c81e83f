package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
)

// The result of a rebase, in its report.
const (
	resultClean    = "clean"    // every patch carried unchanged
	resultChanged  = "changed"  // carried, but some patches moved, merged, were resolved or dropped
	resultConflict = "conflict" // stopped at a conflict
)

// rebaseReport is what bcfork rebase --json prints.
type rebaseReport struct {
	From    string        `json:"from"` // FLAVOR/OLD
	Onto    string        `json:"onto"` // FLAVOR/NEW
	Source  string        `json:"source,omitempty"`
	Result  string        `json:"result"`         // clean, changed or conflict
	Out     string        `json:"out,omitempty"`  // the series folder written
	Work    string        `json:"work,omitempty"` // the work folder of a stopped rebase
	Patches []patchReport `json:"patches"`
}

// patchReport is how one patch was carried: unchanged, offset, merged,
// resolved, dropped, or conflict (the rebase stopped there).
type patchReport struct {
	Name      string                `json:"name"`
	Status    string                `json:"status"`
	Hunks     []patch.HunkResult    `json:"hunks,omitempty"`     // offset: where each hunk went
	Recorded  bool                  `json:"recorded,omitempty"`  // resolved: with the recorded resolution
	Conflicts []rebase.FileConflict `json:"conflicts,omitempty"` // conflict: where
}

// reportStatus is the report's word for a carried patch.
var reportStatus = map[rebase.Status]string{
	rebase.Clean:    "unchanged",
	rebase.Moved:    "offset",
	rebase.Merged:   "merged",
	rebase.Resolved: "resolved",
	rebase.Dropped:  "dropped",
}

func newReport(r *rebase.Rebase, out, work string) rebaseReport {
	rep := rebaseReport{From: r.From.String(), Onto: r.Onto.String(), Source: r.Meta[metaSource], Out: out, Work: work, Result: resultClean, Patches: []patchReport{}}
	for _, rp := range r.Done {
		pr := patchReport{Name: rp.Name, Status: reportStatus[rp.Status], Recorded: rp.Recorded}
		if rp.Status == rebase.Moved {
			pr.Hunks = rp.Hunks
		}
		if rp.Status != rebase.Clean {
			rep.Result = resultChanged
		}
		rep.Patches = append(rep.Patches, pr)
	}
	if r.Conflict != nil {
		rep.Result = resultConflict
		rep.Patches = append(rep.Patches, patchReport{Name: r.Conflict.Patch, Status: resultConflict, Conflicts: r.Conflict.Files})
	}
	return rep
}

// changed lists the patches that did not carry unchanged, as "NAME STATUS".
func (rep rebaseReport) changed() []string {
	var out []string
	for _, p := range rep.Patches {
		if p.Status != "unchanged" {
			out = append(out, p.Name+" "+p.Status)
		}
	}
	return out
}

func printRebaseReport(w io.Writer, rep rebaseReport) {
	b, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Fprintf(w, "%s\n", b)
}

// changedError is the outcome of a rebase that wrote its series, but not
// every patch carried unchanged: exit code ExitChanged.
type changedError struct {
	changed []string
}

func (e *changedError) Error() string {
	return "carried, with changes to review: " + strings.Join(e.changed, ", ")
}

// oldFilesError marks a failure to get OLD's files, whose flag is --from-old.
type oldFilesError struct{ err error }

func (e *oldFilesError) Error() string { return e.err.Error() }
func (e *oldFilesError) Unwrap() error { return e.err }
