package rebase_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// text returns a file of n numbered lines ("name 1" ...), with the lines
// in edits (1-based) replaced; an edit may hold several lines or none.
func text(name string, n int, edits map[int]string) []byte {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if e, ok := edits[i]; ok {
			b.WriteString(e)
			continue
		}
		fmt.Fprintf(&b, "%s %d\n", name, i)
	}
	return []byte(b.String())
}

const header = "Description: a test patch\nAuthor: bcfork tests\nForwarded: no\nLast-Update: 2026-11-25\n\n"

// mkPatch makes a patch that turns the files in from into those in to.
func mkPatch(t *testing.T, name string, from, to map[string][]byte) *patch.Patch {
	t.Helper()
	raw := []byte(header)
	for _, n := range bucardo.Names {
		raw = append(raw, patch.Diff(n, from[n], to[n])...)
	}
	p, err := patch.Parse(name, raw)
	require.NoError(t, err, name)
	return p
}

func pristine(script, schema []byte) map[string][]byte {
	return map[string][]byte{bucardo.Script: script, bucardo.Schema: schema}
}

// oldFiles are the synthetic old release; the series patches line 10 of
// the script (0001) and then line 30 of the script and line 5 of the
// schema (0002).
func oldFiles() map[string][]byte {
	return pristine(text("s", 40, nil), text("q", 10, nil))
}

func oldSeries(t *testing.T) *patch.Series {
	old := oldFiles()
	one := pristine(text("s", 40, map[int]string{10: "s 10 patched\n"}), old[bucardo.Schema])
	two := pristine(text("s", 40, map[int]string{10: "s 10 patched\n", 30: "s 30 patched\nadded\n"}),
		text("q", 10, map[int]string{5: "q 5 patched\n"}))
	return &patch.Series{Patches: []*patch.Patch{
		mkPatch(t, "0001-one.patch", old, one),
		mkPatch(t, "0002-two.patch", one, two),
	}}
}

func statuses(done []rebase.Carried) string {
	var s []string
	for _, rp := range done {
		s = append(s, rp.Name+" "+string(rp.Status))
	}
	return strings.Join(s, ", ")
}

// applied verifies the rebase, applies the patches of its new series
// folder to files and checks every hunk went at its stated line.
func applied(t *testing.T, r *rebase.Rebase, files map[string][]byte) map[string][]byte {
	t.Helper()
	require.NoError(t, r.Verify(), "Verify")
	out := r.Files()
	for _, rp := range r.Done {
		if rp.Raw == nil {
			continue
		}
		p, err := patch.Parse(rp.Name, out[rp.Name])
		require.NoError(t, err, rp.Name)
		next, res, err := patch.ApplyOne(files, p, patch.ApplyOptions{})
		require.NoError(t, err, rp.Name)
		for _, h := range res.Hunks {
			assert.Equal(t, 0, h.Offset, rp.Name+" "+h.Header)
		}
		files = next
	}
	return files
}

func TestRebaseClean(t *testing.T) {
	s := oldSeries(t)
	newer := pristine(text("s", 40, map[int]string{20: "s 20 upstream\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: s, Old: oldFiles(), New: newer}
	require.NoError(t, r.Run(), "Run")
	assert.Equal(t, "0001-one.patch clean, 0002-two.patch clean", statuses(r.Done))
	for i, rp := range r.Done {
		assert.Equal(t, string(s.Patches[i].Raw), string(rp.Raw), "%s: a clean patch is kept byte for byte", rp.Name)
	}
	got := applied(t, r, newer)
	assert.Contains(t, string(got[bucardo.Script]), "s 10 patched\ns 11\n")
	assert.Contains(t, string(got[bucardo.Script]), "s 20 upstream\n")
}

func TestRebaseMoved(t *testing.T) {
	newer := pristine(text("s", 40, map[int]string{1: "new 1\nnew 2\nnew 3\ns 1\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: newer}
	require.NoError(t, r.Run(), "Run")
	assert.Equal(t, "0001-one.patch moved, 0002-two.patch moved", statuses(r.Done))
	assert.Equal(t, 3, r.Done[0].Hunks[0].Offset, "offset where the old patch applied")
	assert.Contains(t, string(r.Done[0].Raw), "@@ -10,7 +10,7 @@", "rewritten at the new line")
	assert.True(t, bytes.HasPrefix(r.Done[1].Raw, []byte(header)), "DEP-3 header not kept:\n%s", r.Done[1].Raw)
	got := applied(t, r, newer)
	assert.Contains(t, string(got[bucardo.Script]), "new 3\ns 1\n")
	assert.Contains(t, string(got[bucardo.Script]), "s 30 patched\nadded\n")
}

// TestRebaseMerged: upstream changed a context line of 0001's hunk, so the
// patch no longer applies without fuzz, but the 3-way merge is clean.
func TestRebaseMerged(t *testing.T) {
	newer := pristine(text("s", 40, map[int]string{8: "s 8 upstream\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: newer}
	require.NoError(t, r.Run(), "Run")
	assert.Equal(t, "0001-one.patch merged, 0002-two.patch clean", statuses(r.Done))
	got := applied(t, r, newer)
	assert.Contains(t, string(got[bucardo.Script]), "s 8 upstream\ns 9\ns 10 patched\n")
}

func TestRebaseDropped(t *testing.T) {
	newer := pristine(text("s", 40, map[int]string{10: "s 10 patched\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: newer,
		SeriesFile: []byte("# the series\n0001-one.patch\n0002-two.patch -p1\n")}
	require.NoError(t, r.Run(), "Run")
	assert.Equal(t, "0001-one.patch dropped, 0002-two.patch clean", statuses(r.Done))
	files := r.Files()
	assert.Equal(t, "# the series\n# 0001-one.patch  (dropped: the new files have its changes)\n0002-two.patch -p1\n", string(files["series"]))
	assert.NotContains(t, files, "0001-one.patch", "a dropped patch is written")
	applied(t, r, newer)
}

// conflicting are new files whose line 10 of the script changed, as
// 0001 changes it.
func conflicting() map[string][]byte {
	return pristine(text("s", 40, map[int]string{10: "s 10 upstream\n"}), text("q", 10, nil))
}

func TestRebaseConflict(t *testing.T) {
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting()}
	err := r.Run()
	require.ErrorIs(t, err, rebase.ErrConflict)
	var ce *rebase.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, `patch "0001-one.patch" conflicts with the new files in bucardo (1 region)`, err.Error())
	assert.Empty(t, r.Done, "patches carried")
	want := "s 9\n<<<<<<< ours\ns 10 patched\n||||||| base\ns 10\n=======\ns 10 upstream\n>>>>>>> theirs\ns 11\n"
	assert.Contains(t, string(r.Work[bucardo.Script]), want)
	assert.Equal(t, 10, ce.Files[0].Conflicts[0].MergedStart, "line of the marker")
	assert.Error(t, r.Run(), "Run goes on before Resolve")
}

func TestRebaseResolve(t *testing.T) {
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting()}
	require.ErrorIs(t, r.Run(), rebase.ErrConflict)

	err := r.Resolve(r.Work)
	require.ErrorIs(t, err, rebase.ErrUnresolved)
	var me *rebase.MarkerError
	if assert.ErrorAs(t, err, &me) {
		assert.Equal(t, 10, me.Line, "line of the marker left")
	}

	require.NoError(t, r.Resolve(resolve(r.Work, "s 10 upstream patched\n")), "Resolve")
	require.NoError(t, r.Run(), "Run")
	assert.Equal(t, "0001-one.patch resolved, 0002-two.patch clean", statuses(r.Done))
	got := applied(t, r, conflicting())
	assert.Contains(t, string(got[bucardo.Script]), "s 9\ns 10 upstream patched\ns 11\n")
	assert.Contains(t, string(got[bucardo.Script]), "s 30 patched\n")
}

// resolve replaces the conflict in the script with line.
func resolve(work map[string][]byte, line string) map[string][]byte {
	script := string(work[bucardo.Script])
	i := strings.Index(script, patch.MarkerOurs)
	j := strings.Index(script, patch.MarkerTheirs) + len(patch.MarkerTheirs) + 1
	return pristine([]byte(script[:i]+line+script[j:]), work[bucardo.Schema])
}

// TestRebaseContinue saves a stopped rebase, edits the file in the work
// folder as a maintainer would, loads it and goes on.
func TestRebaseContinue(t *testing.T) {
	work := filepath.Join(t.TempDir(), "work")
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting(),
		Extra: map[string][]byte{"README.md": []byte("notes\n")}, Meta: map[string]string{"out": "x"}}
	require.ErrorIs(t, r.Run(), rebase.ErrConflict)
	require.NoError(t, r.Save(work), "Save")
	edited := filepath.Join(work, bucardo.Script)
	b, err := os.ReadFile(edited)
	require.NoError(t, err)
	assert.Equal(t, string(r.Work[bucardo.Script]), string(b), "%s: the merged file with markers", edited)

	loaded, err := rebase.Load(work)
	require.NoError(t, err, "Load")
	require.ErrorIs(t, loaded.Resolve(loaded.Work), rebase.ErrUnresolved)
	require.NoError(t, os.WriteFile(edited, resolve(loaded.Work, "s 10 both\n")[bucardo.Script], 0o644))

	loaded, err = rebase.Load(work)
	require.NoError(t, err, "Load")
	assert.Equal(t, "x", loaded.Meta["out"])
	require.NoError(t, loaded.Resolve(loaded.Work), "Resolve")
	require.NoError(t, loaded.Run(), "Run")
	files := loaded.Files()
	assert.Equal(t, "notes\n", string(files["README.md"]))
	assert.Equal(t, "0001-one.patch\n0002-two.patch\n", string(files["series"]))
	got := applied(t, loaded, conflicting())
	assert.Contains(t, string(got[bucardo.Script]), "s 9\ns 10 both\ns 11\n")
}

// TestRebaseContinueTwice stops at a second conflict after continuing.
func TestRebaseContinueTwice(t *testing.T) {
	work := filepath.Join(t.TempDir(), "work")
	newer := pristine(text("s", 40, map[int]string{10: "s 10 upstream\n"}), text("q", 10, map[int]string{5: "q 5 upstream\n"}))
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: newer}
	require.ErrorIs(t, r.Run(), rebase.ErrConflict)
	require.NoError(t, r.Resolve(resolve(r.Work, "s 10 both\n")), "Resolve")
	var ce *rebase.ConflictError
	require.ErrorAs(t, r.Run(), &ce)
	assert.Equal(t, "0002-two.patch", ce.Patch)
	assert.Equal(t, "bucardo.schema", ce.Files[0].File)
	require.NoError(t, r.Save(work), "Save")
	loaded, err := rebase.Load(work)
	require.NoError(t, err, "Load")
	assert.Equal(t, "0001-one.patch resolved", statuses(loaded.Done))
	assert.Equal(t, "0002-two.patch", loaded.Conflict.Patch)
}

func TestRebaseAbort(t *testing.T) {
	work := filepath.Join(t.TempDir(), "work")
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting()}
	require.ErrorIs(t, r.Run(), rebase.ErrConflict)
	require.NoError(t, r.Save(work), "Save")
	require.NoError(t, rebase.RemoveWork(work), "RemoveWork")
	assert.NoDirExists(t, work)
	require.ErrorIs(t, rebase.RemoveWork(work), os.ErrNotExist)

	assert.Error(t, rebase.RemoveWork(t.TempDir()), "a folder without rebase.json")
}

func TestRebaseOldDoesNotApply(t *testing.T) {
	old := pristine(text("s", 40, map[int]string{10: "s 10 elsewhere\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: oldSeries(t), Old: old, New: old}
	var ae *patch.ApplyError
	require.ErrorAs(t, r.Run(), &ae)
}

// TestRebaseOldStopsLater: a patch that does not apply to the old files
// stops Run there, with the patches before it carried.
func TestRebaseOldStopsLater(t *testing.T) {
	old := pristine(text("s", 40, map[int]string{30: "s 30 elsewhere\n"}), text("q", 10, nil))
	s := oldSeries(t)
	r := &rebase.Rebase{Series: s, Old: old, New: old}
	var ae *patch.ApplyError
	require.ErrorAs(t, r.Run(), &ae)
	assert.Equal(t, "0001-one.patch clean", statuses(r.Done))
	assert.False(t, r.Finished())
}

func TestRebaseVerifyCatchesBadPatch(t *testing.T) {
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: oldFiles()}
	require.NoError(t, r.Run(), "Run")
	require.NoError(t, r.Verify(), "Verify")
	moved := bytes.Replace(r.Done[0].Raw, []byte("@@ -7,7 +7,7 @@"), []byte("@@ -8,7 +8,7 @@"), 1)
	require.NotEqual(t, string(r.Done[0].Raw), string(moved), "no @@ -7,7 +7,7 @@ to move")
	r2 := &rebase.Rebase{Series: r.Series, Old: r.Old, New: r.New,
		Done: []rebase.Carried{{Name: "0001-one.patch", Status: rebase.Moved, Raw: moved}, r.Done[1]}}
	var ve *rebase.VerifyError
	err := r2.Verify()
	require.ErrorAs(t, err, &ve)
	assert.ErrorContains(t, err, "offset -1")
}

func TestWriteSeries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "upstream", "9.9.9")
	files := map[string][]byte{"series": []byte("a.patch\n"), "a.patch": []byte("x")}
	require.NoError(t, rebase.WriteSeries(dir, files, false), "WriteSeries")
	b, err := os.ReadFile(filepath.Join(dir, "a.patch"))
	require.NoError(t, err)
	assert.Equal(t, "x", string(b))
	require.ErrorIs(t, rebase.WriteSeries(dir, files, false), atomicfile.ErrExists)
	require.NoError(t, rebase.WriteSeries(dir, map[string][]byte{"series": nil}, true), "WriteSeries --force")
	assert.NoFileExists(t, filepath.Join(dir, "a.patch"), "the folder was not replaced as a whole")
	assert.Error(t, rebase.WriteSeries(dir, map[string][]byte{"../x": nil}, true), "a name with a folder")
}

// TestRebaseReal carries the stored 5.6.0 series onto the real 5.6.0 files
// (every patch clean, byte for byte) and onto them with lines inserted at
// the top of both files (every patch moved, re-applying exactly).
func TestRebaseReal(t *testing.T) {
	files := pristinetest.Files(t)
	s, err := patch.ReadSeries(os.DirFS("../patches"), "upstream/5.6.0")
	require.NoError(t, err, "ReadSeries")
	r := &rebase.Rebase{Series: s, Old: files, New: files}
	require.NoError(t, r.Run(), "Run")
	for i, rp := range r.Done {
		assert.Equal(t, rebase.Clean, rp.Status, rp.Name)
		assert.Equal(t, string(s.Patches[i].Raw), string(rp.Raw), "%s changed", rp.Name)
	}
	require.NoError(t, r.Verify(), "Verify")

	shifted := pristine(append([]byte("# new\n# lines\n"), files[bucardo.Script]...), append([]byte("-- new\n"), files[bucardo.Schema]...))
	r = &rebase.Rebase{Series: s, Old: files, New: shifted}
	require.NoError(t, r.Run(), "Run")
	for _, rp := range r.Done {
		assert.Equal(t, rebase.Moved, rp.Status, rp.Name)
	}
	require.NoError(t, r.Verify(), "Verify")
}
