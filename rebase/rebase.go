package rebase

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
)

// forked lets patches change only the two forked files.
var forked = patch.ApplyOptions{Allowed: bucardo.Names}

// Status says how a patch was carried onto the new files.
type Status string

// How a patch can be carried.
const (
	Clean    Status = "clean"    // applies as it is, at its stated lines: kept byte for byte
	Moved    Status = "moved"    // applies at other lines only: rewritten with the new line numbers
	Merged   Status = "merged"   // does not apply, but merges without conflict: rewritten
	Resolved Status = "resolved" // conflicted and was resolved by hand: rewritten
	Dropped  Status = "dropped"  // the new files already have its changes: left out
)

// Carried is one patch of the new series.
type Carried struct {
	Name   string
	Status Status
	Raw    []byte             // the patch as written in the new series; nil when dropped
	Hunks  []patch.HunkResult // where the old patch applied to the new files (clean and moved only)
	// Recorded is set for a patch Resolved with the recorded resolutions;
	// Unrecorded for one resolved by hand whose resolution could not be
	// recorded (the file was edited outside its marked regions).
	Recorded, Unrecorded bool
}

// ErrConflict is matched (errors.Is) by *ConflictError.
var ErrConflict = errors.New("merge conflict")

// FileConflict lists the conflicting regions of one file.
type FileConflict struct {
	File      string           `json:"file"`
	Conflicts []patch.Conflict `json:"conflicts"`
}

// ConflictError reports a patch whose changes and the new files' changes
// overlap: Rebase.Work then holds the files with conflict markers.
type ConflictError struct {
	Patch string         `json:"patch"`
	Files []FileConflict `json:"files"`
}

func (e *ConflictError) Error() string {
	var parts []string
	for _, f := range e.Files {
		parts = append(parts, fmt.Sprintf("%s (%s)", f.File, regions(len(f.Conflicts))))
	}
	return fmt.Sprintf("patch %q conflicts with the new files in %s", e.Patch, strings.Join(parts, ", "))
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

func regions(n int) string {
	if n == 1 {
		return "1 region"
	}
	return fmt.Sprintf("%d regions", n)
}

// ErrUnresolved is matched (errors.Is) by *MarkerError.
var ErrUnresolved = errors.New("conflict not resolved")

// MarkerError reports a conflict marker left in a file given to Resolve.
type MarkerError struct {
	File string
	Line int    // 1-based
	Text string // the marker line, without its newline
}

func (e *MarkerError) Error() string {
	return fmt.Sprintf("%q line %d: conflict marker %q is still there", e.File, e.Line, e.Text)
}

// Is reports whether target is ErrUnresolved.
func (e *MarkerError) Is(target error) bool { return target == ErrUnresolved }

// Rebase carries a series from the pristine files it was made for onto
// new ones, one patch at a time, with a 3-way merge per patch: base is the
// old files with the earlier patches, ours is base with this patch, and
// theirs is the new files with the earlier patches as carried. Run stops
// at a conflict; Resolve takes the files as resolved by hand, after which
// Run goes on. A Rebase can be kept in a work folder between the two
// (Save, Load).
type Rebase struct {
	Series     *patch.Series     // the series to carry
	SeriesFile []byte            // the text of its series file; nil: one name a line
	Old, New   map[string][]byte // pristine files it applies to, and those to carry it onto
	Extra      map[string][]byte // other files of the series folder, carried as they are
	Meta       map[string]string // the caller's notes, kept in the work folder
	From, Onto Label             // the series carried and where to; optional, for Files

	// Date (YYYY-MM-DD), when set, is the Last-Update that a rewritten
	// patch gets. Previous is the series folder the new one replaces, if
	// any: Files keeps its copy of a patch that differs only in
	// Last-Update, and Run takes the resolutions recorded there. Neither
	// is kept in the work folder: give them again after Load.
	Date     string
	Previous map[string][]byte

	Recorded    []Resolution // resolutions Run may take; Run reads Previous's when nil
	Resolutions []Resolution // the resolutions this rebase used, for the new folder

	Done     []Carried         // the patches carried so far, in order
	Conflict *ConflictError    // set while stopped at a conflict
	Work     map[string][]byte // while stopped: the new files with this patch merged, markers and all

	base, theirs map[string][]byte // old files + Series.Patches[:len(Done)]; new files + Done
	mergers      mergers           // set with base

	// Done[:verified] are known to re-apply exactly, parsed from their
	// text, one after the other onto New, giving theirs: Verify's check,
	// made as each patch is carried, while its files are at hand.
	// verifyErr is the first patch that did not; verified stops there.
	verified  int
	verifyErr error
}

// Run carries the patches not yet carried. It returns a *ConflictError
// when a patch conflicts, and an *ApplyError when the series does not
// apply to the old files.
//
// Only the merges run one after the other, each on the files the one
// before gave. Beside them, on other goroutines, the series is applied to
// the old files (each merge's ours), and each merged patch is checked
// against theirs, rewritten if need be and verified; Run waits for them
// all before it returns.
func (r *Rebase) Run() error {
	if r.Conflict != nil {
		return fmt.Errorf("rebasing: stopped at %q: resolve the conflict first", r.Conflict.Patch)
	}
	if err := r.prepare(); err != nil {
		return err
	}
	quit := make(chan struct{})
	defer close(quit)
	olds := applyAhead(r.base, r.Series.Patches[len(r.Done):], r.mergers.options(), quit)
	var pending []*carrying
	var err error
	for i := len(r.Done); i < len(r.Series.Patches) && err == nil; i++ {
		var c *carrying
		if c, err = r.step(r.Series.Patches[i], <-olds); c != nil {
			pending = append(pending, c)
		}
	}
	for _, c := range pending {
		<-c.done
		r.record(c.rp, c.err)
	}
	return err
}

// Finished reports whether every patch has been carried.
func (r *Rebase) Finished() bool {
	return r.Conflict == nil && r.Series != nil && len(r.Done) == len(r.Series.Patches)
}

// prepare checks the inputs and computes base and theirs for the next
// patch, when they are not known yet.
func (r *Rebase) prepare() error {
	if r.base != nil {
		return nil
	}
	if r.Series == nil {
		return errors.New("rebasing: no series")
	}
	for _, n := range bucardo.Names {
		if r.Old[n] == nil || r.New[n] == nil {
			return fmt.Errorf("rebasing: pristine %q missing", n)
		}
	}
	if r.Recorded == nil && r.Previous[ResolutionsName] != nil {
		rs, err := ParseResolutions(r.Previous[ResolutionsName])
		if err != nil {
			return fmt.Errorf("rebasing: %w", err)
		}
		r.Recorded = rs
	}
	base, _, err := patch.Apply(r.Old, &patch.Series{Patches: r.Series.Patches[:len(r.Done)]}, forked)
	if err != nil {
		return fmt.Errorf("rebasing: the series does not apply to the old files: %w", err)
	}
	theirs, err := applyExact(r.New, r.Done, forked)
	if err != nil {
		return err
	}
	r.base, r.theirs, r.verified = base, theirs, len(r.Done)
	r.mergers = mergers{}
	for _, n := range bucardo.Names {
		r.mergers[n] = &patch.Merger{}
	}
	return nil
}

// mergers holds a patch.Merger for each file: the versions of a file
// that one step merges are those the next one merges and diffs, and a
// Merger splits each only once. The map is not changed once made.
type mergers map[string]*patch.Merger

func (ms mergers) merge(n string, base, ours, theirs []byte) ([]byte, []patch.Conflict) {
	if m := ms[n]; m != nil {
		return m.Merge(base, ours, theirs)
	}
	return patch.Merge(base, ours, theirs)
}

// options is forked, with the texts the mergers know taken as split.
func (ms mergers) options() patch.ApplyOptions {
	return patch.ApplyOptions{Allowed: forked.Allowed, Known: ms}
}

func (ms mergers) diff(n string, a, b []byte) []byte {
	if m := ms[n]; m != nil {
		return m.Diff(n, a, b)
	}
	return patch.Diff(n, a, b)
}

// applied is a patch applied to files: patch.ApplyOne's results.
type applied struct {
	files map[string][]byte
	res   patch.Result
	err   error
}

func apply(files map[string][]byte, p *patch.Patch, opt patch.ApplyOptions) applied {
	out, res, err := patch.ApplyOne(files, p, opt)
	return applied{out, res, err}
}

// applyAhead applies patches to files one after the other (a
// patch.Sequence: each file split once, and its lines after each patch
// given to the file's Merger), on another goroutine, and sends each
// result, until one fails or quit is closed.
func applyAhead(files map[string][]byte, patches []*patch.Patch, opt patch.ApplyOptions, quit <-chan struct{}) <-chan applied {
	out := make(chan applied, len(patches))
	go func() {
		seq := patch.NewSequence(files, opt)
		for _, p := range patches {
			select {
			case <-quit:
				return
			default:
			}
			var a applied
			a.files, a.res, a.err = seq.Apply(p)
			out <- a
			if a.err != nil {
				return
			}
		}
	}()
	return out
}

// carrying is a patch being carried on another goroutine: once done is
// closed, rp is the patch of the new series and err its verification's.
type carrying struct {
	done chan struct{}
	rp   Carried
	err  error
}

func later(f func() (Carried, error)) *carrying {
	c := &carrying{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.rp, c.err = f()
	}()
	return c
}

// step merges one patch, whose old files with it are old, and moves base
// and theirs past it; the patch it becomes is carrying. At a conflict it
// stops instead, unless every region has a recorded resolution.
func (r *Rebase) step(p *patch.Patch, old applied) (*carrying, error) {
	if old.err != nil {
		return nil, fmt.Errorf("rebasing: the series does not apply to the old files: %w", old.err)
	}
	ours, theirs, date, ms := old.files, r.theirs, r.Date, r.mergers
	onto := make(chan applied, 1)
	go func() { onto <- apply(theirs, p, ms.options()) }() // for carry, beside the merge
	merged, conflict := r.merge(p, ours)
	var c *carrying
	if conflict != nil {
		files, used, ok := r.recorded(conflict, merged)
		if !ok {
			r.Conflict, r.Work = conflict, merged
			return nil, conflict
		}
		r.Resolutions = append(r.Resolutions, used...)
		merged = files
		c = later(func() (Carried, error) {
			rp := ms.rewrite(p, theirs, files, Resolved, date)
			rp.Recorded = true
			return rp, ms.verifyOne(theirs, rp, files)
		})
	} else {
		c = later(func() (Carried, error) {
			rp, verified := ms.carry(p, theirs, merged, <-onto, date)
			if verified {
				return rp, nil
			}
			return rp, ms.verifyOne(theirs, rp, merged)
		})
	}
	r.base, r.theirs = ours, merged
	return c, nil
}

// touched lists the files a patch changes, in its order, each once.
func touched(p *patch.Patch) []string {
	var out []string
	for _, f := range p.Files {
		if !slices.Contains(out, f.NewName) {
			out = append(out, f.NewName)
		}
	}
	return out
}

// merge merges each file p touches; the result holds every file.
func (r *Rebase) merge(p *patch.Patch, ours map[string][]byte) (map[string][]byte, *ConflictError) {
	merged := maps.Clone(r.theirs)
	var ce *ConflictError
	for _, n := range touched(p) {
		if bytes.Equal(r.base[n], r.theirs[n]) {
			merged[n] = ours[n]
			continue
		}
		m, cs := r.mergers.merge(n, r.base[n], ours[n], r.theirs[n])
		merged[n] = m
		if len(cs) > 0 {
			if ce == nil {
				ce = &ConflictError{Patch: p.Name}
			}
			ce.Files = append(ce.Files, FileConflict{File: n, Conflicts: cs})
		}
	}
	return merged, ce
}

// carry turns a merged patch into the patch of the new series: the old
// one when it applies to theirs as it is (onto: how it applied), else one
// rewritten against theirs. verified is set for the old one: its text,
// which onto applied to theirs at every stated line, giving merged.
func (ms mergers) carry(p *patch.Patch, theirs, merged map[string][]byte, onto applied, date string) (rp Carried, verified bool) {
	applies := onto.err == nil && sameFiles(onto.files, merged)
	if applies && !moved(onto.res.Hunks) {
		return Carried{Name: p.Name, Status: Clean, Raw: p.Raw, Hunks: onto.res.Hunks}, true
	}
	rp = ms.rewrite(p, theirs, merged, Merged, date)
	if applies && rp.Raw != nil {
		rp.Status, rp.Hunks = Moved, onto.res.Hunks
	}
	return rp, false
}

func moved(hunks []patch.HunkResult) bool {
	for _, h := range hunks {
		if h.Offset != 0 || h.Fuzz != 0 {
			return true
		}
	}
	return false
}

func sameFiles(a, b map[string][]byte) bool {
	return maps.EqualFunc(a, b, bytes.Equal)
}

// rewrite writes p's header and the diff from theirs to files: for the
// files p touches, in its order, then any other file that differs.
func (ms mergers) rewrite(p *patch.Patch, theirs, files map[string][]byte, status Status, date string) Carried {
	raw := ms.rewritten(p, theirs, files, date)
	if raw == nil {
		return Carried{Name: p.Name, Status: Dropped}
	}
	return Carried{Name: p.Name, Status: status, Raw: raw}
}

// rewritten is p's header and the diff from files to to, with Last-Update
// set to date unless it is ""; nil when the files are the same.
func (ms mergers) rewritten(p *patch.Patch, from, to map[string][]byte, date string) []byte {
	names := touched(p)
	for _, n := range bucardo.Names {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var diff []byte
	for _, n := range names {
		if bytes.Equal(from[n], to[n]) {
			continue // Diff would be empty, after splitting and aligning both
		}
		diff = append(diff, ms.diff(n, from[n], to[n])...)
	}
	if len(diff) == 0 {
		return nil
	}
	raw := append([]byte(p.Header.Raw), diff...)
	if date != "" {
		raw = patch.SetLastUpdate(raw, date)
	}
	return raw
}

// advance records a carried patch, verified, and moves base and theirs
// past it, to ours and files.
func (r *Rebase) advance(ours, files map[string][]byte, rp Carried) {
	r.record(rp, r.mergers.verifyOne(r.theirs, rp, files))
	r.base, r.theirs = ours, files
}

// record appends rp to Done; err is its verification's.
func (r *Rebase) record(rp Carried, err error) {
	if r.verifyErr == nil && r.verified == len(r.Done) {
		if err != nil {
			r.verifyErr = err
		} else {
			r.verified++
		}
	}
	r.Done = append(r.Done, rp)
}

// verifyOne checks that rp, parsed from its text, applies to files at
// every stated line and gives want (a dropped patch: that files are want).
func (ms mergers) verifyOne(files map[string][]byte, rp Carried, want map[string][]byte) error {
	got, err := applyExact(files, []Carried{rp}, ms.options())
	if err != nil {
		return err
	}
	for _, n := range bucardo.Names {
		if !bytes.Equal(got[n], want[n]) {
			return &VerifyError{Patch: rp.Name, Reason: fmt.Sprintf("%q differs from the merged file", n)}
		}
	}
	return nil
}

// Resolve takes the files of the conflicted patch as resolved by hand
// (every file of bucardo.Names; those the patch does not need may be the ones in
// Work unchanged) and records the patch as their diff from the new files.
// A conflict marker left in a file is a *MarkerError.
func (r *Rebase) Resolve(files map[string][]byte) error {
	if r.Conflict == nil {
		return errors.New("resolving: no conflict to resolve")
	}
	if err := r.prepare(); err != nil {
		return err
	}
	resolved := maps.Clone(r.theirs)
	for _, n := range bucardo.Names {
		if files[n] == nil {
			return fmt.Errorf("resolving: %q missing", n)
		}
		if err := checkMarkers(n, files[n], r.theirs[n]); err != nil {
			return err
		}
		resolved[n] = files[n]
	}
	p := r.Series.Patches[len(r.Done)]
	ours, _, err := patch.ApplyOne(r.base, p, forked)
	if err != nil {
		return fmt.Errorf("resolving: %w", err)
	}
	rp := r.mergers.rewrite(p, r.theirs, resolved, Resolved, r.Date)
	merged, _ := r.merge(p, ours)
	if used, ok := record(r.Conflict, merged, resolved); ok {
		r.Resolutions = append(r.Resolutions, used...)
	} else {
		rp.Unrecorded = true
	}
	r.advance(ours, resolved, rp)
	r.Conflict, r.Work = nil, nil
	return nil
}

// checkMarkers refuses a file with more conflict marker lines than the
// new file had: any "<<<<<<<", "|||||||" or ">>>>>>>" line, or "=======".
func checkMarkers(name string, text, theirs []byte) error {
	had := map[string]int{}
	for _, l := range strings.SplitAfter(string(theirs), "\n") {
		if k := markerKind(l); k != "" {
			had[k]++
		}
	}
	for i, l := range strings.SplitAfter(string(text), "\n") {
		k := markerKind(l)
		if k == "" {
			continue
		}
		if had[k] > 0 {
			had[k]--
			continue
		}
		return &MarkerError{File: name, Line: i + 1, Text: strings.TrimRight(l, "\n")}
	}
	return nil
}

func markerKind(line string) string {
	line = strings.TrimRight(line, "\r\n")
	if line == patch.MarkerSep {
		return line
	}
	for _, m := range []string{"<<<<<<<", "|||||||", ">>>>>>>"} {
		if line == m || strings.HasPrefix(line, m+" ") {
			return m
		}
	}
	return ""
}

// VerifyError reports a carried series that does not apply exactly to the
// new files, or does not give the merged result: a bug in bcfork.
type VerifyError struct {
	Patch  string
	Reason string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("the rebased series does not re-apply exactly: patch %q: %s", e.Patch, e.Reason)
}

// Verify applies the carried series to the new files afresh, parsing each
// patch from its text, and checks that every hunk goes at its stated line
// and that the result is the merged files. Each patch is checked so once:
// when it is carried (or, for those Load read, when Run or Resolve starts);
// Verify reports the first that failed, and applies the whole series
// again only if some patch was not checked.
func (r *Rebase) Verify() error {
	if !r.Finished() {
		return errors.New("verifying: the rebase is not finished")
	}
	if err := r.prepare(); err != nil {
		return err
	}
	if r.verifyErr != nil {
		return r.verifyErr
	}
	if r.verified == len(r.Done) {
		return nil
	}
	got, err := applyExact(r.New, r.Done, forked)
	if err != nil {
		return err
	}
	for _, n := range bucardo.Names {
		if !bytes.Equal(got[n], r.theirs[n]) {
			return &VerifyError{Patch: "(all)", Reason: fmt.Sprintf("%q differs from the merged file", n)}
		}
	}
	return nil
}

// applyExact applies the carried patches to files, parsed from their
// text, and refuses any hunk that does not go at its stated line. opt
// is forked, or ms.options().
func applyExact(files map[string][]byte, done []Carried, opt patch.ApplyOptions) (map[string][]byte, error) {
	for _, rp := range done {
		if rp.Raw == nil {
			continue
		}
		p, err := patch.Parse(rp.Name, rp.Raw)
		if err != nil {
			return nil, &VerifyError{Patch: rp.Name, Reason: err.Error()}
		}
		next, res, err := patch.ApplyOne(files, p, opt)
		if err != nil {
			return nil, &VerifyError{Patch: rp.Name, Reason: err.Error()}
		}
		for _, h := range res.Hunks {
			if h.Offset != 0 || h.Fuzz != 0 {
				return nil, &VerifyError{Patch: rp.Name, Reason: fmt.Sprintf("%s %s applies at offset %+d", h.File, h.Header, h.Offset)}
			}
		}
		files = next
	}
	return files, nil
}

// Files returns the new series folder, but for its checksums: the series
// file (dropped patches commented out), the carried patches and Extra.
//
// With From and Onto set, the series file's comments name Onto's version
// instead of From's and say where the series was carried from, and
// README.md is written anew to say so. A patch that differs from its copy
// in Previous only in Last-Update is that copy. The resolutions used are
// written to ResolutionsName.
func (r *Rebase) Files() map[string][]byte {
	out := maps.Clone(r.Extra)
	if out == nil {
		out = map[string][]byte{}
	}
	delete(out, ResolutionsName)
	var dropped []string
	for _, rp := range r.Done {
		if rp.Raw == nil {
			dropped = append(dropped, rp.Name)
			continue
		}
		out[rp.Name] = keepDate(rp.Raw, r.Previous[rp.Name])
	}
	out[patch.SeriesName] = r.seriesText(dropped)
	if r.labelled() {
		out[patch.SeriesName] = r.nameSeries(out[patch.SeriesName])
		out[ReadmeName] = r.readme()
	}
	if len(r.Resolutions) > 0 {
		out[ResolutionsName] = FormatResolutions(r.Resolutions)
	}
	return out
}

// seriesText returns the series file with the dropped patches' lines
// commented out.
func (r *Rebase) seriesText(dropped []string) []byte {
	if r.SeriesFile == nil {
		var b strings.Builder
		for _, p := range r.Series.Patches {
			b.WriteString(p.Name + "\n")
		}
		return commentOut([]byte(b.String()), dropped)
	}
	return commentOut(r.SeriesFile, dropped)
}

func commentOut(text []byte, names []string) []byte {
	lines := strings.SplitAfter(string(text), "\n")
	for i, l := range lines {
		if n := patch.ListedName(strings.TrimRight(l, "\n")); n != "" && slices.Contains(names, n) {
			nl := l[len(strings.TrimRight(l, "\n")):]
			lines[i] = "# " + strings.TrimRight(l, "\n") + "  (dropped: the new files have its changes)" + nl
		}
	}
	return []byte(strings.Join(lines, ""))
}

// StateName is the file in a rebase work folder that records where
// the rebase is.
const StateName = "rebase.json"

// Folders of a rebase work folder.
const (
	workOld    = "old"        // old pristine files
	workNew    = "new"        // new pristine files
	workSeries = "old-series" // the series being carried, as read
	workExtra  = "extra"      // Extra
	workDone   = "done"       // the patches carried so far
)

// state is rebase.json.
type state struct {
	Format      int               `json:"format"`
	Meta        map[string]string `json:"meta,omitempty"`
	Series      []string          `json:"series"`
	Extra       []string          `json:"extra,omitempty"`
	Done        []doneState       `json:"done"`
	Conflict    *ConflictError    `json:"conflict,omitempty"`
	From        Label             `json:"from"`
	Onto        Label             `json:"onto"`
	Resolutions []Resolution      `json:"resolutions,omitempty"` // used so far
}

type doneState struct {
	Name       string             `json:"name"`
	Status     Status             `json:"status"`
	Hunks      []patch.HunkResult `json:"hunks,omitempty"`
	Recorded   bool               `json:"recorded,omitempty"`
	Unrecorded bool               `json:"unrecorded,omitempty"`
}

const stateFormat = 1

// Save writes the rebase to the work folder dir, replacing it as a whole:
// rebase.json, the pristine files under old/ and new/, the series under
// old-series/, Extra under extra/, the carried patches under done/ and,
// when stopped at a conflict, the files of Work at the top, to be edited.
func (r *Rebase) Save(dir string) error {
	files, err := r.workFiles()
	if err != nil {
		return err
	}
	return writeFolder(dir, files, true)
}

func (r *Rebase) workFiles() (map[string][]byte, error) {
	st := state{Format: stateFormat, Meta: r.Meta, Conflict: r.Conflict, Series: []string{}, Done: []doneState{},
		From: r.From, Onto: r.Onto, Resolutions: r.Resolutions}
	files := map[string][]byte{}
	for _, n := range bucardo.Names {
		files[filepath.Join(workOld, n)] = r.Old[n]
		files[filepath.Join(workNew, n)] = r.New[n]
		if r.Conflict != nil {
			files[n] = r.Work[n]
		}
	}
	files[filepath.Join(workSeries, patch.SeriesName)] = r.seriesText(nil)
	for _, p := range r.Series.Patches {
		st.Series = append(st.Series, p.Name)
		files[filepath.Join(workSeries, p.Name)] = p.Raw
	}
	for _, n := range slices.Sorted(maps.Keys(r.Extra)) {
		if !plainName(n) {
			return nil, fmt.Errorf("saving rebase: extra file %q: not a plain file name", n)
		}
		st.Extra = append(st.Extra, n)
		files[filepath.Join(workExtra, n)] = r.Extra[n]
	}
	for _, rp := range r.Done {
		st.Done = append(st.Done, doneState{Name: rp.Name, Status: rp.Status, Hunks: rp.Hunks, Recorded: rp.Recorded, Unrecorded: rp.Unrecorded})
		if rp.Raw != nil {
			files[filepath.Join(workDone, rp.Name)] = rp.Raw
		}
	}
	js, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("saving rebase: %w", err)
	}
	files[StateName] = append(js, '\n')
	return files, nil
}

func plainName(n string) bool {
	return n != "" && n != "." && n != ".." && !strings.ContainsAny(n, `/\`) && n != StateName
}

// Load reads a rebase saved in the work folder dir. When it stopped
// at a conflict, Work holds the files at the top of dir as they are now,
// edited or not: pass them to Resolve.
func Load(dir string) (*Rebase, error) {
	data, err := os.ReadFile(filepath.Join(dir, StateName))
	if err != nil {
		return nil, fmt.Errorf("reading rebase: %w", err)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("reading %q: %w", filepath.Join(dir, StateName), err)
	}
	if st.Format != stateFormat {
		return nil, fmt.Errorf("reading %q: format %d, want %d", filepath.Join(dir, StateName), st.Format, stateFormat)
	}
	r := &Rebase{Meta: st.Meta, Conflict: st.Conflict, From: st.From, Onto: st.Onto, Resolutions: st.Resolutions}
	if err := r.loadSeries(dir, st); err != nil {
		return nil, err
	}
	if err := r.loadFiles(dir, st); err != nil {
		return nil, err
	}
	return r, r.loadDone(dir, st)
}

func (r *Rebase) loadSeries(dir string, st state) error {
	sdir := filepath.Join(dir, workSeries)
	s, err := patch.ReadSeries(os.DirFS(sdir), ".")
	if err != nil {
		return fmt.Errorf("reading rebase: %w", err)
	}
	var names []string
	for _, p := range s.Patches {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, st.Series) {
		return fmt.Errorf("reading rebase: %q lists %q, %s says %q", sdir, names, StateName, st.Series)
	}
	r.Series = s
	r.SeriesFile, err = os.ReadFile(filepath.Join(sdir, patch.SeriesName))
	return err
}

func (r *Rebase) loadFiles(dir string, st state) error {
	var err error
	if r.Old, err = readNames(filepath.Join(dir, workOld), bucardo.Names); err != nil {
		return err
	}
	if r.New, err = readNames(filepath.Join(dir, workNew), bucardo.Names); err != nil {
		return err
	}
	for _, n := range st.Extra {
		if !plainName(n) {
			return fmt.Errorf("reading rebase: extra file %q: not a plain file name", n)
		}
	}
	if r.Extra, err = readNames(filepath.Join(dir, workExtra), st.Extra); err != nil {
		return err
	}
	if r.Conflict != nil {
		r.Work, err = readNames(dir, bucardo.Names)
	}
	return err
}

func (r *Rebase) loadDone(dir string, st state) error {
	if len(st.Done) > len(r.Series.Patches) {
		return fmt.Errorf("reading rebase: %d patches carried of %d", len(st.Done), len(r.Series.Patches))
	}
	for i, d := range st.Done {
		if d.Name != r.Series.Patches[i].Name {
			return fmt.Errorf("reading rebase: patch %d is %q, not %q", i+1, d.Name, r.Series.Patches[i].Name)
		}
		rp := Carried{Name: d.Name, Status: d.Status, Hunks: d.Hunks, Recorded: d.Recorded, Unrecorded: d.Unrecorded}
		if d.Status != Dropped {
			raw, err := os.ReadFile(filepath.Join(dir, workDone, d.Name))
			if err != nil {
				return fmt.Errorf("reading rebase: %w", err)
			}
			rp.Raw = raw
		}
		r.Done = append(r.Done, rp)
	}
	return nil
}

func readNames(dir string, names []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("reading rebase: %w", err)
		}
		out[n] = b
	}
	return out, nil
}

// WriteSeries writes a series folder dir holding files (plain names, mode
// 0644) atomically: it is built in a temporary sibling folder and renamed
// into place. An existing dir is replaced only when force is set. Each
// file is synced from the descriptor that wrote it, while the next ones
// are written (atomicfile.WriteFolder).
func WriteSeries(dir string, files map[string][]byte, force bool) error {
	for n := range files {
		if !plainName(n) {
			return fmt.Errorf("writing series: %q: not a plain file name", n)
		}
	}
	return atomicfile.WriteFolder(dir, force, func(d *atomicfile.Folder) error {
		for _, n := range slices.Sorted(maps.Keys(files)) {
			if err := d.Create(n, files[n], 0o644); err != nil {
				return fmt.Errorf("writing %q: %w", dir, err)
			}
		}
		return nil
	})
}

// writeFolder writes files (relative paths) into a fresh folder that
// then replaces dir.
func writeFolder(dir string, files map[string][]byte, force bool) error {
	return atomicfile.WriteDir(dir, force, func(tmp string) error { return writeTree(tmp, files) })
}

func writeTree(dir string, files map[string][]byte) error {
	for _, n := range slices.Sorted(maps.Keys(files)) {
		sub := filepath.Dir(filepath.Join(dir, n))
		if _, err := atomicfile.MkdirAll(sub, 0o755); err != nil {
			return fmt.Errorf("writing %q: %w", dir, err)
		}
		if err := atomicfile.WriteNew(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return fmt.Errorf("writing %q: %w", dir, err)
		}
	}
	return nil
}

// RemoveWork removes the rebase work folder dir, after checking that it
// is one (it holds rebase.json).
func RemoveWork(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, StateName)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %q: %w: no rebase in progress there", dir, err)
		}
		return fmt.Errorf("removing %q: %w", dir, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %q: %w", dir, err)
	}
	return nil
}
