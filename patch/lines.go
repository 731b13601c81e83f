package patch

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// lineText is a text split into lines that keep their newline (a last
// line without one is kept as it is): line i is data[at[i]:at[i+1]]. The
// lines are offsets into the text, not strings, so that a file's worth of
// lines holds no pointer for the garbage collector to scan.
type lineText struct {
	data []byte
	at   []int32 // len = lines + 1
}

// maxText is the largest text the engine splits into lines: offsets are
// int32.
const maxText = 1<<31 - 1

// splitText splits data into lines; data is shared, never modified.
func splitText(data []byte) lineText {
	if len(data) > maxText {
		panic("patch: text over 2 GiB")
	}
	at := make([]int32, 1, bytes.Count(data, []byte("\n"))+2)
	// Eight bytes at a time: a byte of x is zero where data has a newline,
	// and y has the high bit of exactly those bytes set.
	const lo7, nl = 0x7f7f7f7f7f7f7f7f, 0x0a0a0a0a0a0a0a0a
	i := 0
	for ; i+8 <= len(data); i += 8 {
		x := binary.LittleEndian.Uint64(data[i:]) ^ nl
		y := ^((x&lo7 + lo7) | x | lo7)
		for y != 0 {
			at = append(at, int32(i+bits.TrailingZeros64(y)/8+1))
			y &= y - 1
		}
	}
	for ; i < len(data); i++ {
		if data[i] == '\n' {
			at = append(at, int32(i+1))
		}
	}
	if int(at[len(at)-1]) < len(data) {
		at = append(at, int32(len(data)))
	}
	return lineText{data: data, at: at}
}

func (t lineText) len() int { return len(t.at) - 1 }

func (t lineText) line(i int) []byte { return t.data[t.at[i]:t.at[i+1]] }

// slice returns the bytes of lines [from, to).
func (t lineText) slice(from, to int) []byte { return t.data[t.at[from]:t.at[to]] }

// interner numbers distinct lines: the same bytes get the same id, from
// 1 up, whichever text they come from. Its table holds ids and its keys
// are offsets into the texts it was given, so it holds no pointer per line.
type interner struct {
	seed  maphash.Seed
	srcs  [][]byte
	table []int32 // id or 0, open addressing
	keys  []lineKey
	mask  uint64
}

// lineKey is where the first line with an id is: srcs[src][from:to].
type lineKey struct {
	src      int32
	from, to int32
	hash     uint32
}

func newInterner(sizeHint int) *interner {
	n := 64
	for n < 2*sizeHint {
		n *= 2
	}
	return &interner{seed: maphash.MakeSeed(), table: make([]int32, n), mask: uint64(n - 1), keys: make([]lineKey, 1, sizeHint/2+1)}
}

// source registers a text whose lines are interned and returns its number.
func (in *interner) source(data []byte) int32 {
	in.srcs = append(in.srcs, data)
	return int32(len(in.srcs) - 1)
}

// id returns the id of srcs[src][from:to].
func (in *interner) id(src int32, from, to int32) int32 {
	line := in.srcs[src][from:to]
	h := maphash.Bytes(in.seed, line)
	for i := h & in.mask; ; i = (i + 1) & in.mask {
		id := in.table[i]
		if id == 0 {
			in.keys = append(in.keys, lineKey{src: src, from: from, to: to, hash: uint32(h)})
			id = int32(len(in.keys) - 1)
			in.table[i] = id
			if 2*len(in.keys) > len(in.table) {
				in.grow()
			}
			return id
		}
		if k := in.keys[id]; k.hash == uint32(h) && bytes.Equal(in.srcs[k.src][k.from:k.to], line) {
			return id
		}
	}
}

func (in *interner) grow() {
	in.table = make([]int32, 2*len(in.table))
	in.mask = uint64(len(in.table) - 1)
	for id := 1; id < len(in.keys); id++ {
		k := in.keys[id]
		h := maphash.Bytes(in.seed, in.srcs[k.src][k.from:k.to])
		i := h & in.mask
		for in.table[i] != 0 {
			i = (i + 1) & in.mask
		}
		in.table[i] = int32(id)
	}
}

// ids returns the ids of the lines of t.
func (in *interner) ids(t lineText) []int32 {
	src := in.source(t.data)
	out := make([]int32, t.len())
	for i := range out {
		out[i] = in.id(src, t.at[i], t.at[i+1])
	}
	return out
}

// idsLike returns the ids of the lines of t when t is mostly ref, whose
// ids are refIDs: the lines t shares with ref at its start and end take
// ref's ids by comparison, and only the others are looked up.
func (in *interner) idsLike(t lineText, ref lineText, refIDs []int32) []int32 {
	n := min(t.len(), ref.len())
	head := 0
	for head < n && bytes.Equal(t.line(head), ref.line(head)) {
		head++
	}
	tail := 0
	for tail < n-head && bytes.Equal(t.line(t.len()-1-tail), ref.line(ref.len()-1-tail)) {
		tail++
	}
	out := make([]int32, t.len())
	copy(out, refIDs[:head])
	copy(out[t.len()-tail:], refIDs[len(refIDs)-tail:])
	src := in.source(t.data)
	for i := head; i < t.len()-tail; i++ {
		out[i] = in.id(src, t.at[i], t.at[i+1])
	}
	return out
}
