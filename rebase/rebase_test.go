package rebase_test

import (
	"bytes"
	"errors"
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
)

// rbNoErr stops the test on an error.
func rbNoErr(t *testing.T, err error, what ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%v: unexpected error: %v", what, err)
	}
}

// rbIs stops the test unless errors.Is(err, target).
func rbIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want one matching %v", err, target)
	}
}

func rbEqual[T comparable](t *testing.T, got, want T, what ...any) {
	t.Helper()
	if got != want {
		t.Errorf("%v: got %v, want %v", what, got, want)
	}
}

func rbContains(t *testing.T, s []byte, sub string, what ...any) {
	t.Helper()
	if !strings.Contains(string(s), sub) {
		t.Errorf("%v: %q not found in\n%s", what, sub, s)
	}
}

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
	rbNoErr(t, err, name)
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
	rbNoErr(t, r.Verify(), "Verify")
	out := r.Files()
	for _, rp := range r.Done {
		if rp.Raw == nil {
			continue
		}
		p, err := patch.Parse(rp.Name, out[rp.Name])
		rbNoErr(t, err, rp.Name)
		next, res, err := patch.ApplyOne(files, p, patch.ApplyOptions{})
		rbNoErr(t, err, rp.Name)
		for _, h := range res.Hunks {
			rbEqual(t, h.Offset, 0, rp.Name+" "+h.Header)
		}
		files = next
	}
	return files
}

func TestRebaseClean(t *testing.T) {
	s := oldSeries(t)
	newer := pristine(text("s", 40, map[int]string{20: "s 20 upstream\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: s, Old: oldFiles(), New: newer}
	rbNoErr(t, r.Run(), "Run")
	rbEqual(t, statuses(r.Done), "0001-one.patch clean, 0002-two.patch clean")
	for i, rp := range r.Done {
		if !bytes.Equal(rp.Raw, s.Patches[i].Raw) {
			t.Errorf("%s: a clean patch must be kept byte for byte, got\n%s", rp.Name, rp.Raw)
		}
	}
	got := applied(t, r, newer)
	rbContains(t, got[bucardo.Script], "s 10 patched\ns 11\n")
	rbContains(t, got[bucardo.Script], "s 20 upstream\n")
}

func TestRebaseMoved(t *testing.T) {
	newer := pristine(text("s", 40, map[int]string{1: "new 1\nnew 2\nnew 3\ns 1\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: newer}
	rbNoErr(t, r.Run(), "Run")
	rbEqual(t, statuses(r.Done), "0001-one.patch moved, 0002-two.patch moved")
	rbEqual(t, r.Done[0].Hunks[0].Offset, 3, "offset where the old patch applied")
	rbContains(t, r.Done[0].Raw, "@@ -10,7 +10,7 @@", "rewritten at the new line")
	if !bytes.HasPrefix(r.Done[1].Raw, []byte(header)) {
		t.Errorf("DEP-3 header not kept:\n%s", r.Done[1].Raw)
	}
	got := applied(t, r, newer)
	rbContains(t, got[bucardo.Script], "new 3\ns 1\n")
	rbContains(t, got[bucardo.Script], "s 30 patched\nadded\n")
}

// TestRebaseMerged: upstream changed a context line of 0001's hunk, so the
// patch no longer applies without fuzz, but the 3-way merge is clean.
func TestRebaseMerged(t *testing.T) {
	newer := pristine(text("s", 40, map[int]string{8: "s 8 upstream\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: newer}
	rbNoErr(t, r.Run(), "Run")
	rbEqual(t, statuses(r.Done), "0001-one.patch merged, 0002-two.patch clean")
	got := applied(t, r, newer)
	rbContains(t, got[bucardo.Script], "s 8 upstream\ns 9\ns 10 patched\n")
}

func TestRebaseDropped(t *testing.T) {
	newer := pristine(text("s", 40, map[int]string{10: "s 10 patched\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: newer,
		SeriesFile: []byte("# the series\n0001-one.patch\n0002-two.patch -p1\n")}
	rbNoErr(t, r.Run(), "Run")
	rbEqual(t, statuses(r.Done), "0001-one.patch dropped, 0002-two.patch clean")
	files := r.Files()
	rbEqual(t, string(files["series"]), "# the series\n# 0001-one.patch  (dropped: the new files have its changes)\n0002-two.patch -p1\n")
	if _, ok := files["0001-one.patch"]; ok {
		t.Error("a dropped patch is written")
	}
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
	rbIs(t, err, rebase.ErrConflict)
	var ce *rebase.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T, want *ConflictError", err)
	}
	rbEqual(t, err.Error(), `patch "0001-one.patch" conflicts with the new files in bucardo (1 region)`)
	rbEqual(t, len(r.Done), 0, "patches carried")
	want := "s 9\n<<<<<<< ours\ns 10 patched\n||||||| base\ns 10\n=======\ns 10 upstream\n>>>>>>> theirs\ns 11\n"
	rbContains(t, r.Work[bucardo.Script], want)
	rbEqual(t, ce.Files[0].Conflicts[0].MergedStart, 10, "line of the marker")
	if r.Run() == nil {
		t.Error("Run goes on before Resolve")
	}
}

func TestRebaseResolve(t *testing.T) {
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting()}
	rbIs(t, r.Run(), rebase.ErrConflict)

	err := r.Resolve(r.Work)
	rbIs(t, err, rebase.ErrUnresolved)
	var me *rebase.MarkerError
	if errors.As(err, &me) {
		rbEqual(t, me.Line, 10, "line of the marker left")
	}

	rbNoErr(t, r.Resolve(resolve(r.Work, "s 10 upstream patched\n")), "Resolve")
	rbNoErr(t, r.Run(), "Run")
	rbEqual(t, statuses(r.Done), "0001-one.patch resolved, 0002-two.patch clean")
	got := applied(t, r, conflicting())
	rbContains(t, got[bucardo.Script], "s 9\ns 10 upstream patched\ns 11\n")
	rbContains(t, got[bucardo.Script], "s 30 patched\n")
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
	rbIs(t, r.Run(), rebase.ErrConflict)
	rbNoErr(t, r.Save(work), "Save")
	edited := filepath.Join(work, bucardo.Script)
	b, err := os.ReadFile(edited)
	rbNoErr(t, err)
	if !bytes.Equal(b, r.Work[bucardo.Script]) {
		t.Errorf("%s is not the merged file with markers:\n%s", edited, b)
	}

	loaded, err := rebase.Load(work)
	rbNoErr(t, err, "Load")
	rbIs(t, loaded.Resolve(loaded.Work), rebase.ErrUnresolved)
	rbNoErr(t, os.WriteFile(edited, resolve(loaded.Work, "s 10 both\n")[bucardo.Script], 0o644))

	loaded, err = rebase.Load(work)
	rbNoErr(t, err, "Load")
	rbEqual(t, loaded.Meta["out"], "x")
	rbNoErr(t, loaded.Resolve(loaded.Work), "Resolve")
	rbNoErr(t, loaded.Run(), "Run")
	files := loaded.Files()
	rbEqual(t, string(files["README.md"]), "notes\n")
	rbEqual(t, string(files["series"]), "0001-one.patch\n0002-two.patch\n")
	got := applied(t, loaded, conflicting())
	rbContains(t, got[bucardo.Script], "s 9\ns 10 both\ns 11\n")
}

// TestRebaseContinueTwice stops at a second conflict after continuing.
func TestRebaseContinueTwice(t *testing.T) {
	work := filepath.Join(t.TempDir(), "work")
	newer := pristine(text("s", 40, map[int]string{10: "s 10 upstream\n"}), text("q", 10, map[int]string{5: "q 5 upstream\n"}))
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: newer}
	rbIs(t, r.Run(), rebase.ErrConflict)
	rbNoErr(t, r.Resolve(resolve(r.Work, "s 10 both\n")), "Resolve")
	err := r.Run()
	var ce *rebase.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v, want a *ConflictError", err)
	}
	rbEqual(t, ce.Patch, "0002-two.patch")
	rbEqual(t, ce.Files[0].File, "bucardo.schema")
	rbNoErr(t, r.Save(work), "Save")
	loaded, err := rebase.Load(work)
	rbNoErr(t, err, "Load")
	rbEqual(t, statuses(loaded.Done), "0001-one.patch resolved")
	rbEqual(t, loaded.Conflict.Patch, "0002-two.patch")
}

func TestRebaseAbort(t *testing.T) {
	work := filepath.Join(t.TempDir(), "work")
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting()}
	rbIs(t, r.Run(), rebase.ErrConflict)
	rbNoErr(t, r.Save(work), "Save")
	rbNoErr(t, rebase.RemoveWork(work), "RemoveWork")
	if _, err := os.Stat(work); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("work folder still there: %v", err)
	}
	rbIs(t, rebase.RemoveWork(work), os.ErrNotExist)

	other := t.TempDir()
	if rebase.RemoveWork(other) == nil {
		t.Error("a folder without rebase.json was removed")
	}
}

func TestRebaseOldDoesNotApply(t *testing.T) {
	old := pristine(text("s", 40, map[int]string{10: "s 10 elsewhere\n"}), text("q", 10, nil))
	r := &rebase.Rebase{Series: oldSeries(t), Old: old, New: old}
	var ae *patch.ApplyError
	if err := r.Run(); !errors.As(err, &ae) {
		t.Fatalf("error %v, want an *ApplyError", err)
	}
}

func TestRebaseVerifyCatchesBadPatch(t *testing.T) {
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: oldFiles()}
	rbNoErr(t, r.Run(), "Run")
	rbNoErr(t, r.Verify(), "Verify")
	moved := bytes.Replace(r.Done[0].Raw, []byte("@@ -7,7 +7,7 @@"), []byte("@@ -8,7 +8,7 @@"), 1)
	if bytes.Equal(moved, r.Done[0].Raw) {
		t.Fatalf("no @@ -7,7 +7,7 @@ in\n%s", moved)
	}
	r2 := &rebase.Rebase{Series: r.Series, Old: r.Old, New: r.New,
		Done: []rebase.Carried{{Name: "0001-one.patch", Status: rebase.Moved, Raw: moved}, r.Done[1]}}
	var ve *rebase.VerifyError
	err := r2.Verify()
	if !errors.As(err, &ve) {
		t.Fatalf("error %v, want a *VerifyError", err)
	}
	rbContains(t, []byte(err.Error()), "offset -1")
}

func TestWriteSeries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "upstream", "9.9.9")
	files := map[string][]byte{"series": []byte("a.patch\n"), "a.patch": []byte("x")}
	rbNoErr(t, rebase.WriteSeries(dir, files, false), "WriteSeries")
	b, err := os.ReadFile(filepath.Join(dir, "a.patch"))
	rbNoErr(t, err)
	rbEqual(t, string(b), "x")
	rbIs(t, rebase.WriteSeries(dir, files, false), atomicfile.ErrExists)
	rbNoErr(t, rebase.WriteSeries(dir, map[string][]byte{"series": nil}, true), "WriteSeries --force")
	if _, err := os.Stat(filepath.Join(dir, "a.patch")); err == nil {
		t.Error("the folder was not replaced as a whole")
	}
	if rebase.WriteSeries(dir, map[string][]byte{"../x": nil}, true) == nil {
		t.Error("a name with a folder was written")
	}
}

// TestRebaseReal carries the stored 5.6.0 series onto the real 5.6.0 files
// (every patch clean, byte for byte) and onto them with lines inserted at
// the top of both files (every patch moved, re-applying exactly).
func TestRebaseReal(t *testing.T) {
	files := pristinetest.Files(t)
	s, err := patch.ReadSeries(os.DirFS("../patches"), "upstream/5.6.0")
	rbNoErr(t, err, "ReadSeries")
	r := &rebase.Rebase{Series: s, Old: files, New: files}
	rbNoErr(t, r.Run(), "Run")
	for i, rp := range r.Done {
		rbEqual(t, rp.Status, rebase.Clean, rp.Name)
		if !bytes.Equal(rp.Raw, s.Patches[i].Raw) {
			t.Errorf("%s changed", rp.Name)
		}
	}
	rbNoErr(t, r.Verify(), "Verify")

	shifted := pristine(append([]byte("# new\n# lines\n"), files[bucardo.Script]...), append([]byte("-- new\n"), files[bucardo.Schema]...))
	r = &rebase.Rebase{Series: s, Old: files, New: shifted}
	rbNoErr(t, r.Run(), "Run")
	for _, rp := range r.Done {
		rbEqual(t, rp.Status, rebase.Moved, rp.Name)
	}
	rbNoErr(t, r.Verify(), "Verify")
}
