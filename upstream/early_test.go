package upstream

import (
	"archive/tar"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFetchEarlySameRelease: with Early, a tarball read in two parts gives
// the release a whole read gives, once Wait has returned.
func TestFetchEarlySameRelease(t *testing.T) {
	w := newWorld(t)
	commit := strings.Repeat("cd", 20)
	for name, entries := range map[string][]tarEntry{
		"files last":          release("Bucardo-9.9.9", "9.9.9"),
		"entries after files": append(release("Bucardo-9.9.9", "9.9.9"), file("Bucardo-9.9.9/t/02.t", []byte("ok\n")), dirEntry("Bucardo-9.9.9/x/")),
		"pinned commit first": append([]tarEntry{paxCommit(w.commit)}, release("Bucardo-9.9.9", "9.9.9")...),
		"pinned commit last":  append(release("Bucardo-9.9.9", "9.9.9"), paxCommit(w.commit)),
		"unpinned commit last": append(release("Bucardo-9.9.8", "9.9.8"), file("Bucardo-9.9.8/y", nil),
			paxCommit(commit), file("Bucardo-9.9.8/z", nil)),
	} {
		t.Run(name, func(t *testing.T) {
			tgz := writeTarball(t, entries)
			edit := func(o *Options) { o.From = tgz; o.Version = ""; o.AllowUnpinned = true }
			whole := w.mustFetch(t, edit)
			early, err := w.fetchWhole(t, edit)
			require.NoError(t, err)
			assert.NotEmpty(t, whole.Tarball)
			early.rest = nil
			assert.Equal(t, whole, early)
		})
	}
}

// TestFetchEarlyRefusesLateCommit: a commit named after the files, other
// than the pinned one, is refused by Wait as Fetch refuses it.
func TestFetchEarlyRefusesLateCommit(t *testing.T) {
	w := newWorld(t)
	other := strings.Repeat("ab", 20)
	tgz := writeTarball(t, append(release("Bucardo-9.9.9", "9.9.9"), paxCommit(other)))
	_, err := w.fetch(t, func(o *Options) { o.From = tgz })
	var ce *CommitError
	require.ErrorAs(t, err, &ce, "whole")
	r, err := w.fetch(t, func(o *Options) { o.From = tgz; o.Early = true })
	require.NoError(t, err, "Fetch returns before the commit is read")
	err = r.Wait()
	require.ErrorAs(t, err, &ce, "Wait")
	assert.Equal(t, other, ce.Got)
	assert.Equal(t, err, r.Wait(), "Wait again")
}

// TestFetchEarlyDecidesOnTheLastCommit: a tarball may name a commit in a
// pax global header before the files and another after them. A whole read
// takes the last; so does an early one, whatever it saw first: the same
// outcome, error and release once Wait has returned.
func TestFetchEarlyDecidesOnTheLastCommit(t *testing.T) {
	w := newWorld(t)
	other := strings.Repeat("ab", 20)
	files := func(version string, before ...tarEntry) []tarEntry {
		return append(before, release("Bucardo-"+version, version)...)
	}
	between := release("Bucardo-9.9.9", "9.9.9") // a header between the two files
	between = append(between[:3:3], append([]tarEntry{paxCommit(other)}, between[3:]...)...)
	for name, tt := range map[string]struct {
		entries []tarEntry
		want    error // nil, a *CommitError or a *ChecksumError
	}{
		"other then pinned":            {entries: append(files("9.9.9", paxCommit(other)), paxCommit(w.commit))},
		"pinned then other":            {entries: append(files("9.9.9", paxCommit(w.commit)), paxCommit(other)), want: &CommitError{}},
		"other, pinned, other":         {entries: append(files("9.9.9", paxCommit(other)), paxCommit(w.commit), paxCommit(other)), want: &CommitError{}},
		"pinned, other, pinned":        {entries: append(files("9.9.9", paxCommit(w.commit)), paxCommit(other), paxCommit(w.commit))},
		"other between, pinned after":  {entries: append(between, file("Bucardo-9.9.9/z", nil), paxCommit(w.commit))},
		"other only":                   {entries: files("9.9.9", paxCommit(other)), want: &CommitError{}},
		"bad files, other then pinned": {entries: append(files("9.9.7", paxCommit(other)), paxCommit(w.commit)), want: &ChecksumError{}},
	} {
		t.Run(name, func(t *testing.T) {
			tgz := writeTarball(t, tt.entries)
			edit := func(o *Options) { o.From = tgz; o.Version = "" }
			whole, werr := w.fetch(t, edit)
			early, eerr := w.fetchWhole(t, edit)
			switch tt.want.(type) {
			case nil:
				require.NoError(t, werr, "whole")
				assert.True(t, whole.Pinned)
			case *CommitError:
				var ce *CommitError
				require.ErrorAs(t, werr, &ce, "whole")
				assert.Equal(t, other, ce.Got)
			case *ChecksumError:
				var ce *ChecksumError
				require.ErrorAs(t, werr, &ce, "whole")
			}
			assert.Equal(t, werr, eerr, "early")
			require.NotNil(t, whole)
			require.NotNil(t, early)
			early.rest = nil
			assert.Equal(t, *whole, *early)
		})
	}
}

// TestFetchEarlyReportsTheArchiveFirst: what the rest of the archive holds
// is the error, even when the files read first fail their pins.
func TestFetchEarlyReportsTheArchiveFirst(t *testing.T) {
	w := newWorld(t)
	tgz := writeTarball(t, append(release("Bucardo-9.9.7", "9.9.7"),
		tarEntry{hdr: tar.Header{Name: "Bucardo-9.9.7/evil", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}}))
	for _, early := range []bool{false, true} {
		_, err := w.fetch(t, func(o *Options) { o.From = tgz; o.Version = ""; o.Early = early })
		require.ErrorIs(t, err, ErrUnsafeArchive, "early %v", early)
		assert.False(t, errors.Is(err, ErrChecksum), "early %v: %v", early, err)
	}
}
