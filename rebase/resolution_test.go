package rebase_test

import (
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/rebase"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRebaseRecordsAndReuses resolves a conflict by hand, then carries the
// same series again onto the folder written: the recorded resolution is
// taken and the same series comes out, dates included.
func TestRebaseRecordsAndReuses(t *testing.T) {
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting(), Date: "2026-12-01"}
	require.ErrorIs(t, r.Run(), rebase.ErrConflict)
	require.NoError(t, r.Resolve(resolve(r.Work, "s 10 upstream patched\n")), "Resolve")
	require.NoError(t, r.Run(), "Run")
	if r.Done[0].Unrecorded || len(r.Resolutions) != 1 {
		t.Fatalf("resolution not recorded: %+v", r.Resolutions)
	}
	first := r.Files()
	assert.Contains(t, string(first[rebase.ResolutionsName]), "conflict 0001-one.patch bucardo\n <<<<<<< ours\n s 10 patched\n")
	assert.Contains(t, string(first[rebase.ResolutionsName]), "\n+s 10 upstream patched\n")
	assert.Contains(t, string(first["0001-one.patch"]), "Last-Update: 2026-12-01\n")

	again := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting(), Date: "2027-01-01", Previous: first}
	require.NoError(t, again.Run(), "Run with the recorded resolution")
	assert.Equal(t, "0001-one.patch resolved, 0002-two.patch clean", statuses(again.Done))
	if !again.Done[0].Recorded {
		t.Error("not marked as taken from the record")
	}
	second := again.Files()
	for name, b := range first {
		assert.Equal(t, string(b), string(second[name]), name)
	}
}

// TestRebaseRecordOtherConflict: a record for another conflict is not taken.
func TestRebaseRecordOtherConflict(t *testing.T) {
	rec := rebase.FormatResolutions([]rebase.Resolution{{Patch: "0001-one.patch", File: bucardo.Script,
		Conflict: "<<<<<<< ours\nx\n||||||| base\ny\n=======\nz\n>>>>>>> theirs\n", Resolved: "w\n"}})
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting(), Previous: map[string][]byte{rebase.ResolutionsName: rec}}
	require.ErrorIs(t, r.Run(), rebase.ErrConflict)
}

// TestRebaseUnrecorded: a file edited outside its marked region is taken,
// but its resolution cannot be recorded.
func TestRebaseUnrecorded(t *testing.T) {
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: conflicting()}
	require.ErrorIs(t, r.Run(), rebase.ErrConflict)
	files := resolve(r.Work, "s 10 both\n")
	files[bucardo.Script] = []byte(strings.Replace(string(files[bucardo.Script]), "s 1\n", "s 1 edited too\n", 1))
	require.NoError(t, r.Resolve(files), "Resolve")
	if !r.Done[0].Unrecorded || len(r.Resolutions) != 0 {
		t.Errorf("recorded an edit outside the markers: %+v", r.Resolutions)
	}
}

func TestResolutionsRoundTrip(t *testing.T) {
	in := []rebase.Resolution{
		{Patch: "a.patch", File: "bucardo", Conflict: "<<<<<<< ours\n+x\n||||||| base\n\n=======\n z\n>>>>>>> theirs\n", Resolved: "conflict a b c\n\n"},
		{Patch: "b.patch", File: "bucardo.schema", Conflict: "<<<<<<< ours\na\n||||||| base\n=======\n>>>>>>> theirs\n", Resolved: "no newline"},
	}
	out, err := rebase.ParseResolutions(rebase.FormatResolutions(in))
	require.NoError(t, err, "ParseResolutions")
	if len(out) != len(in) {
		t.Fatalf("got %d entries, want %d", len(out), len(in))
	}
	for i := range in {
		assert.Equal(t, in[i], out[i], i)
	}
	_, err = rebase.ParseResolutions([]byte("conflict a.patch bucardo\n x\n+y\n"))
	if err == nil {
		t.Error("a conflict without markers was read")
	}
}

func TestFilesNameTheNewRelease(t *testing.T) {
	r := &rebase.Rebase{Series: oldSeries(t), Old: oldFiles(), New: pristine(text("s", 40, nil), text("q", 10, nil)),
		SeriesFile: []byte("# Bucardo 5.6.0: the series (not 5.6.0.1, 5.6.0-4 or x/5.6.0)\n0001-one.patch\n0002-two.patch\n"),
		Extra:      map[string][]byte{"README.md": []byte("old readme\n"), "NOTES": []byte("kept\n")},
		From:       rebase.Label{Flavor: "upstream", Version: "5.6.0"}, Onto: rebase.Label{Flavor: "debian", Version: "5.6.0-4"}}
	require.NoError(t, r.Run(), "Run")
	files := r.Files()
	assert.Equal(t, "# Bucardo 5.6.0-4: the series (not 5.6.0.1, 5.6.0-4 or x/5.6.0)\n"+
		"# carried from upstream/5.6.0 onto debian/5.6.0-4 by bcfork rebase: do not edit, carry that series again\n0001-one.patch\n0002-two.patch\n", string(files["series"]))
	assert.Contains(t, string(files["README.md"]), "# Debian's bucardo package 5.6.0-4: the patch series of upstream/5.6.0, carried\n")
	assert.Contains(t, string(files["README.md"]), "| `0001-one.patch` | unchanged |\n")
	assert.Equal(t, "kept\n", string(files["NOTES"]))
}
