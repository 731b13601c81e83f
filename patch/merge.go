package patch

import "bytes"

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
	ib := in.ids(tb)
	so := script{a: tb, b: to, ops: align(ib, in.idsLike(to, tb, ib))}
	st := script{a: tb, b: tt, ops: align(ib, in.idsLike(tt, tb, ib))}
	m := &merger{base: tb, sides: [2]side{{lines: to, changes: changes(so)}, {lines: tt, changes: changes(st)}}}
	m.out = make([]byte, 0, max(len(ours)+len(theirs)-len(base), 0)+64)
	m.run()
	return m.out, m.conflicts
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
	lines   lineText
	changes []change
	next    int // first change not yet merged
	delta   int // side line index minus base line index after merged changes
}

type merger struct {
	base      lineText
	sides     [2]side // ours, theirs
	out       []byte
	outLines  int // lines in out
	conflicts []Conflict
}

// text is lines [from, to) of t.
type text struct {
	t        lineText
	from, to int
}

func (x text) len() int { return x.to - x.from }

func (x text) bytes() []byte { return x.t.slice(x.from, x.to) }

// add appends x to the output.
func (m *merger) add(x text) {
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
	m.add(text{m.base, pos, m.base.len()})
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
