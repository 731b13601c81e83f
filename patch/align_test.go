package patch

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// alignPins is the file of the alignments go-diff v1.4.0 (DiffMainRunes in
// line mode, no time limit) gave for the texts alignCase generates: the
// package aligned lines with it until its own aligner replaced it, and the
// patch texts of diffs and series depend on the alignment. Recorded once
// with go-diff; it cannot be remade without it.
const alignPins = "testdata/align/go-diff-v1.4.0.txt"

// alignCase returns the pair of texts of case seed: few distinct lines
// (many ties for the alignment to break), of up to 300 lines, the second
// an edit of the first or a text of its own.
func alignCase(seed int64) (a, b []byte) {
	r := rand.New(rand.NewSource(seed))
	alpha := 1 + r.Intn(12)
	if seed%4 == 0 {
		alpha = 1 + r.Intn(60)
	}
	text := func(n int) []byte {
		var s strings.Builder
		for range n {
			fmt.Fprintf(&s, "%c\n", 'A'+r.Intn(alpha))
		}
		return []byte(s.String())
	}
	size := 40
	if seed%5 == 0 {
		size = 300
	}
	a = text(r.Intn(size))
	if r.Intn(3) == 0 {
		return a, text(r.Intn(size))
	}
	b = randomEdit(r, a)
	if r.Intn(2) == 0 {
		b = randomEdit(r, b)
	}
	return a, b
}

// opsHash is a short hash of an edit script.
func opsHash(ops string) string {
	h := sha256.Sum256([]byte(ops))
	return hex.EncodeToString(h[:6])
}

// TestAlignLikeGoDiff checks that the aligner aligns every pinned case as
// go-diff did: the same ops, so the same diffs, merges and diffstats.
func TestAlignLikeGoDiff(t *testing.T) {
	f, err := os.Open(alignPins)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var seed int64
		var want string
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		_, err := fmt.Sscanf(sc.Text(), "%d %s", &seed, &want)
		require.NoError(t, err, "line %q", sc.Text())
		a, b := alignCase(seed)
		ops := string(diffLines(a, b).ops)
		require.Equal(t, want, opsHash(ops), "case %d: ops %q\na=%q\nb=%q", seed, ops, a, b)
		n++
	}
	require.NoError(t, sc.Err())
	require.Greater(t, n, 1000, "pinned cases")
}

// TestAlignEdits checks the aligner's scripts: they turn a into b, and
// they are no longer than a line diff needs at most.
func TestAlignEdits(t *testing.T) {
	for seed := int64(1); seed <= 500; seed++ {
		a, b := alignCase(seed)
		s := diffLines(a, b)
		var out []byte
		ai, bi := 0, 0
		for _, o := range s.ops {
			switch o {
			case opKeep:
				require.Equal(t, string(s.a.line(ai)), string(s.b.line(bi)), "case %d: kept line differs", seed)
				out = append(out, s.a.line(ai)...)
				ai, bi = ai+1, bi+1
			case opDel:
				ai++
			case opAdd:
				out = append(out, s.b.line(bi)...)
				bi++
			}
		}
		require.Equal(t, s.a.len(), ai, "case %d: lines of a", seed)
		require.Equal(t, string(b), string(out), "case %d", seed)
	}
}

// TestSplitText checks splitText's line ends against a byte by byte split,
// around the eight-byte words it reads at once.
func TestSplitText(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := range 200 {
		data := make([]byte, n%40+n/10)
		for i := range data {
			data[i] = []byte{'\n', 'a', 0x0b, 0x09, 0x8a, 0, 0xff}[r.Intn(7)]
		}
		want := []int32{0}
		for i, c := range data {
			if c == '\n' || i == len(data)-1 {
				want = append(want, int32(i+1))
			}
		}
		require.Equal(t, want, splitText(data).at, "%q", data)
	}
}
