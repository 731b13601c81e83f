package patch

import (
	"bytes"
	"slices"
	"sync"
)

// Conflict markers written by Merge, each on a line of its own.
const (
	MarkerOurs   = "<<<<<<< ours"
	MarkerBase   = "||||||| base"
	MarkerSep    = "======="
	MarkerTheirs = ">>>>>>> theirs"
)

// Conflict is a region that ours and theirs both changed, differently.
// Starts are 1-based lines; for an empty region, the line it comes before.
type Conflict struct {
	BaseStart, BaseLines     int
	OursStart, OursLines     int
	TheirsStart, TheirsLines int
	MergedStart              int // line of the "<<<<<<< ours" marker in the merged text
}

// Merge merges line texts the way diff3 -m and git merge-file --diff3 do:
// what only one side changed is taken from it, what both changed the same
// way is taken once, and where both changed overlapping or adjacent lines
// differently it writes the ours, base and theirs versions between
// conflict markers and reports a Conflict. A side's line without a final
// newline gets one inside a conflict, so that markers start their lines.
func Merge(base, ours, theirs []byte) (merged []byte, conflicts []Conflict) {
	tb, to, tt := splitText(base), splitText(ours), splitText(theirs)
	in := newInterner(tb.len())
	b := idText{tb, in.ids(tb)}
	m := merge(b, idText{to, in.idsLike(to, tb, b.ids)}, idText{tt, in.idsLike(tt, tb, b.ids)}, false)
	return m.out, m.conflicts
}

// idText is a text split into lines and the lines' ids.
type idText struct {
	t   lineText
	ids []int32
}

// merge merges ours and theirs, whose ids come from base's interner;
// with track it also gives the merged text's lines and their ids when it
// can tell them from the lines it was made of (see merger.add).
func merge(base, ours, theirs idText, track bool) *merger {
	so := script{a: base.t, b: ours.t, ops: align(base.ids, ours.ids)}
	st := script{a: base.t, b: theirs.t, ops: align(base.ids, theirs.ids)}
	m := &merger{base: base, sides: [2]side{{lines: ours, changes: changes(so)}, {lines: theirs, changes: changes(st)}}, track: track}
	n := max(len(ours.t.data)+len(theirs.t.data)-len(base.t.data), 0)
	m.out = make([]byte, 0, n+64)
	if track {
		m.at = make([]int32, 1, max(ours.t.len()+theirs.t.len()-base.t.len(), 0)+2)
	}
	m.run()
	return m
}

// A Merger merges and diffs versions of one file as a rebase does, patch
// after patch, where each merge's ours is the next one's base and its
// result the next one's theirs: it gives what Merge and Diff give, but
// splits and numbers the lines of a text only the first time it sees it,
// and knows the lines of a text it merged without splitting it. It knows
// a text by its slice (where it starts, how long it is), so a text given
// to it or returned by it must not be modified afterwards. It remembers
// the last few texts only. Its methods may be called concurrently. An
// apply given it in ApplyOptions.Known takes a text's lines from it too.
type Merger struct {
	mu    sync.Mutex
	in    *interner
	known []idText   // the most recent last
	split []lineText // texts split elsewhere, not numbered yet (learn)
}

// mergerTexts is how many texts a Merger remembers: a rebase step brings
// two new ones (ours, merged), and the diff of a step may still run
// beside the next two steps' merges.
const mergerTexts = 8

// Merge is Merge(base, ours, theirs).
func (mg *Merger) Merge(base, ours, theirs []byte) (merged []byte, conflicts []Conflict) {
	mg.mu.Lock()
	b := mg.numbered(base, nil)
	o, t := mg.numbered(ours, &b), mg.numbered(theirs, &b)
	mg.mu.Unlock()
	m := merge(b, o, t, true)
	if m.track {
		mg.mu.Lock()
		mg.remember(idText{lineText{data: m.out, at: m.at}, m.ids})
		mg.mu.Unlock()
	}
	return m.out, m.conflicts
}

// Diff is Diff(name, a, b).
func (mg *Merger) Diff(name string, a, b []byte) []byte {
	mg.mu.Lock()
	na, okA := mg.lookup(a)
	nb, okB := mg.lookup(b)
	mg.mu.Unlock()
	if !okA || !okB {
		return Diff(name, a, b)
	}
	return diffScript(name, script{a: na.t, b: nb.t, ops: align(na.ids, nb.ids)})
}

// lines returns the lines of data when it is a known text.
func (mg *Merger) lines(data []byte) (lineText, bool) {
	mg.mu.Lock()
	defer mg.mu.Unlock()
	n, ok := mg.lookup(data)
	return n.t, ok
}

// numbered returns data split and numbered: as known, else split now and
// numbered like like (see idsLike) when like is set. mu is held.
func (mg *Merger) numbered(data []byte, like *idText) idText {
	if n, ok := mg.lookup(data); ok {
		return n
	}
	t, ok := mg.splitOf(data)
	if !ok {
		t = splitText(data)
	}
	if mg.in == nil {
		mg.in = newInterner(t.len())
	}
	n := idText{t: t}
	if like != nil {
		n.ids = mg.in.idsLike(t, like.t, like.ids)
	} else {
		n.ids = mg.in.ids(t)
	}
	mg.remember(n)
	return n
}

// learn gives the Merger the lines of a text split elsewhere (as
// splitText would split it), for a merge to number without splitting it.
// It keeps the last mergerTexts such texts.
func (mg *Merger) learn(t lineText) {
	mg.mu.Lock()
	defer mg.mu.Unlock()
	if len(mg.split) == mergerTexts {
		mg.split = append(mg.split[:0], mg.split[1:]...)
	}
	mg.split = append(mg.split, t)
}

// splitOf returns the lines learnt of data, and forgets them: numbered
// remembers them from then on. mu is held.
func (mg *Merger) splitOf(data []byte) (lineText, bool) {
	for i, t := range mg.split {
		if sameText(t.data, data) {
			mg.split = slices.Delete(mg.split, i, i+1)
			return t, true
		}
	}
	return lineText{}, false
}

// sameText reports whether a and b are the same slice of the same bytes.
func sameText(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// lookup returns the known text that data is. mu is held.
func (mg *Merger) lookup(data []byte) (idText, bool) {
	for i := len(mg.known) - 1; i >= 0; i-- {
		if sameText(mg.known[i].t.data, data) {
			return mg.known[i], true
		}
	}
	return idText{}, false
}

// remember adds n to the known texts, forgetting the oldest beyond
// mergerTexts. mu is held.
func (mg *Merger) remember(n idText) {
	if len(mg.known) == mergerTexts {
		mg.known = append(mg.known[:0], mg.known[1:]...)
	}
	mg.known = append(mg.known, n)
}

// change says base[b0:b1] became side[s0:s1].
type change struct{ b0, b1, s0, s1 int }

// changes lists the runs of changes in s, in base order.
func changes(s script) []change {
	var out []change
	ai, bi := 0, 0
	for i := 0; i < len(s.ops); {
		if s.ops[i] == opKeep {
			i, ai, bi = i+1, ai+1, bi+1
			continue
		}
		c := change{b0: ai, s0: bi}
		for ; i < len(s.ops) && s.ops[i] != opKeep; i++ {
			if s.ops[i] == opDel {
				ai++
			} else {
				bi++
			}
		}
		c.b1, c.s1 = ai, bi
		out = append(out, c)
	}
	return out
}

// side is ours or theirs: its lines, its changes from base, and how far
// Merge has got through them.
type side struct {
	lines   idText
	changes []change
	next    int // first change not yet merged
	delta   int // side line index minus base line index after merged changes
}

type merger struct {
	base      idText
	sides     [2]side // ours, theirs
	out       []byte
	outLines  int // lines in out
	conflicts []Conflict

	// With track set, at and ids are out's lines (as splitText gives
	// them) and their ids. It is cleared when out's lines are no longer
	// its parts' lines: at a conflict, or when a part ending without a
	// newline is followed by more lines.
	track bool
	at    []int32
	ids   []int32
}

// text is lines [from, to) of t.
type text struct {
	t        idText
	from, to int
}

func (x text) len() int { return x.to - x.from }

func (x text) bytes() []byte { return x.t.t.slice(x.from, x.to) }

// add appends x to the output.
func (m *merger) add(x text) {
	if m.track && x.len() > 0 {
		if len(m.out) > 0 && m.out[len(m.out)-1] != '\n' || len(m.out)+len(x.bytes()) > maxText {
			m.track = false
		} else {
			shift := int32(len(m.out)) - x.t.t.at[x.from]
			for _, a := range x.t.t.at[x.from+1 : x.to+1] {
				m.at = append(m.at, a+shift)
			}
			m.ids = append(m.ids, x.t.ids[x.from:x.to]...)
		}
	}
	m.out = append(m.out, x.bytes()...)
	m.outLines += x.len()
}

func (m *merger) run() {
	pos := 0
	for {
		b0, b1, ok := m.nextGroup()
		if !ok {
			break
		}
		m.add(text{m.base, pos, b0})
		m.resolve(b0, b1)
		pos = b1
	}
	m.add(text{m.base, pos, m.base.t.len()})
}

// nextGroup returns the base range of the next changes of either side,
// grown while a change of either side overlaps or touches it.
func (m *merger) nextGroup() (b0, b1 int, ok bool) {
	b0 = -1
	for _, s := range m.sides {
		if s.next < len(s.changes) && (b0 < 0 || s.changes[s.next].b0 < b0) {
			b0 = s.changes[s.next].b0
		}
	}
	if b0 < 0 {
		return 0, 0, false
	}
	b1 = b0
	for grown := true; grown; {
		grown = false
		for _, s := range m.sides {
			for _, c := range s.changes[s.next:] {
				if c.b0 > b1 {
					break
				}
				if c.b1 > b1 {
					b1, grown = c.b1, true
				}
			}
		}
	}
	return b0, b1, true
}

// region returns the lines side s has for base[b0:b1], and marks its
// changes there as merged. changed is false when s left them alone.
func (s *side) region(b0, b1 int) (start int, lines text, changed bool) {
	start, end := b0+s.delta, b1+s.delta
	for ; s.next < len(s.changes) && s.changes[s.next].b0 <= b1; s.next++ {
		c := s.changes[s.next]
		if !changed {
			start = c.s0 - (c.b0 - b0)
		}
		end = c.s1 + (b1 - c.b1)
		s.delta = c.s1 - c.b1
		changed = true
	}
	return start, text{s.lines, start, end}, changed
}

func (m *merger) resolve(b0, b1 int) {
	os, ol, oc := m.sides[0].region(b0, b1)
	ts, tl, tc := m.sides[1].region(b0, b1)
	switch {
	case !tc || ol.len() == tl.len() && bytes.Equal(ol.bytes(), tl.bytes()):
		m.add(ol)
	case !oc:
		m.add(tl)
	default:
		m.conflicts = append(m.conflicts, Conflict{
			BaseStart: b0 + 1, BaseLines: b1 - b0,
			OursStart: os + 1, OursLines: ol.len(),
			TheirsStart: ts + 1, TheirsLines: tl.len(),
			MergedStart: m.outLines + 1,
		})
		m.writeConflict(ol, text{m.base, b0, b1}, tl)
	}
}

func (m *merger) writeConflict(ours, base, theirs text) {
	m.track = false
	m.marker(MarkerOurs)
	m.addTerminated(ours)
	m.marker(MarkerBase)
	m.addTerminated(base)
	m.marker(MarkerSep)
	m.addTerminated(theirs)
	m.marker(MarkerTheirs)
}

func (m *merger) marker(s string) {
	m.out = append(append(m.out, s...), '\n')
	m.outLines++
}

// addTerminated appends x, giving its last line a newline if it lacks one.
func (m *merger) addTerminated(x text) {
	m.add(x)
	if x.len() > 0 && !bytes.HasSuffix(m.out, []byte("\n")) {
		m.out = append(m.out, '\n')
	}
}
