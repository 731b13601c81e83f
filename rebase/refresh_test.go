package rebase_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fork is the old files with oldSeries applied: script line 10 is "s 10
// patched" (0001), line 30 "s 30 patched" then "added" (0002), schema line
// 5 "q 5 patched" (0002).
func fork(t *testing.T) map[string][]byte {
	out, _, err := patch.Apply(oldFiles(), oldSeries(t), patch.ApplyOptions{})
	require.NoError(t, err, "Apply")
	return out
}

// edit replaces old by new, once, in file name of files.
func edit(files map[string][]byte, name, old, new string) map[string][]byte {
	out := map[string][]byte{}
	for n, b := range files {
		out[n] = b
	}
	out[name] = []byte(strings.Replace(string(files[name]), old, new, 1))
	return out
}

// refreshed checks that the refreshed series makes the edited files.
func refreshed(t *testing.T, rf *rebase.Refreshed, edited map[string][]byte) {
	t.Helper()
	s := oldSeries(t)
	for i, p := range s.Patches {
		if raw, ok := rf.Patches[p.Name]; ok {
			np, err := patch.Parse(p.Name, raw)
			require.NoError(t, err, p.Name)
			s.Patches[i] = np
		}
	}
	got, _, err := patch.Apply(oldFiles(), s, patch.ApplyOptions{})
	require.NoError(t, err, "Apply the refreshed series")
	for _, n := range bucardo.Names {
		if !bytes.Equal(got[n], edited[n]) {
			t.Errorf("%s: the refreshed series does not make the edited file", n)
		}
	}
}

func TestRefreshIntoTheOwner(t *testing.T) {
	edited := edit(fork(t), bucardo.Script, "s 10 patched\n", "s 10 patched better\n")
	rf, err := rebase.Refresh(oldSeries(t), oldFiles(), edited, "", "2026-12-01")
	require.NoError(t, err, "Refresh")
	assert.Equal(t, "0001-one.patch", rf.Patch)
	assert.Equal(t, "0002-two.patch clean", statuses(rf.Later))
	if _, ok := rf.Patches["0002-two.patch"]; ok {
		t.Error("0002 rewritten although it did not change")
	}
	raw := rf.Patches["0001-one.patch"]
	assert.Contains(t, string(raw), "Description: a test patch\nAuthor: bcfork tests\nForwarded: no\nLast-Update: 2026-12-01\n\n--- a/bucardo\n")
	assert.Contains(t, string(raw), "\n+s 10 patched better\n")
	refreshed(t, rf, edited)
}

// TestRefreshMovesLater: lines added to 0001 move 0002, which is rewritten.
func TestRefreshMovesLater(t *testing.T) {
	edited := edit(fork(t), bucardo.Script, "s 10 patched\n", "s 10 patched\nmore\nand more\n")
	rf, err := rebase.Refresh(oldSeries(t), oldFiles(), edited, "", "2026-12-01")
	require.NoError(t, err, "Refresh")
	assert.Equal(t, "0001-one.patch", rf.Patch)
	assert.Equal(t, "0002-two.patch moved", statuses(rf.Later))
	assert.Contains(t, string(rf.Patches["0002-two.patch"]), "Last-Update: 2026-12-01\n")
	assert.Contains(t, string(rf.Patches["0002-two.patch"]), "@@ -29,7 +29,8 @@")
	refreshed(t, rf, edited)
}

// TestRefreshNextTo: an edit of pristine lines next to 0002's goes to 0002.
func TestRefreshNextTo(t *testing.T) {
	edited := edit(fork(t), bucardo.Script, "added\ns 31\n", "added\ns 31 too\n")
	rf, err := rebase.Refresh(oldSeries(t), oldFiles(), edited, "", "2026-12-01")
	require.NoError(t, err, "Refresh")
	assert.Equal(t, "0002-two.patch", rf.Patch)
	refreshed(t, rf, edited)
}

// TestRefreshDefault: an edit of lines no patch is near goes to the last
// patch that changes the file.
func TestRefreshDefault(t *testing.T) {
	edited := edit(fork(t), bucardo.Script, "s 20\n", "s 20 edited\n")
	rf, err := rebase.Refresh(oldSeries(t), oldFiles(), edited, "", "2026-12-01")
	require.NoError(t, err, "Refresh")
	assert.Equal(t, "0002-two.patch", rf.Patch)
	refreshed(t, rf, edited)

	rf, err = rebase.Refresh(oldSeries(t), oldFiles(), edited, "0001-one.patch", "2026-12-01")
	require.NoError(t, err, "Refresh into the patch named")
	assert.Equal(t, "0001-one.patch", rf.Patch)
	refreshed(t, rf, edited)
}

func TestRefreshSpans(t *testing.T) {
	edited := edit(edit(fork(t), bucardo.Script, "s 10 patched\n", "s 10 x\n"), bucardo.Script, "s 30 patched\n", "s 30 y\n")
	_, err := rebase.Refresh(oldSeries(t), oldFiles(), edited, "", "2026-12-01")
	var se *rebase.SpanError
	if !errors.As(err, &se) {
		t.Fatalf("error %v, want a *SpanError", err)
	}
	assert.Equal(t, `refreshing: the edit spans 2 patches: "0001-one.patch" (bucardo line 10) and "0002-two.patch" (bucardo line 30)`, err.Error())

	edited = edit(fork(t), bucardo.Script, "s 10 patched\n", "s 10 x\n")
	_, err = rebase.Refresh(oldSeries(t), oldFiles(), edited, "0002-two.patch", "2026-12-01")
	assert.Equal(t, `refreshing "0002-two.patch": the edit also changes the lines of "0001-one.patch" (bucardo line 10)`, err.Error())
}

func TestRefreshNothing(t *testing.T) {
	_, err := rebase.Refresh(oldSeries(t), oldFiles(), fork(t), "", "2026-12-01")
	require.ErrorIs(t, err, rebase.ErrUnchanged)
	_, err = rebase.Refresh(oldSeries(t), oldFiles(), edit(fork(t), bucardo.Script, "s 1\n", "x\n"), "0003-none.patch", "2026-12-01")
	if err == nil || !strings.Contains(err.Error(), `no patch "0003-none.patch" in the series`) {
		t.Errorf("error %v", err)
	}
}

// TestRefreshUndo: an edit that takes back all of a patch is refused.
func TestRefreshUndo(t *testing.T) {
	edited := edit(fork(t), bucardo.Script, "s 10 patched\n", "s 10\n")
	_, err := rebase.Refresh(oldSeries(t), oldFiles(), edited, "", "2026-12-01")
	if err == nil || !strings.Contains(err.Error(), "undoes all of it") {
		t.Errorf("error %v", err)
	}
}
