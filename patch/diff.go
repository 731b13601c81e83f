package patch

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// diffContext is the number of unchanged lines around each change in Diff.
const diffContext = 3

// Diff returns the unified diff from a to b of the file name: -p1 headers
// "--- a/name" and "+++ b/name", 3 lines of context, hunks whose context
// would overlap or touch merged, and "\ No newline at end of file" where
// a side ends without one. It is empty when a and b are equal. The line
// alignment is go-diff's (Myers, no time limit), so it is deterministic.
func Diff(name string, a, b []byte) []byte {
	s := diffLines(a, b)
	hunks := s.hunks(diffContext)
	if len(hunks) == 0 {
		return nil
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "--- a/%s\n+++ b/%s\n", name, name)
	for _, h := range hunks {
		s.writeHunk(&buf, h)
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
	a, b []string
	ops  []op
}

// diffLines aligns the lines of a and b with go-diff's Myers diff in line
// mode, with no time limit.
func diffLines(a, b []byte) script {
	ids, ta := newLineIDs(a)
	return align(ta, ids.like(b, ta))
}

// text is a text split into lines that keep their newline, and one rune
// per line: the same rune for the same line.
type text struct {
	lines []string
	runes []rune
}

// lineIDs gives each distinct line its own rune, as go-diff's
// DiffLinesToRunes does, but without its intermediate strings, and shared
// by any number of texts (Merge numbers base once for its two diffs).
type lineIDs map[string]rune

// newLineIDs returns ids sized for a text like a, and a's text.
func newLineIDs(a []byte) (lineIDs, text) {
	lines := splitLines(a)
	ids := make(lineIDs, len(lines))
	return ids, ids.split(lines)
}

// like is text for b when b is mostly ref, a text of the same ids: the
// lines b shares with ref at its start and end take ref's runes by
// comparison, and only the others are looked up. The runes are those
// text would give, for less.
func (ids lineIDs) like(b []byte, ref text) text {
	lines := splitLines(b)
	n := min(len(lines), len(ref.lines))
	head := 0
	for head < n && lines[head] == ref.lines[head] {
		head++
	}
	tail := 0
	for tail < n-head && lines[len(lines)-1-tail] == ref.lines[len(ref.lines)-1-tail] {
		tail++
	}
	mid := ids.split(lines[head : len(lines)-tail])
	t := text{lines: lines, runes: make([]rune, 0, len(lines))}
	t.runes = append(t.runes, ref.runes[:head]...)
	t.runes = append(t.runes, mid.runes...)
	t.runes = append(t.runes, ref.runes[len(ref.runes)-tail:]...)
	return t
}

func (ids lineIDs) split(lines []string) text {
	t := text{lines: lines, runes: make([]rune, len(lines))}
	for i, l := range lines {
		r, ok := ids[l]
		if !ok {
			r = lineRune(len(ids) + 1)
			ids[l] = r
		}
		t.runes[i] = r
	}
	return t
}

// align diffs the runes of a and b with go-diff and reads the result as
// ops without turning it back into text, so the alignment is go-diff's,
// for less. (Trimming the common head and tail first would not do:
// go-diff's cleanup slides an edit into them.)
func align(a, b text) script {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	return script{a: a.lines, b: b.lines, ops: appendDiffs(nil, dmp.DiffMainRunes(a.runes, b.runes, false))}
}

// appendDiffs appends the ops of go-diff's line diffs (one rune a line),
// each run of changes with its removals before its additions.
func appendDiffs(ops []op, diffs []diffmatchpatch.Diff) []op {
	var dels, adds []op
	for _, d := range diffs {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			dels = appendOps(dels, opDel, n)
		case diffmatchpatch.DiffInsert:
			adds = appendOps(adds, opAdd, n)
		default:
			ops = append(append(append(ops, dels...), adds...), repeatOp(opKeep, n)...)
			dels, adds = dels[:0], adds[:0]
		}
	}
	return append(append(ops, dels...), adds...)
}

// lineRune returns the n-th valid code point, skipping the surrogates,
// which go-diff's rune-to-string conversions would turn into U+FFFD. That
// leaves room for 1,112,062 distinct lines, as in go-diff.
func lineRune(n int) rune {
	if n >= 0xD800 {
		n += 0x800
	}
	return rune(n)
}

// LineChanges returns how many lines Diff adds and removes between a and
// b, without writing the diff: a diffstat's counts. It diffs the whole
// files: ApplySeries counts a series' changes for less.
func LineChanges(a, b []byte) (added, removed int) {
	return countOps(diffLines(a, b).ops)
}

// countChanges is LineChanges for texts already split into lines.
func countChanges(a, b []string) (added, removed int) {
	switch {
	case len(a) == 0:
		return len(b), 0
	case len(b) == 0:
		return 0, len(a)
	}
	ids := lineIDs{}
	return countOps(align(ids.split(a), ids.split(b)).ops)
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

func appendOps(ops []op, o op, n int) []op { return append(ops, repeatOp(o, n)...) }

func repeatOp(o op, n int) []op { return []op(strings.Repeat(string(o), n)) }

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

// position returns how many lines of a and of b come before op i.
func (s script) position(i int) (ai, bi int) {
	for _, o := range s.ops[:i] {
		if o != opAdd {
			ai++
		}
		if o != opDel {
			bi++
		}
	}
	return ai, bi
}

func (s script) writeHunk(buf *bytes.Buffer, h span) {
	ai, bi := s.position(h.from)
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
			writeLine(buf, o, s.b[bi])
			bi++
		case opDel:
			writeLine(buf, o, s.a[ai])
			ai++
		default:
			writeLine(buf, o, s.a[ai])
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

func writeLine(buf *bytes.Buffer, o op, line string) {
	buf.WriteByte(byte(o))
	buf.WriteString(line)
	if !strings.HasSuffix(line, "\n") {
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
