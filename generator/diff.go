package generator

import (
	"bytes"
	"fmt"
	"strings"

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

// diffLines aligns the lines of a and b with go-diff in line mode.
func diffLines(a, b []byte) script {
	sa, sb := string(a), string(b)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	ra, rb, lines := dmp.DiffLinesToRunes(sa, sb)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines)
	s := script{a: splitString(sa), b: splitString(sb)}
	var dels, adds []op
	for _, d := range diffs {
		n := countLines(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			dels = appendOps(dels, opDel, n)
		case diffmatchpatch.DiffInsert:
			adds = appendOps(adds, opAdd, n)
		default:
			s.ops = append(append(append(s.ops, dels...), adds...), repeatOp(opKeep, n)...)
			dels, adds = dels[:0], adds[:0]
		}
	}
	s.ops = append(append(s.ops, dels...), adds...)
	return s
}

// countLines counts the lines of text, the last one with or without a newline.
func countLines(text string) int {
	n := strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		n++
	}
	return n
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
