package patch

import (
	"bytes"
	"fmt"
)

// diffContext is the number of unchanged lines around each change in Diff.
const diffContext = 3

// Diff returns the unified diff from a to b of the file name: -p1 headers
// "--- a/name" and "+++ b/name", 3 lines of context, hunks whose context
// would overlap or touch merged, and "\ No newline at end of file" where
// a side ends without one. It is empty when a and b are equal. The line
// alignment is a minimal, deterministic Myers diff (see align).
func Diff(name string, a, b []byte) []byte {
	return diffScript(name, diffLines(a, b))
}

// diffScript is the unified diff of s, of the file name.
func diffScript(name string, s script) []byte {
	hunks := s.hunks(diffContext)
	if len(hunks) == 0 {
		return nil
	}
	var buf bytes.Buffer
	buf.Grow(len(hunks) * 512)
	fmt.Fprintf(&buf, "--- a/%s\n+++ b/%s\n", name, name)
	var p position
	for _, h := range hunks {
		p = s.advance(p, h.from)
		s.writeHunk(&buf, h, p)
	}
	return buf.Bytes()
}

// op is one line of an edit script: kept, removed from a, or added from b.
type op byte

const (
	opKeep op = ' '
	opDel  op = '-'
	opAdd  op = '+'
)

// script is an edit script from a to b, one op a line, where each run of
// changes between kept lines lists its removals before its additions.
type script struct {
	a, b lineText
	ops  []op
}

// diffLines aligns the lines of a and b (see align).
func diffLines(a, b []byte) script {
	ta, tb := splitText(a), splitText(b)
	in := newInterner(ta.len())
	ia := in.ids(ta)
	return script{a: ta, b: tb, ops: align(ia, in.idsLike(tb, ta, ia))}
}

// LineChanges returns how many lines Diff adds and removes between a and
// b, without writing the diff: a diffstat's counts. It diffs the whole
// files: ApplySeries counts a series' changes for less.
func LineChanges(a, b []byte) (added, removed int) {
	return countOps(diffLines(a, b).ops)
}

func countOps(ops []op) (added, removed int) {
	for _, o := range ops {
		switch o {
		case opAdd:
			added++
		case opDel:
			removed++
		}
	}
	return added, removed
}

// span is a range of ops, [from, to).
type span struct{ from, to int }

// hunks groups the changes of s with ctx lines of context around each,
// merging groups whose context would overlap or touch.
func (s script) hunks(ctx int) []span {
	var out []span
	for i := 0; i < len(s.ops); i++ {
		if s.ops[i] == opKeep {
			continue
		}
		from := max(i-ctx, 0)
		end := s.changeEnd(i)
		for next := s.nextChange(end); next >= 0 && next-end <= 2*ctx; next = s.nextChange(end) {
			end = s.changeEnd(next)
		}
		out = append(out, span{from, min(end+ctx, len(s.ops))})
		i = end
	}
	return out
}

// changeEnd returns the index after the run of changes starting at i.
func (s script) changeEnd(i int) int {
	for i < len(s.ops) && s.ops[i] != opKeep {
		i++
	}
	return i
}

// nextChange returns the index of the first change at or after i, or -1.
func (s script) nextChange(i int) int {
	for ; i < len(s.ops); i++ {
		if s.ops[i] != opKeep {
			return i
		}
	}
	return -1
}

// position is how many lines of a and of b come before op i.
type position struct{ i, a, b int }

// advance returns the position of op i, from p, an earlier one.
func (s script) advance(p position, i int) position {
	for _, o := range s.ops[p.i:i] {
		if o != opAdd {
			p.a++
		}
		if o != opDel {
			p.b++
		}
	}
	p.i = i
	return p
}

func (s script) writeHunk(buf *bytes.Buffer, h span, p position) {
	ai, bi := p.a, p.b
	var an, bn int
	for _, o := range s.ops[h.from:h.to] {
		if o != opAdd {
			an++
		}
		if o != opDel {
			bn++
		}
	}
	fmt.Fprintf(buf, "@@ -%s +%s @@\n", unifiedRange(ai, an), unifiedRange(bi, bn))
	for _, o := range s.ops[h.from:h.to] {
		switch o {
		case opAdd:
			writeLine(buf, o, s.b.line(bi))
			bi++
		case opDel:
			writeLine(buf, o, s.a.line(ai))
			ai++
		default:
			writeLine(buf, o, s.a.line(ai))
			ai, bi = ai+1, bi+1
		}
	}
}

// unifiedRange formats a hunk range of n lines after the first before
// lines: "start,n", "start" for one line, "before,0" for none.
func unifiedRange(before, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", before)
	case 1:
		return fmt.Sprint(before + 1)
	}
	return fmt.Sprintf("%d,%d", before+1, n)
}

func writeLine(buf *bytes.Buffer, o op, line []byte) {
	buf.WriteByte(byte(o))
	buf.Write(line)
	if !bytes.HasSuffix(line, []byte("\n")) {
		buf.WriteString("\n\\ No newline at end of file\n")
	}
}

// Edit is one change between two texts: lines [A0, A1) of the first
// became lines [B0, B1) of the second (0-based; an empty range is where
// lines were inserted or removed).
type Edit struct {
	A0, A1, B0, B1 int
}

// Edits lists the changes from a to b in order, aligned as Diff aligns them.
func Edits(a, b []byte) []Edit {
	var out []Edit
	for _, c := range changes(diffLines(a, b)) {
		out = append(out, Edit{A0: c.b0, A1: c.b1, B0: c.s0, B1: c.s1})
	}
	return out
}
