package patch

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMergeGolden merges the "base", "ours" and "theirs" sections of
// testdata/merge/*.txtar and checks "merged" and "conflicts"; git
// merge-file -p --diff3 must agree, byte for byte.
func TestMergeGolden(t *testing.T) {
	for _, g := range readGoldens(t, "merge") {
		t.Run(g.name(), func(t *testing.T) {
			base, _ := g.file("base")
			ours, _ := g.file("ours")
			theirs, _ := g.file("theirs")
			merged, conflicts := Merge(base, ours, theirs)
			g.check(t, []string{"base", "ours", "theirs"}, []txtar.File{
				{Name: "merged", Data: merged},
				{Name: "conflicts", Data: []byte(conflictsText(conflicts))},
			})
			if want, clean, ok := gitMerge(t, base, ours, theirs); ok {
				assert.Equal(t, string(want), string(merged), "git merge-file")
				assert.Equal(t, clean, len(conflicts) == 0, "clean, as git merge-file")
			}
		})
	}
}

func conflictsText(cs []Conflict) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "base %d,%d ours %d,%d theirs %d,%d merged line %d\n",
			c.BaseStart, c.BaseLines, c.OursStart, c.OursLines, c.TheirsStart, c.TheirsLines, c.MergedStart)
	}
	return b.String()
}

// gitMerge runs git merge-file -p --diff3 with the labels Merge writes;
// ok is false when git is not installed.
func gitMerge(t *testing.T, base, ours, theirs []byte) (merged []byte, clean, ok bool) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Log("git not on PATH: skipping the git merge-file check")
		return nil, false, false
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"base": base, "ours": ours, "theirs": theirs} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	cmd := exec.Command("git", "merge-file", "-p", "--diff3", "-L", "ours", "-L", "base", "-L", "theirs", "ours", "base", "theirs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+dir)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() > 0 && ee.ExitCode() < 127) {
		t.Fatalf("git merge-file: %v", err)
	}
	return out, err == nil, true
}

// TestMergeOracle merges generated inputs and compares with git merge-file:
// both must agree on clean or conflicting, clean results must be equal,
// and with distinct lines (no ambiguous alignment) conflicted output too.
func TestMergeOracle(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	var clean, conflicted int
	for seed := int64(1); seed <= 150; seed++ {
		r := rand.New(rand.NewSource(seed))
		distinct := seed%3 != 0
		base := mergeBase(r, 5+r.Intn(40), distinct)
		ours, theirs := mergeEdit(r, base, "o"), mergeEdit(r, base, "t")
		if seed%10 == 0 {
			theirs = ours // identical changes on both sides
		}
		got, conflicts := Merge(base, ours, theirs)
		want, gitClean, _ := gitMerge(t, base, ours, theirs)
		if gitClean != (len(conflicts) == 0) {
			t.Fatalf("seed %d: git clean %v, we have %d conflicts\nbase %q\nours %q\ntheirs %q\ngot\n%s\ngit\n%s", seed, gitClean, len(conflicts), base, ours, theirs, got, want)
		}
		if (gitClean || distinct) && !bytes.Equal(got, want) {
			t.Fatalf("seed %d: merged text differs from git's\nbase %q\nours %q\ntheirs %q\ngot\n%s\ngit\n%s", seed, base, ours, theirs, got, want)
		}
		if gitClean {
			clean++
		} else {
			conflicted++
		}
	}
	t.Logf("%d clean, %d conflicted merges agree with git merge-file", clean, conflicted)
}

// mergeBase returns n lines, all distinct or from a small alphabet.
func mergeBase(r *rand.Rand, n int, distinct bool) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if distinct {
			fmt.Fprintf(&b, "line %d\n", i+1)
		} else {
			fmt.Fprintf(&b, "%c\n", 'a'+r.Intn(5))
		}
	}
	return []byte(b.String())
}

// mergeEdit changes, removes or inserts a few lines of base, marking new
// lines with tag so that the two sides' new lines differ.
func mergeEdit(r *rand.Rand, base []byte, tag string) []byte {
	lines := splitLines(base)
	for n := 1 + r.Intn(3); n > 0; n-- {
		i := r.Intn(len(lines) + 1)
		switch r.Intn(4) {
		case 0:
			lines = insertLine(lines, i, fmt.Sprintf("%s new %d\n", tag, r.Intn(3)))
		case 1:
			if i < len(lines) {
				lines = append(lines[:i], lines[i+1:]...)
			}
		default:
			if i < len(lines) {
				lines[i] = fmt.Sprintf("%s changed %d\n", tag, r.Intn(3))
			}
		}
	}
	return []byte(strings.Join(lines, ""))
}

func TestMergeConflictPositions(t *testing.T) {
	base := []byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n")
	ours := []byte("1\n2\nA\n4\n5\n6\n7\nX\n9\n")
	theirs := []byte("1\n2\nB\n4\n5\n6\n7\n8\n9\nend\n")
	merged, cs := Merge(base, ours, theirs)
	want := []Conflict{{BaseStart: 3, BaseLines: 1, OursStart: 3, OursLines: 1, TheirsStart: 3, TheirsLines: 1, MergedStart: 3}}
	require.Equal(t, want, cs)
	if lines := splitLines(merged); lines[cs[0].MergedStart-1] != MarkerOurs+"\n" || !bytes.HasSuffix(merged, []byte("X\n9\nend\n")) {
		t.Errorf("merged:\n%s", merged)
	}
}

func BenchmarkMerge(b *testing.B) {
	r := rand.New(rand.NewSource(3))
	base := syntheticFile(r, 12000)
	ours, theirs := forkLike(r, base), forkLike(rand.New(rand.NewSource(4)), base)
	b.SetBytes(int64(len(base)))
	for b.Loop() {
		Merge(base, ours, theirs)
	}
}

// FuzzMerge checks that Merge never panics, that a side equal to base
// gives the other side, cleanly, and that merging equal sides gives that
// side, cleanly. The goldens in testdata/merge seed it.
func FuzzMerge(f *testing.F) {
	f.Add([]byte("1\n2\n3\n"), []byte("1\nA\n3\n"), []byte("1\n2\nB"))
	for _, g := range readGoldens(f, "merge") {
		base, _ := g.file("base")
		ours, _ := g.file("ours")
		theirs, _ := g.file("theirs")
		f.Add(base, ours, theirs)
	}
	f.Fuzz(func(t *testing.T, base, ours, theirs []byte) {
		Merge(base, ours, theirs)
		clean := func(name string, ours, theirs, want []byte) {
			got, cs := Merge(base, ours, theirs)
			require.Empty(t, cs, "%s: conflicts", name)
			require.Equal(t, string(want), string(got), name)
		}
		clean("Merge(base, ours, base)", ours, base, ours)
		clean("Merge(base, base, theirs)", base, theirs, theirs)
		clean("Merge(base, ours, ours)", ours, ours, ours)
	})
}

// TestMerger: a Merger gives what Merge and Diff give along a chain of
// merges where each one's ours is the next one's base and its result the
// next one's theirs, as a rebase does, with and without final newlines
// and conflicts; and the lines it knows of a merged text are the text's.
func TestMerger(t *testing.T) {
	tracked, applied := 0, 0
	for seed := int64(1); seed <= 60; seed++ {
		r := rand.New(rand.NewSource(seed))
		distinct := seed%3 != 0
		var mg Merger
		base := mergeBase(r, 5+r.Intn(40), distinct)
		theirs := mergeEdit(r, base, "t")
		if seed%4 == 0 {
			theirs = []byte(toggleFinalNewline(string(theirs)))
		}
		for step := 0; step < 5; step++ {
			ours := mergeEdit(r, base, fmt.Sprint("o", step))
			if int(seed%5) == step {
				ours = []byte(toggleFinalNewline(string(ours)))
			}
			want, wantCs := Merge(base, ours, theirs)
			got, cs := mg.Merge(base, ours, theirs)
			require.Equal(t, string(want), string(got), "seed %d step %d: merged", seed, step)
			require.Equal(t, wantCs, cs, "seed %d step %d: conflicts", seed, step)
			if k, ok := mg.lookup(got); ok {
				require.Equal(t, splitText(got).at, k.t.at, "seed %d step %d: lines of the merged text", seed, step)
				checkIDs(t, k)
				tracked++
			}
			require.Equal(t, string(Diff("f", theirs, got)), string(mg.Diff("f", theirs, got)), "seed %d step %d: diff", seed, step)
			require.Equal(t, string(Diff("f", base, ours)), string(mg.Diff("f", base, ours)), "seed %d step %d: diff", seed, step)
			applied += checkApplyKnown(t, &mg, Diff("f", base, ours), theirs, got)
			base, theirs = ours, got
		}
	}
	require.Greater(t, tracked, 100, "merged texts whose lines the Merger knew")
	require.Greater(t, applied, 100, "applies to texts whose lines the Merger knew")
}

// checkApplyKnown applies the patch diff to each text with and without
// taking mg's lines (ApplyOptions.Known) and checks that the outcomes are
// the same; it returns how many texts mg knew.
func checkApplyKnown(t *testing.T, mg *Merger, diff []byte, texts ...[]byte) int {
	t.Helper()
	if len(diff) == 0 {
		return 0
	}
	p, err := Parse("p", diff)
	require.NoError(t, err)
	known := 0
	for _, text := range texts {
		if _, ok := mg.lines(text); ok {
			known++
		}
		files := map[string][]byte{"f": text}
		want, wantRes, wantErr := ApplyOne(files, p, ApplyOptions{})
		got, res, err := ApplyOne(files, p, ApplyOptions{Known: map[string]*Merger{"f": mg}})
		require.Equal(t, wantErr, err)
		require.Equal(t, wantRes, res)
		require.Equal(t, string(want["f"]), string(got["f"]))
	}
	return known
}

// checkIDs checks that equal lines of k, and only those, have equal ids.
func checkIDs(t *testing.T, k idText) {
	t.Helper()
	require.Len(t, k.ids, k.t.len())
	byLine := map[string]int32{}
	byID := map[int32]string{}
	for i, id := range k.ids {
		l := string(k.t.line(i))
		if want, ok := byLine[l]; ok && want != id {
			t.Fatalf("line %d %q: id %d, earlier %d", i, l, id, want)
		}
		if want, ok := byID[id]; ok && want != l {
			t.Fatalf("line %d %q: id %d is also %q", i, l, id, want)
		}
		byLine[l], byID[id] = id, l
	}
}

// TestMergerTracksMergedLines: a Merger knows the lines of a clean
// merge's result, and not of one with conflicts or whose parts cannot be
// joined line for line.
func TestMergerTracksMergedLines(t *testing.T) {
	for _, c := range []struct {
		name               string
		base, ours, theirs string
		known              bool
	}{
		{"clean", "1\n2\n3\n4\n5\n", "1\nA\n3\n4\n5\n", "1\n2\n3\n4\nB\n", true},
		{"no final newline", "1\n2\n3\n4\n5", "1\nA\n3\n4\n5", "1\n2\n3\n4\n5\n6", true},
		{"conflict", "1\n2\n3\n", "1\nA\n3\n", "1\nB\n3\n", false},
	} {
		var mg Merger
		got, _ := mg.Merge([]byte(c.base), []byte(c.ours), []byte(c.theirs))
		k, ok := mg.lookup(got)
		require.Equal(t, c.known, ok, c.name)
		if ok {
			require.Equal(t, splitText(got).at, k.t.at, c.name)
			checkIDs(t, k)
		}
	}
}

// BenchmarkMergerChain merges three patches' worth of changes one after
// the other with a Merger, and diffs each result, as a rebase does.
func BenchmarkMergerChain(b *testing.B) {
	r := rand.New(rand.NewSource(3))
	base0 := syntheticFile(r, 12000)
	theirs0 := forkLike(rand.New(rand.NewSource(4)), base0)
	ours := [][]byte{forkLike(r, base0)}
	for range 2 {
		ours = append(ours, forkLike(r, ours[len(ours)-1]))
	}
	b.SetBytes(int64(len(base0)))
	for _, shared := range []bool{false, true} {
		b.Run(fmt.Sprint("merger=", shared), func(b *testing.B) {
			for b.Loop() {
				var mg Merger
				base, theirs := base0, theirs0
				for _, o := range ours {
					var m []byte
					if shared {
						m, _ = mg.Merge(base, o, theirs)
						mg.Diff("f", theirs, m)
					} else {
						m, _ = Merge(base, o, theirs)
						Diff("f", theirs, m)
					}
					base, theirs = o, m
				}
			}
		})
	}
}
