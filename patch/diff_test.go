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

	"github.com/bcfork/bcfork/internal/gittest"
	"github.com/bcfork/bcfork/internal/pristinetest"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDiffGolden diffs the "a" and "b" sections of testdata/diff/*.txtar
// and checks "diff"; every diff must also apply with ApplyOne, GNU patch
// and git apply.
func TestDiffGolden(t *testing.T) {
	for _, g := range readGoldens(t, "diff") {
		t.Run(g.name(), func(t *testing.T) {
			a, _ := g.file("a")
			b, _ := g.file("b")
			d := Diff("bucardo", a, b)
			g.check(t, []string{"a", "b"}, []txtar.File{{Name: "diff", Data: d}})
			checkDiffApplies(t, a, b, d)
		})
	}
}

// checkDiffApplies checks that d turns a into b with ApplyOne, GNU patch
// and git apply, and changes no more lines than git diff --no-index.
func checkDiffApplies(t *testing.T, a, b, d []byte) {
	t.Helper()
	if len(d) == 0 {
		require.Equal(t, string(a), string(b), "empty diff for different texts")
		return
	}
	assert.Equal(t, string(b), string(applyDiff(t, a, d)), "ApplyOne")
	for _, tool := range [][]string{{"patch", "-p1", "--batch", "--fuzz=0", "--no-backup-if-mismatch", "-s", "-i"}, {"git", "apply", "-p1", "--whitespace=nowarn"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			t.Logf("%s not on PATH: skipping that check", tool[0])
			continue
		}
		got, out, applied := runPatchTool(t, a, d, tool...)
		require.True(t, applied && out == "", "%s:\n%s\npatch:\n%s", tool[0], out, d)
		assert.Equal(t, string(b), string(got), tool[0])
	}
	if n, ok := gitChangedLines(t, a, b); ok {
		assert.LessOrEqual(t, changedLines(d), n, "lines the diff changes, at most git diff --no-index's:\n%s", d)
	}
}

func applyDiff(t *testing.T, a, d []byte) []byte {
	t.Helper()
	p, err := Parse("diff.patch", d)
	require.NoError(t, err, "parsing our diff:\n%s", d)
	out, _, err := ApplyOne(map[string][]byte{"bucardo": a}, p, ApplyOptions{})
	require.NoError(t, err, "applying our diff:\n%s", d)
	return out["bucardo"]
}

// runPatchTool writes a as bucardo in a fresh folder, runs the command
// line tool there with the diff's path appended, and returns the file
// after (nil when the tool removed it), what the tool wrote, and false
// when it exits 1, as GNU patch and git apply do when a hunk fails.
func runPatchTool(t *testing.T, a, d []byte, tool ...string) (file []byte, out string, applied bool) {
	t.Helper()
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	require.NoError(t, os.Mkdir(work, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(work, "bucardo"), a, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "d.patch"), d, 0o644))
	cmd := exec.Command(tool[0], append(tool[1:], filepath.Join(dir, "d.patch"))...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+dir, "LC_ALL=C")
	b, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return nil, string(b), false
	}
	require.NoError(t, err, "%s:\n%s", tool[0], b)
	file, err = os.ReadFile(filepath.Join(work, "bucardo"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, string(b), true // GNU patch removes a file the patch empties
	}
	require.NoError(t, err)
	return file, string(b), true
}

// gitChangedLines returns the lines git diff --no-index adds plus removes
// (git's default diff, Myers, with no user config), and false without git.
func gitChangedLines(t *testing.T, a, b []byte) (int, bool) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		return 0, false
	}
	added, removed := gittest.Numstat(t, a, b)
	return added + removed, true
}

// changedLines counts the + and - lines of a unified diff's hunks.
func changedLines(d []byte) int {
	n := 0
	for _, l := range strings.Split(string(d), "\n") {
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++ ") && !strings.HasPrefix(l, "--- ") {
			n++
		}
	}
	return n
}

// TestDiffRoundTrip checks, on generated pairs, that Diff(a, b) applied
// to a gives b; the first pairs are also checked with GNU patch, git apply
// and against git diff's count of changed lines.
func TestDiffRoundTrip(t *testing.T) {
	for seed := int64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewSource(seed))
		a := randomText(r, r.Intn(60))
		b := randomEdit(r, a)
		d := Diff("bucardo", a, b)
		if seed <= 40 {
			checkDiffApplies(t, a, b, d)
		} else if len(d) > 0 {
			assert.Equal(t, string(b), string(applyDiff(t, a, d)), "seed %d: round trip\n%s", seed, d)
		}
		assert.Empty(t, Diff("bucardo", a, a), "seed %d: diff of a text with itself", seed)
		if t.Failed() {
			t.Fatalf("seed %d: a=%q b=%q", seed, a, b)
		}
	}
}

// randomText returns n lines drawn from a small alphabet, so that lines
// repeat, sometimes without a final newline.
func randomText(r *rand.Rand, n int) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%c%d\n", 'a'+r.Intn(4), r.Intn(6))
	}
	s := b.String()
	if r.Intn(5) == 0 {
		s = strings.TrimSuffix(s, "\n")
	}
	return []byte(s)
}

// randomEdit returns a with a few random lines removed, replaced or
// inserted, and maybe its final newline toggled.
func randomEdit(r *rand.Rand, a []byte) []byte {
	lines := splitLines(a)
	for n := r.Intn(6); n >= 0; n-- {
		i := r.Intn(len(lines) + 1)
		switch r.Intn(3) {
		case 0:
			lines = insertLine(lines, i, fmt.Sprintf("new %d\n", r.Intn(100)))
		case 1:
			if i < len(lines) {
				lines = append(lines[:i], lines[i+1:]...)
			}
		default:
			if i < len(lines) {
				lines[i] = fmt.Sprintf("changed %d\n", r.Intn(100))
			}
		}
	}
	s := strings.Join(fixNewlines(lines), "")
	if r.Intn(6) == 0 {
		s = toggleFinalNewline(s)
	}
	return []byte(s)
}

func insertLine(lines []string, i int, l string) []string {
	return append(lines[:i], append([]string{l}, lines[i:]...)...)
}

// fixNewlines gives every line but the last its newline back.
func fixNewlines(lines []string) []string {
	for i := 0; i < len(lines)-1; i++ {
		if !strings.HasSuffix(lines[i], "\n") {
			lines[i] += "\n"
		}
	}
	return lines
}

func toggleFinalNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return strings.TrimSuffix(s, "\n")
	}
	if s == "" {
		return s
	}
	return s + "\n"
}

// TestDiffRealBucardo diffs the real 5.6.0 files against modified copies
// (the edits a fork makes, plus scattered ones) and checks the diff with
// the real tools. It needs BCFORK_PRISTINE_TARBALL.
func TestDiffRealBucardo(t *testing.T) {
	files := pristinetest.Files(t)
	for name, a := range files {
		r := rand.New(rand.NewSource(int64(len(a))))
		b := forkLike(r, a)
		t.Run(name, func(t *testing.T) {
			d := Diff("bucardo", a, b) // the tools patch a file named bucardo
			require.NotEmpty(t, d)
			checkDiffApplies(t, a, b, d)
		})
	}
}

// forkLike edits text as a fork would: a few lines changed where the
// database name is fixed, and lines inserted, removed and changed at
// random places.
func forkLike(r *rand.Rand, text []byte) []byte {
	s := strings.Replace(string(text), "dbname=bucardo", "dbname=$dbname", 3)
	lines := splitLines([]byte(s))
	for i := 0; i < 25; i++ {
		at := r.Intn(len(lines) - 1)
		switch i % 3 {
		case 0:
			lines = insertLine(lines, at, fmt.Sprintf("## bcfork %d\n", i))
		case 1:
			lines = append(lines[:at], lines[at+1:]...)
		default:
			lines[at] = strings.ToUpper(lines[at])
		}
	}
	return []byte(strings.Join(lines, ""))
}

func TestUnifiedRange(t *testing.T) {
	tests := []struct {
		before, n int
		want      string
	}{
		{0, 0, "0,0"}, {4, 0, "4,0"}, {0, 1, "1"}, {9, 1, "10"}, {9, 7, "10,7"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, unifiedRange(tt.before, tt.n), "unifiedRange(%d, %d)", tt.before, tt.n)
	}
}

func TestScriptHunks(t *testing.T) {
	tests := []struct {
		ops  string
		want []span
	}{
		{"      ", nil},
		{"-", []span{{0, 1}}},
		{"    -    ", []span{{1, 8}}},
		{"   -      -   ", []span{{0, 14}}},          // 6 lines apart: one hunk
		{"   -       -   ", []span{{0, 7}, {8, 15}}}, // 7 apart: two
		{"+-  ", []span{{0, 4}}},
	}
	for _, tt := range tests {
		s := script{ops: []op(tt.ops)}
		assert.Equal(t, tt.want, s.hunks(3), "hunks(%q)", tt.ops)
	}
}

// TestLineChanges checks LineChanges against the + and - lines of Diff.
func TestLineChanges(t *testing.T) {
	for seed := int64(1); seed <= 100; seed++ {
		r := rand.New(rand.NewSource(seed))
		a := randomText(r, r.Intn(60))
		b := randomEdit(r, a)
		added, removed := LineChanges(a, b)
		d := string(Diff("bucardo", a, b))
		require.Equal(t, strings.Count(d, "\n+")-strings.Count(d, "\n+++ "), added, "seed %d: lines added\n%s", seed, d)
		require.Equal(t, changedLines([]byte(d)), added+removed, "seed %d: lines changed\n%s", seed, d)
	}
}

func BenchmarkDiff(b *testing.B) {
	r := rand.New(rand.NewSource(2))
	a := syntheticFile(r, 12000)
	c := forkLike(r, a)
	b.SetBytes(int64(len(a)))
	for b.Loop() {
		Diff("bucardo", a, c)
	}
}

// FuzzDiff checks that Diff(a, b) parses, applied to a gives b, and
// reversed and applied to b gives a; and that the diff of equal texts is
// empty. Texts with CR are skipped: patches must use LF line endings. The
// goldens in testdata/diff seed it.
func FuzzDiff(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc"))
	for _, g := range readGoldens(f, "diff") {
		a, _ := g.file("a")
		b, _ := g.file("b")
		f.Add(a, b)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if bytes.ContainsRune(a, '\r') || bytes.ContainsRune(b, '\r') {
			return
		}
		d := Diff("bucardo", a, b)
		if len(d) == 0 {
			require.Equal(t, string(a), string(b), "empty diff for different texts")
			return
		}
		p, err := Parse("diff.patch", d)
		require.NoError(t, err, "parsing our diff:\n%s", d)
		out, _, err := ApplyOne(map[string][]byte{"bucardo": a}, p, ApplyOptions{})
		require.NoError(t, err, "applying our diff:\n%s", d)
		require.Equal(t, string(b), string(out["bucardo"]), "round trip of\n%s", d)
		back, _, err := ApplyOne(out, Reverse(p), ApplyOptions{})
		require.NoError(t, err, "reverse applying our diff:\n%s", d)
		require.Equal(t, string(a), string(back["bucardo"]), "reverse round trip of\n%s", d)
		require.Empty(t, Diff("bucardo", b, b), "diff of a text with itself")
	})
}
