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
