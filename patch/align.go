package patch

import "slices"

// The line alignment: a Myers O(ND) diff over line ids that takes the same
// steps as diff-match-patch's diff_main with no time limit (as go-diff
// v1.4.0 runs it, which this package used before): trim the common head
// and tail, take the shorter side whole when the longer one contains it,
// else split at the middle snake and recurse, and clean each level's
// result up with diff_cleanupMerge. Taking its steps, ties included, gives
// its alignments, so diffs and merges are the same as before; working on
// ids and index ranges instead of strings of runes makes it far cheaper.

// edit is one entry of an alignment: n lines kept (in both texts),
// deleted (from a) or inserted (from b). Entries say nothing of where
// they are: that follows from the entries before them.
type edit struct {
	op op
	n  int
}

// aligner holds the bisection's scratch space across recursion.
type aligner struct {
	v []int32
}

// align returns the edit script from a to b (ids of lines), each run of
// changes with its removals before its additions.
func align(a, b []int32) []op {
	var al aligner
	return opsOf(al.main(a, b))
}

// opsOf expands edits into one op a line, each run of changes between
// kept lines with its removals first.
func opsOf(es []edit) []op {
	n := 0
	for _, e := range es {
		n += e.n
	}
	ops := make([]op, 0, n)
	dels, adds := 0, 0
	flush := func() {
		ops = appendOps(ops, opDel, dels)
		ops = appendOps(ops, opAdd, adds)
		dels, adds = 0, 0
	}
	for _, e := range es {
		switch e.op {
		case opDel:
			dels += e.n
		case opAdd:
			adds += e.n
		default:
			flush()
			ops = appendOps(ops, opKeep, e.n)
		}
	}
	flush()
	return ops
}

func appendOps(ops []op, o op, n int) []op {
	for range n {
		ops = append(ops, o)
	}
	return ops
}

// main is diff_main: the common head and tail kept, the middle computed,
// the whole cleaned up.
func (al *aligner) main(a, b []int32) []edit {
	if slices.Equal(a, b) {
		if len(a) == 0 {
			return nil
		}
		return []edit{{opKeep, len(a)}}
	}
	head := commonPrefix(a, b)
	tail := commonSuffix(a[head:], b[head:])
	mid := al.compute(a[head:len(a)-tail], b[head:len(b)-tail])
	es := make([]edit, 0, len(mid)+2)
	if head > 0 {
		es = append(es, edit{opKeep, head})
	}
	es = append(es, mid...)
	if tail > 0 {
		es = append(es, edit{opKeep, tail})
	}
	return cleanupMerge(es, a, b)
}

// compute is diff_compute, for a and b without a common head or tail.
func (al *aligner) compute(a, b []int32) []edit {
	switch {
	case len(a) == 0:
		return []edit{{opAdd, len(b)}}
	case len(b) == 0:
		return []edit{{opDel, len(a)}}
	}
	long, short, o := b, a, opAdd
	if len(a) > len(b) {
		long, short, o = a, b, opDel
	}
	if i := index(long, short); i >= 0 {
		// The shorter text is inside the longer: entries may be empty.
		return []edit{{o, i}, {opKeep, len(short)}, {o, len(long) - i - len(short)}}
	}
	if len(short) == 1 {
		return []edit{{opDel, len(a)}, {opAdd, len(b)}}
	}
	return al.bisect(a, b)
}

// index returns the first i where long[i:] starts with short, or -1.
func index(long, short []int32) int {
	for i := 0; i+len(short) <= len(long); i++ {
		if long[i] == short[0] && slices.Equal(long[i:i+len(short)], short) {
			return i
		}
	}
	return -1
}

func commonPrefix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

// bisect is diff_bisect: it finds the middle snake of the edit graph,
// walking the forward and reverse paths in turn, and recurses on the two
// halves; with no snake, a is deleted and b inserted.
func (al *aligner) bisect(a, b []int32) []edit {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	off, vlen := maxD, 2*maxD
	if cap(al.v) < 2*vlen {
		al.v = make([]int32, 2*vlen)
	}
	v1, v2 := al.v[:vlen], al.v[vlen:2*vlen]
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - m
	front := delta%2 != 0
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for d := 0; d < maxD; d++ {
		for k1 := -d + k1start; k1 <= d-k1end; k1 += 2 {
			i := off + k1
			var x1 int
			if k1 == -d || k1 != d && v1[i-1] < v1[i+1] {
				x1 = int(v1[i+1])
			} else {
				x1 = int(v1[i-1]) + 1
			}
			y1 := x1 - k1
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1, y1 = x1+1, y1+1
			}
			v1[i] = int32(x1)
			switch {
			case x1 > n:
				k1end += 2
			case y1 > m:
				k1start += 2
			case front:
				if j := off + delta - k1; j >= 0 && j < vlen && v2[j] != -1 && x1 >= n-int(v2[j]) {
					return al.split(a, b, x1, y1)
				}
			}
		}
		for k2 := -d + k2start; k2 <= d-k2end; k2 += 2 {
			i := off + k2
			var x2 int
			if k2 == -d || k2 != d && v2[i-1] < v2[i+1] {
				x2 = int(v2[i+1])
			} else {
				x2 = int(v2[i-1]) + 1
			}
			y2 := x2 - k2
			for x2 < n && y2 < m && a[n-x2-1] == b[m-y2-1] {
				x2, y2 = x2+1, y2+1
			}
			v2[i] = int32(x2)
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !front:
				if j := off + delta - k2; j >= 0 && j < vlen && v1[j] != -1 {
					x1 := int(v1[j])
					y1 := off + x1 - j
					if x1 >= n-x2 {
						return al.split(a, b, x1, y1)
					}
				}
			}
		}
	}
	return []edit{{opDel, n}, {opAdd, m}}
}

// split diffs a[:x] with b[:y] and a[x:] with b[y:], one after the other.
func (al *aligner) split(a, b []int32, x, y int) []edit {
	es := al.main(a[:x], b[:y])
	return append(es, al.main(a[x:], b[y:])...)
}

// cleanupMerge is diff_cleanupMerge for es, an alignment of a to b: it
// merges each run of changes between kept lines into one deletion and
// one insertion, moves the lines they start or end with in common into
// the kept lines around them, merges kept neighbours, and then slides a
// single change sideways over kept lines that equal its own end (or
// start) to remove them, cleaning up again after any slide. Entries that
// end up empty stay, as they do in diff_cleanupMerge.
func cleanupMerge(es []edit, a, b []int32) []edit {
	es = append(es, edit{opKeep, 0})
	ptr, dels, adds := 0, 0, 0
	delN, addN := 0, 0 // lines of the current run's deletions and insertions
	pa, pb := 0, 0     // where the current run (or es[ptr]) starts in a and b
	for ptr < len(es) {
		switch es[ptr].op {
		case opDel:
			dels, delN, ptr = dels+1, delN+es[ptr].n, ptr+1
			continue
		case opAdd:
			adds, addN, ptr = adds+1, addN+es[ptr].n, ptr+1
			continue
		}
		switch {
		case dels+adds > 1:
			start := ptr - dels - adds
			if dels > 0 && adds > 0 {
				if c := commonPrefix(b[pb:pb+addN], a[pa:pa+delN]); c > 0 {
					if start > 0 && es[start-1].op == opKeep {
						es[start-1].n += c
					} else {
						es = slices.Insert(es, 0, edit{opKeep, c})
						start, ptr = start+1, ptr+1
					}
					pa, pb, delN, addN = pa+c, pb+c, delN-c, addN-c
				}
				if c := commonSuffix(b[pb:pb+addN], a[pa:pa+delN]); c > 0 {
					es[ptr].n += c
					delN, addN = delN-c, addN-c
				}
			}
			var run []edit
			switch {
			case dels == 0:
				run = []edit{{opAdd, addN}}
			case adds == 0:
				run = []edit{{opDel, delN}}
			default:
				run = []edit{{opDel, delN}, {opAdd, addN}}
			}
			es = slices.Replace(es, start, ptr, run...)
			keep := es[start+len(run)].n
			ptr = start + len(run) + 1
			pa, pb = pa+delN+keep, pb+addN+keep
		case ptr > 0 && es[ptr-1].op == opKeep:
			// No change since the kept lines before: merge.
			keep := es[ptr].n
			es[ptr-1].n += keep
			es = slices.Delete(es, ptr, ptr+1)
			pa, pb = pa+keep, pb+keep
		default:
			keep := es[ptr].n
			ptr++
			pa, pb = pa+delN+keep, pb+addN+keep
		}
		dels, adds, delN, addN = 0, 0, 0, 0
	}
	if es[len(es)-1].n == 0 {
		es = es[:len(es)-1]
	}

	// Slide single changes between kept lines.
	changed := false
	pa, pb = 0, 0 // where es[ptr-1] starts
	for ptr = 1; ptr < len(es)-1; ptr++ {
		prev, cur, next := es[ptr-1], es[ptr], es[ptr+1]
		if prev.op == opKeep && next.op == opKeep {
			// cur's text, and the kept lines after it (as a has them)
			var curText, nextText []int32
			if cur.op == opAdd {
				curText, nextText = b[pb+prev.n:pb+prev.n+cur.n], a[pa+prev.n:][:next.n]
			} else {
				curText, nextText = a[pa+prev.n:pa+prev.n+cur.n], a[pa+prev.n+cur.n:][:next.n]
			}
			prevText := a[pa : pa+prev.n]
			switch {
			case hasSuffix(curText, prevText):
				es[ptr+1].n += prev.n
				es = slices.Delete(es, ptr-1, ptr)
				changed = true
				pa, pb = pa+consumed(cur, opDel), pb+consumed(cur, opAdd)
				continue
			case hasPrefix(curText, nextText):
				es[ptr-1].n += next.n
				es = slices.Delete(es, ptr+1, ptr+2)
				changed = true
				pa, pb = pa+prev.n+next.n, pb+prev.n+next.n
				continue
			}
		}
		pa, pb = pa+consumed(prev, opDel), pb+consumed(prev, opAdd)
	}
	if changed {
		return cleanupMerge(es, a, b)
	}
	return es
}

// consumed returns how many lines e takes from the text that side (opDel
// for a, opAdd for b) leaves alone.
func consumed(e edit, side op) int {
	if e.op == opKeep || e.op == side {
		return e.n
	}
	return 0
}

func hasSuffix(s, suffix []int32) bool {
	return len(s) >= len(suffix) && slices.Equal(s[len(s)-len(suffix):], suffix)
}

func hasPrefix(s, prefix []int32) bool {
	return len(s) >= len(prefix) && slices.Equal(s[:len(prefix)], prefix)
}
