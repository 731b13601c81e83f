package patch

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// ApplyOptions tunes Apply and ApplyOne.
type ApplyOptions struct {
	// Fuzz is the most context lines a hunk may ignore at each end (as
	// GNU patch --fuzz). 0, the default (or less), applies only exact
	// context.
	Fuzz int
	// Allowed lists the file names patches may touch; nil means any of
	// the files given.
	Allowed []string
	// Known, when set, gives a file's Merger: a text of that file the
	// Merger knows (see Merger) is not split into lines again to be
	// patched. The result is the same.
	Known map[string]*Merger
}

func (o ApplyOptions) allowed(name string) bool {
	return o.Allowed == nil || slices.Contains(o.Allowed, name)
}

// split returns the lines of data, file name's text: as its Merger knows
// them, else split now.
func (o ApplyOptions) split(name string, data []byte) lineText {
	if mg := o.Known[name]; mg != nil {
		if t, ok := mg.lines(data); ok {
			return t
		}
	}
	return splitText(data)
}

// Result records how one patch of a series applied.
type Result struct {
	Name  string       `json:"name"`
	Hunks []HunkResult `json:"hunks"`
}

// HunkResult records where one hunk applied.
type HunkResult struct {
	File   string `json:"file"`
	Header string `json:"header"` // the @@ line
	Offset int    `json:"offset"` // lines from the stated position, + is later in the file
	Fuzz   int    `json:"fuzz"`   // context lines ignored (0 unless fuzz was asked for)
}

// ApplyError reports a hunk that does not apply.
type ApplyError struct {
	Patch  string // patch name
	File   string
	Hunk   int    // 1-based number of the hunk within the file's diff
	Hunks  int    // number of hunks in the file's diff
	Header string // the hunk's @@ line
	// Line is the 1-based line of the file where the first expected line
	// that differs should be: at Nearest when set, else at the hunk's
	// stated position (after earlier hunks' offset).
	Line int
	Want string // that expected line, without its newline
	Got  string // what the file has there, without its newline
	EOF  bool   // the file ends before Line
	// Nearest is the 1-based line where most of the hunk's old lines
	// (context and removed) match, nearest the stated position; 0 when no
	// place matches more than half of them.
	Nearest        int
	NearestMatched int
	NearestTotal   int
	// Reason, when set, replaces Line, Want, Got and Nearest: the hunk
	// cannot be in the file at all (it inserts past the end, or needs
	// more lines than the file has), or its old lines do match, but not
	// where the hunk may go.
	Reason string
}

func (e *ApplyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "patch %q does not apply to %q: hunk #%d of %d failed: %s", e.Patch, e.File, e.Hunk, e.Hunks, e.Header)
	if e.Reason != "" {
		fmt.Fprintf(&b, "\n  %s", e.Reason)
		return b.String()
	}
	got := strconv.Quote(e.Got)
	if e.EOF {
		got = "end of file"
	}
	fmt.Fprintf(&b, "\n  line %d: expected %s\n  %*s  found    %s", e.Line, strconv.Quote(e.Want), len(strconv.Itoa(e.Line))+5, "", got)
	if e.Nearest > 0 {
		fmt.Fprintf(&b, "\n  nearest partial match: line %d (%d of %d lines match)", e.Nearest, e.NearestMatched, e.NearestTotal)
	} else {
		b.WriteString("\n  no place in the file matches most of the hunk")
	}
	return b.String()
}

// Apply applies every patch of s, in order, to files (name → content, never
// modified) and returns the new files and how each patch applied. It is
// all or nothing: on an error the map is nil; the results then cover the
// patches that applied before the one that failed. An error is an
// *ApplyError for a hunk that does not apply, else a *RejectError.
func Apply(files map[string][]byte, s *Series, opt ApplyOptions) (map[string][]byte, []Result, error) {
	o, err := ApplySeries(files, s, opt)
	if err != nil {
		return nil, o.Results, err
	}
	return o.Files, o.Results, nil
}

// Outcome is what ApplySeries gives.
type Outcome struct {
	Files   map[string][]byte // the new files; nil after an error
	Results []Result          // how each patch applied (on an error, those before it)
	Changes map[string]Change // for each file the series changed
}

// Change counts the lines a series adds to a file and removes from it, as
// a diffstat does.
type Change struct{ Added, Removed int }

// ApplySeries is Apply, which it serves, and also counts the lines the
// series adds and removes per file: each file is split into lines once,
// patched by every patch in turn and joined once, and the counts come from
// diffing only the regions the hunks changed, never the whole file. They
// equal a whole-file line diff's (git diff --numstat) unless the changes
// moved lines across lines the hunks kept as context.
func ApplySeries(files map[string][]byte, s *Series, opt ApplyOptions) (*Outcome, error) {
	o := &Outcome{Results: []Result{}}
	texts := map[string]*patched{}
	for _, p := range s.Patches {
		res, err := applyPatch(files, texts, p, opt)
		if err != nil {
			return o, err
		}
		o.Results = append(o.Results, res)
	}
	o.Files, o.Changes = maps.Clone(files), map[string]Change{}
	for name, t := range texts {
		o.Files[name] = t.join()
		o.Changes[name] = t.change()
	}
	return o, nil
}

// ApplyOne applies one patch to files (never modified), all or nothing.
func ApplyOne(files map[string][]byte, p *Patch, opt ApplyOptions) (map[string][]byte, Result, error) {
	texts := map[string]*patched{}
	res, err := applyPatch(files, texts, p, opt)
	if err != nil {
		return nil, Result{}, err
	}
	out := maps.Clone(files)
	for name, t := range texts {
		out[name] = t.join()
	}
	return out, res, nil
}

// A Sequence applies patches one after the other to files, as ApplyOne
// applied to each one's result would, but keeps each file split and
// patched between them, as ApplySeries does: a file is split once, the
// first time a patch touches it, and joined after each patch that does.
// The lines of a file it joins go to the file's Merger in opt.Known, if
// any, which then need not split that text to merge it.
type Sequence struct {
	files map[string][]byte
	texts map[string]*patched
	opt   ApplyOptions
}

// NewSequence starts a Sequence on files (never modified).
func NewSequence(files map[string][]byte, opt ApplyOptions) *Sequence {
	return &Sequence{files: files, texts: map[string]*patched{}, opt: opt}
}

// Apply applies p to the files the patches before it gave, all or
// nothing, as ApplyOne does. After an error the Sequence must not be used
// again.
func (s *Sequence) Apply(p *Patch) (map[string][]byte, Result, error) {
	res, err := applyPatch(s.files, s.texts, p, s.opt)
	if err != nil {
		s.files, s.texts = nil, nil
		return nil, Result{}, err
	}
	out := maps.Clone(s.files)
	var joined []string
	for _, f := range p.Files {
		if !slices.Contains(joined, f.NewName) {
			joined = append(joined, f.NewName)
			out[f.NewName] = s.join(f.NewName)
		}
	}
	s.files = out
	return out, res, nil
}

// join joins file name, and gives its lines to the file's Merger if any.
func (s *Sequence) join(name string) []byte {
	mg := s.opt.Known[name]
	if mg == nil {
		return s.texts[name].join()
	}
	out, at := s.texts[name].joinSplit()
	if at != nil {
		mg.learn(lineText{data: out, at: at})
	}
	return out
}

// applyPatch applies p to texts, the files already split (a file of files
// is split the first time a patch touches it). On an error, texts may hold
// a part of p's changes.
func applyPatch(files map[string][]byte, texts map[string]*patched, p *Patch, opt ApplyOptions) (Result, error) {
	res := Result{Name: p.Name, Hunks: []HunkResult{}}
	for _, f := range p.Files {
		content, ok := files[f.NewName]
		if !opt.allowed(f.NewName) || !ok {
			reason := "not a file the series may change"
			if opt.allowed(f.NewName) {
				reason = "no such file to patch"
			}
			return Result{}, &RejectError{Patch: p.Name, File: f.NewName, Reason: reason}
		}
		t := texts[f.NewName]
		if t == nil {
			t = newPatched(opt.split(f.NewName, content))
			texts[f.NewName] = t
		}
		a := &applier{in: t, out: t.next(len(t.lines) + growth(f)), patch: p.Name, file: f, fuzz: max(opt.Fuzz, 0)}
		if err := a.apply(); err != nil {
			return Result{}, err
		}
		texts[f.NewName] = a.out
		t.spare, a.out.spare = nil, t // t's room, for the next patch but one
		res.Hunks = append(res.Hunks, a.results...)
	}
	return res, nil
}

// Reverse returns the patch that undoes p: applying it to a file that
// already has p's changes gives the file back without them. Its Raw is nil.
func Reverse(p *Patch) *Patch {
	r := &Patch{Name: p.Name, Header: p.Header}
	for _, f := range p.Files {
		rf := *f
		rf.OldName, rf.NewName = f.NewName, f.OldName
		rf.OldMode, rf.NewMode = f.NewMode, f.OldMode
		rf.TextFragments = nil
		for _, frag := range f.TextFragments {
			rf.TextFragments = append(rf.TextFragments, reverseFragment(frag))
		}
		r.Files = append(r.Files, &rf)
	}
	return r
}

func reverseFragment(frag *gitdiff.TextFragment) *gitdiff.TextFragment {
	r := *frag
	r.OldPosition, r.NewPosition = frag.NewPosition, frag.OldPosition
	r.OldLines, r.NewLines = frag.NewLines, frag.OldLines
	r.LinesAdded, r.LinesDeleted = frag.LinesDeleted, frag.LinesAdded
	r.Lines = make([]gitdiff.Line, len(frag.Lines))
	for i, l := range frag.Lines {
		switch l.Op {
		case gitdiff.OpAdd:
			l.Op = gitdiff.OpDelete
		case gitdiff.OpDelete:
			l.Op = gitdiff.OpAdd
		}
		r.Lines[i] = l
	}
	return &r
}

// growth returns how many lines f's hunks add to the file, at least 0.
func growth(f *gitdiff.File) int {
	n := int64(0)
	for _, frag := range f.TextFragments {
		n += frag.NewLines - frag.OldLines
	}
	return int(max(n, 0))
}

// patched is a file being patched: its lines, each a line id: i >= 0 is
// line i of the file as given (the pristine line), -k-1 is the k-th line
// patches added. Four bytes a line and no pointer for the garbage
// collector to scan; the pristine line a line is (for the diffstat) is
// its id.
type patched struct {
	f     *sources
	lines []int32
	spare *patched // an earlier state whose room the next patch may reuse
}

// sources holds the texts a file's lines come from: the file as given
// (never modified), split, and the lines patches added to it.
type sources struct {
	text    lineText
	added   []byte
	addedAt []int32 // added line k is added[addedAt[k]:addedAt[k+1]]
}

func (f *sources) bytes(id int32) []byte {
	if id >= 0 {
		return f.text.line(int(id))
	}
	k := -id - 1
	return f.added[f.addedAt[k]:f.addedAt[k+1]]
}

// add appends a line to the added lines and returns its id.
func (f *sources) add(line string) int32 {
	if len(f.added)+len(line) > maxText || len(f.addedAt) > maxText-1 {
		panic("patch: added lines over 2 GiB")
	}
	f.added = append(f.added, line...)
	f.addedAt = append(f.addedAt, int32(len(f.added)))
	return -int32(len(f.addedAt) - 1)
}

// newPatched starts patching text, which it never modifies.
func newPatched(text lineText) *patched {
	f := &sources{text: text, addedAt: []int32{0}}
	lines := make([]int32, f.text.len())
	for i := range lines {
		lines[i] = int32(i)
	}
	return &patched{f: f, lines: lines}
}

// line returns the text of line i.
func (t *patched) line(i int) []byte { return t.f.bytes(t.lines[i]) }

// join returns the file's text: runs of lines that follow each other in
// the same text (ids i, i+1 or -k-1, -k-2) are copied at once.
func (t *patched) join() []byte {
	n := 0
	for _, id := range t.lines {
		n += len(t.f.bytes(id))
	}
	out := make([]byte, 0, n)
	f := t.f
	for i := 0; i < len(t.lines); {
		first := t.lines[i]
		last := first
		for i++; i < len(t.lines); i++ {
			if next := t.lines[i]; last >= 0 && next == last+1 || last < 0 && next == last-1 {
				last = next
				continue
			}
			break
		}
		if first >= 0 {
			out = append(out, f.text.slice(int(first), int(last)+1)...)
		} else {
			out = append(out, f.added[f.addedAt[-first-1]:f.addedAt[-last]]...)
		}
	}
	return out
}

// joinSplit is join, and also the lines of the text as splitText would
// give them; at is nil when they are not t's lines (a line other than
// the last without a newline, or an empty one).
func (t *patched) joinSplit() (out []byte, at []int32) {
	out = t.join()
	if len(out) > maxText {
		return out, nil
	}
	at = make([]int32, 1, len(t.lines)+1)
	end := int32(0)
	for i, id := range t.lines {
		l := t.f.bytes(id)
		if len(l) == 0 || i < len(t.lines)-1 && l[len(l)-1] != '\n' {
			return out, nil
		}
		end += int32(len(l))
		at = append(at, end)
	}
	return out, at
}

// next returns an empty patched with room for n lines: t's spare when it
// has the room, so that a series does not allocate (and fault in) a
// file's worth of memory for every patch.
func (t *patched) next(n int) *patched {
	if s := t.spare; s != nil && cap(s.lines) >= n {
		t.spare = nil
		return &patched{f: t.f, lines: s.lines[:0]}
	}
	// Room for later patches to add lines too, so that the state two
	// patches on can reuse it.
	n += n/16 + 64
	return &patched{f: t.f, lines: make([]int32, 0, n)}
}

// copyFrom appends lines [from, to) of src.
func (t *patched) copyFrom(src *patched, from, to int) {
	t.lines = append(t.lines, src.lines[from:to]...)
}

// change counts the lines added and removed between the pristine lines
// and t. The pristine lines t kept are common to both, in order: only the
// regions between runs of at least keptRun kept lines are diffed, shorter
// runs (a hunk's context between its changes) with them, so that the diff
// may align their lines otherwise.
func (t *patched) change() Change {
	var c Change
	var cc *counter
	p, f := 0, 0 // the first pristine line and line of t of the region
	for _, r := range t.keptRuns() {
		if r.o > p || r.i > f {
			if cc == nil {
				cc = newCounter(t.f)
			}
			added, removed := cc.count(p, r.o, t.lines[f:r.i])
			c.Added, c.Removed = c.Added+added, c.Removed+removed
		}
		p, f = r.o+r.n, r.i+r.n
	}
	return c
}

// counter counts the lines a line diff adds and removes between ranges
// of pristine lines and lists of lines of one file, with one numbering of
// lines for all of them.
type counter struct {
	f   *sources
	in  *interner
	al  aligner
	ids []int32
}

func newCounter(f *sources) *counter {
	c := &counter{f: f, in: newInterner(256)}
	c.in.source(f.text.data)
	c.in.source(f.added)
	return c
}

// count diffs pristine lines [from, to) with lines.
func (c *counter) count(from, to int, lines []int32) (added, removed int) {
	switch {
	case from == to:
		return len(lines), 0
	case len(lines) == 0:
		return 0, to - from
	}
	c.ids = c.ids[:0]
	for id := from; id < to; id++ {
		c.ids = append(c.ids, c.id(int32(id)))
	}
	for _, id := range lines {
		c.ids = append(c.ids, c.id(id))
	}
	n := to - from
	return countOps(opsOf(c.al.main(c.ids[:n], c.ids[n:])))
}

func (c *counter) id(line int32) int32 {
	if line >= 0 {
		return c.in.id(0, c.f.text.at[line], c.f.text.at[line+1])
	}
	k := -line - 1
	return c.in.id(1, c.f.addedAt[k], c.f.addedAt[k+1])
}

// keptRun is the fewest lines kept in a row that bound a region change diffs.
const keptRun = 2*diffContext + 2

// run is n lines kept in a row: pristine lines [o, o+n) are lines[i:i+n].
type run struct{ o, i, n int }

// keptRuns lists the runs of at least keptRun kept lines, and an empty run
// after the last lines.
func (t *patched) keptRuns() []run {
	var runs []run
	cur := run{o: -1}
	flush := func() {
		if cur.n >= keptRun {
			runs = append(runs, cur)
		}
	}
	for i, o := range t.lines {
		switch {
		case o >= 0 && cur.n > 0 && int(o) == cur.o+cur.n && i == cur.i+cur.n:
			cur.n++
		case o >= 0:
			flush()
			cur = run{o: int(o), i: i, n: 1}
		default:
			flush()
			cur = run{o: -1}
		}
	}
	flush()
	return append(runs, run{o: t.f.text.len(), i: len(t.lines)})
}

// applier applies the hunks of one file's diff to that file's lines.
type applier struct {
	in      *patched
	out     *patched
	patch   string
	file    *gitdiff.File
	fuzz    int
	cursor  int // lines of in before it are consumed
	offset  int // where the last hunk went, relative to where it said
	results []HunkResult
}

// hunk is one fragment as lines to find and lines to put instead.
type hunk struct {
	num, of     int
	header      string
	old, new    []string
	kept        []int // for each new line, the index of the old line it is (context), or -1
	lead, trail int   // context lines before the first and after the last change
	start       int   // 0-based index of the first old line, as stated
	eof         bool  // a side lacks its final newline: must end the file
}

// newHunk makes frag's hunk, in the room of prev's lines (a hunk is done
// with before the next one is made).
func newHunk(frag *gitdiff.TextFragment, num, of int, prev hunk) hunk {
	h := hunk{num: num, of: of, header: hunkHeader(frag), start: int(statedStart(frag)),
		lead: int(frag.LeadingContext), trail: int(frag.TrailingContext),
		old: prev.old[:0], new: prev.new[:0], kept: prev.kept[:0]}
	for _, l := range frag.Lines {
		if l.New() {
			h.new = append(h.new, l.Line)
			h.kept = append(h.kept, -1)
			if l.Old() {
				h.kept[len(h.kept)-1] = len(h.old)
			}
		}
		if l.Old() {
			h.old = append(h.old, l.Line)
		}
		h.eof = h.eof || !strings.HasSuffix(l.Line, "\n")
	}
	return h
}

// hunkHeader formats frag's @@ line as diff and git do (",1" omitted).
func hunkHeader(frag *gitdiff.TextFragment) string {
	b := make([]byte, 0, 32+len(frag.Comment))
	b = append(b, "@@ -"...)
	b = appendRange(b, frag.OldPosition, frag.OldLines)
	b = append(b, " +"...)
	b = appendRange(b, frag.NewPosition, frag.NewLines)
	b = append(b, " @@"...)
	if frag.Comment != "" {
		b = append(append(b, ' '), frag.Comment...)
	}
	return string(b)
}

func appendRange(b []byte, start, n int64) []byte {
	b = strconv.AppendInt(b, start, 10)
	if n == 1 {
		return b
	}
	return strconv.AppendInt(append(b, ','), n, 10)
}

func (a *applier) apply() error {
	frags := a.file.TextFragments
	var h hunk
	for i, frag := range frags {
		h = newHunk(frag, i+1, len(frags), h)
		if err := a.hunk(h); err != nil {
			return err
		}
	}
	a.out.copyFrom(a.in, a.cursor, len(a.in.lines))
	return nil
}

func (a *applier) hunk(h hunk) error {
	if r := a.misfit(h); r != "" {
		return &ApplyError{Patch: a.patch, File: a.file.NewName, Hunk: h.num, Hunks: h.of, Header: h.header, Reason: r}
	}
	for fuzz := 0; fuzz <= a.fuzz; fuzz++ {
		t := trimFor(h, fuzz)
		if fuzz > 0 && t == trimFor(h, fuzz-1) {
			continue
		}
		if at, ok := a.find(h, t); ok {
			a.put(h, t, at, fuzz)
			return nil
		}
	}
	return a.failure(h)
}

// misfit says why a hunk cannot be in the file wherever it goes, or "":
// it has more old lines than the file, or it has none (so it goes where
// it says, moved by the previous hunk's offset) and that is past the end
// of the file or inside the previous hunk. A hunk that only states a range
// past the end is looked for nearer, like any other.
func (a *applier) misfit(h hunk) string {
	switch at := h.start + a.offset; {
	case len(h.old) > len(a.in.lines):
		return fmt.Sprintf("it needs %d old lines; the file has %d", len(h.old), len(a.in.lines))
	case len(h.old) > 0:
		return ""
	case at > len(a.in.lines):
		return fmt.Sprintf("it inserts after line %d, past the end of the file (%d lines)", at, len(a.in.lines))
	case at < a.cursor: // only for a negative stated line: hunks are in order
		return fmt.Sprintf("it inserts after line %d, before the end of the previous hunk (line %d)", at, a.cursor)
	case h.eof && at != len(a.in.lines):
		return fmt.Sprintf("it adds a last line without a newline, but after line %d of %d", at, len(a.in.lines))
	}
	return ""
}

// trim says which context lines a fuzz level ignores, and where a hunk
// with less context on one side must go: as GNU patch, a hunk with less
// leading than trailing context must start the file, and the reverse.
type trim struct {
	lead, trail            int // context lines ignored at each end
	anchorStart, anchorEnd bool
}

func trimFor(h hunk, fuzz int) trim {
	ctx := max(h.lead, h.trail)
	lead, trail := fuzz+h.lead-ctx, fuzz+h.trail-ctx
	if h.eof {
		trail = min(trail, 0) // the line without a newline is never ignored
	}
	return trim{
		lead: min(max(lead, 0), h.lead), trail: min(max(trail, 0), h.trail),
		anchorStart: lead < 0, anchorEnd: trail < 0 || h.eof,
	}
}

// find returns where the hunk's old lines (less those t ignores) match
// exactly, nearest the stated position moved by the previous hunk's
// offset: +d is tried before -d, so a tie goes to the later place.
func (a *applier) find(h hunk, t trim) (int, bool) {
	old := h.old[t.lead : len(h.old)-t.trail]
	lo, hi := a.cursor, len(a.in.lines)-len(old)
	if t.anchorStart {
		hi = min(hi, 0)
	}
	if t.anchorEnd {
		lo = max(lo, len(a.in.lines)-len(old))
	}
	guess := h.start + t.lead + a.offset
	for d := max(0, guess-hi, lo-guess); guess+d <= hi || guess-d >= lo; d++ {
		for _, at := range []int{guess + d, guess - d} {
			if at >= lo && at <= hi && a.matchesAt(old, at) {
				return at, true
			}
		}
	}
	return 0, false
}

func (a *applier) matchesAt(old []string, at int) bool {
	for i, l := range old {
		if string(a.in.line(at+i)) != l {
			return false
		}
	}
	return true
}

func (a *applier) put(h hunk, t trim, at, fuzz int) {
	old := h.old[t.lead : len(h.old)-t.trail]
	a.out.copyFrom(a.in, a.cursor, at)
	// With fuzz, the ignored context lines are those at the ends of both sides.
	from, to := t.lead, len(h.new)-t.trail
	// A context line is the file's line it matched; an added line is
	// copied from the hunk.
	for i, k := range h.kept[from:to] {
		if k >= 0 {
			a.out.lines = append(a.out.lines, a.in.lines[at+k-t.lead])
		} else {
			a.out.lines = append(a.out.lines, a.in.f.add(h.new[from+i]))
		}
	}
	a.cursor = at + len(old)
	a.offset = at - (h.start + t.lead)
	a.results = append(a.results, HunkResult{File: a.file.NewName, Header: h.header, Offset: a.offset, Fuzz: fuzz})
}

// failure builds the report for a hunk that found no place.
func (a *applier) failure(h hunk) *ApplyError {
	e := &ApplyError{Patch: a.patch, File: a.file.NewName, Hunk: h.num, Hunks: h.of, Header: h.header, NearestTotal: len(h.old)}
	guess := min(max(h.start+a.offset, 0), len(a.in.lines))
	at, n := a.nearest(h.old, guess)
	if 2*n > len(h.old) {
		e.Nearest, e.NearestMatched = at+1, n
		guess = at
	}
	if n == len(h.old) {
		e.Reason = a.misplaced(h, at)
		return e
	}
	for i, want := range h.old {
		if guess+i >= len(a.in.lines) || string(a.in.line(guess+i)) != want {
			e.Line, e.Want = guess+i+1, strings.TrimSuffix(want, "\n")
			e.EOF = guess+i >= len(a.in.lines)
			if !e.EOF {
				e.Got = strings.TrimSuffix(string(a.in.line(guess+i)), "\n")
			}
			break
		}
	}
	return e
}

// nearest returns the start that matches most of old line by line, and
// how many lines match there; ties go to the start nearest guess.
func (a *applier) nearest(old []string, guess int) (at, best int) {
	bestDist := -1
	for p := 0; p <= max(len(a.in.lines)-len(old), 0); p++ {
		n := 0
		for i, l := range old {
			if p+i < len(a.in.lines) && string(a.in.line(p+i)) == l {
				n++
			}
		}
		dist := abs(p - guess)
		if n > best || n == best && n > 0 && dist < bestDist {
			at, best, bestDist = p, n, dist
		}
	}
	return at, best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// misplaced explains why a hunk whose old lines match at at cannot go there.
func (a *applier) misplaced(h hunk, at int) string {
	t := trimFor(h, a.fuzz)
	switch {
	case at < a.cursor:
		return fmt.Sprintf("its lines match only at line %d, before the end of the previous hunk (line %d)", at+1, a.cursor)
	case t.anchorStart:
		return fmt.Sprintf("its lines match at line %d, but with less context before than after it must start the file", at+1)
	case t.anchorEnd:
		return fmt.Sprintf("its lines match at line %d, but it must end the file", at+1)
	}
	return fmt.Sprintf("its lines match at line %d, where it cannot go", at+1)
}

// Applied reports whether files already have p's changes: the patch that
// undoes p applies to them (at any offset, without fuzz).
func Applied(files map[string][]byte, p *Patch, opt ApplyOptions) bool {
	_, _, err := ApplyOne(files, Reverse(p), ApplyOptions{Allowed: opt.Allowed})
	return err == nil
}
