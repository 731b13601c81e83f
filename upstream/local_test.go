package upstream

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bcfork/bcfork/internal/fakegithub"
)

// tarEntry is one entry of a tarball built by a test.
type tarEntry struct {
	hdr  tar.Header
	body []byte
}

func file(name string, body []byte) tarEntry {
	return tarEntry{tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}, body}
}

func dirEntry(name string) tarEntry {
	return tarEntry{hdr: tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755}}
}

// release is the entries of a well-formed release tarball of version.
func release(top, version string) []tarEntry {
	files := fakegithub.Files(version)
	return []tarEntry{
		dirEntry(top + "/"),
		file(top+"/README", []byte("Bucardo\n")),
		file(top+"/bucardo", files[bucardo.Script]),
		dirEntry(top + "/t/"),
		file(top+"/t/01-basic.t", []byte("ok\n")),
		file(top+"/bucardo.schema", files[bucardo.Schema]),
	}
}

func writeTarball(t *testing.T, entries []tarEntry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := e.hdr
		require.NoError(t, tw.WriteHeader(&h))
		if _, err := tw.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	require.NoError(t, tw.Close())
	zw.Close()
	p := filepath.Join(t.TempDir(), "Bucardo.tar.gz")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
	return p
}

func TestFetchTarball(t *testing.T) {
	w := newWorld(t)
	tgz := writeTarball(t, release("Bucardo-9.9.9", "9.9.9"))
	r := w.mustFetch(t, func(o *Options) { o.From = tgz; o.Version = "" })
	wantFiles(t, r, "9.9.9")
	if r.Kind != "tarball" || r.Location != tgz || r.Version != "9.9.9" || !r.Pinned {
		t.Errorf("release = %+v", r)
	}
	data, err := os.ReadFile(tgz)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	assert.Equal(t, hex.EncodeToString(sum[:]), r.Tarball, "the whole tarball's sha256")
	if r.Commit != w.commit || r.CommitPin != "upstream/9.9.9/commit" {
		t.Errorf("commit %q (pin %q), want the pinned %s", r.Commit, r.CommitPin, w.commit)
	}
	wantRequests(t, w.srv, 0)
	wantNotCached(t, w, "9.9.9")
}

// A tarball's sum is the whole file's, hashed up to what an archive may
// hold: bytes after the archive's end count, and too many are refused.
func TestFetchTarballTrailingBytes(t *testing.T) {
	w := newWorld(t)
	tgz := writeTarball(t, release("Bucardo-9.9.9", "9.9.9"))
	f, err := os.OpenFile(tgz, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.Write(make([]byte, 20000))
	require.NoError(t, f.Close())
	require.NoError(t, err)
	data, err := os.ReadFile(tgz)
	require.NoError(t, err)
	r := w.mustFetch(t, func(o *Options) { o.From = tgz; o.Version = "" })
	sum := sha256.Sum256(data)
	assert.Equal(t, hex.EncodeToString(sum[:]), r.Tarball, "the whole file's sha256, trailing bytes included")

	defer func(a int64) { maxArchiveSize = a }(maxArchiveSize)
	maxArchiveSize = 4000
	_, err = w.fetch(t, func(o *Options) { o.From = tgz; o.Version = "" })
	require.ErrorIs(t, err, ErrUnsafeArchive)
	assert.ErrorContains(t, err, "more than 4000 bytes after the archive's end")
}

// GitHub's tag tarballs name their commit in a pax global header.
func TestFetchGitHubTarballHasCommit(t *testing.T) {
	w := newWorld(t)
	tgz := writeTarball(t, append([]tarEntry{paxCommit(w.commit)}, release("bucardo-bucardo-13f98c5", "9.9.9")...))
	r := w.mustFetch(t, func(o *Options) { o.From = tgz })
	if r.Commit != w.commit || r.CommitPin == "" {
		t.Errorf("commit %q (pin %q), want %q", r.Commit, r.CommitPin, w.commit)
	}
	// Unpinned, the header's commit is taken as it is.
	commit := strings.Repeat("ab", 20)
	tgz = writeTarball(t, append([]tarEntry{paxCommit(commit)}, release("bucardo-bucardo-abababa", "9.9.8")...))
	r = w.mustFetch(t, func(o *Options) { o.From = tgz; o.Version = ""; o.AllowUnpinned = true })
	if r.Commit != commit || r.CommitPin != "" {
		t.Errorf("unpinned: commit %q (pin %q), want %q", r.Commit, r.CommitPin, commit)
	}
}

// A tarball naming another commit than the pinned one is refused, even
// when its files match the checksums.
func TestFetchTarballOtherCommit(t *testing.T) {
	w := newWorld(t)
	other := strings.Repeat("ab", 20)
	tgz := writeTarball(t, append([]tarEntry{paxCommit(other)}, release("bucardo-bucardo-abababa", "9.9.9")...))
	_, err := w.fetch(t, func(o *Options) { o.From = tgz })
	require.ErrorIs(t, err, ErrChecksum)
	var ce *CommitError
	if !errors.As(err, &ce) || ce.Want != w.commit || ce.Got != other || ce.Tag != "" || ce.Pin != "upstream/9.9.9/commit" {
		t.Fatalf("error = %#v", err)
	}
	assert.ErrorContains(t, err, "expected commit "+w.commit+" (pinned in upstream/9.9.9/commit), actual "+other)
}

func paxCommit(commit string) tarEntry {
	return tarEntry{hdr: tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": commit}}}
}

func TestFetchTarballVersion(t *testing.T) {
	w := newWorld(t)
	tgz := writeTarball(t, release("Bucardo-9.9.9", "9.9.9"))
	_, err := w.fetch(t, func(o *Options) { o.From = tgz; o.Version = "9.9.8" })
	require.ErrorIs(t, err, ErrVersionMismatch)
	assert.ErrorContains(t, err, "asked for 9.9.8, but bucardo says $VERSION is 9.9.9")
	// A ref names the files of a checkout, unpinned.
	r := w.mustFetch(t, func(o *Options) { o.From = tgz; o.Version = "master"; o.AllowUnpinned = true })
	if r.Version != "master" || r.Pinned {
		t.Errorf("release = %+v", r)
	}
}

func TestFetchTarballPinMismatch(t *testing.T) {
	w := newWorld(t)
	tgz := writeTarball(t, release("Bucardo-9.9.7", "9.9.7"))
	_, err := w.fetch(t, func(o *Options) { o.From = tgz; o.Version = "" })
	require.ErrorIs(t, err, ErrChecksum)
	assert.ErrorContains(t, err, "from tarball "+tgz)
}

func TestFetchTarballUnpinned(t *testing.T) {
	w := newWorld(t)
	tgz := writeTarball(t, release("Bucardo-9.9.8", "9.9.8"))
	_, err := w.fetch(t, func(o *Options) { o.From = tgz; o.Version = "" })
	require.ErrorIs(t, err, ErrUnpinned)
	r := w.mustFetch(t, func(o *Options) { o.From = tgz; o.Version = ""; o.AllowUnpinned = true })
	if r.Pinned || r.Version != "9.9.8" {
		t.Errorf("release = %+v", r)
	}
}

func TestFetchHostileTarballs(t *testing.T) {
	files := fakegithub.Files("9.9.9")
	big := bytes.Repeat([]byte("x"), 2000)
	tests := map[string]struct {
		entries []tarEntry
		want    string
	}{
		"symlink": {append(release("B", "9.9.9"),
			tarEntry{hdr: tar.Header{Name: "B/evil", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}}), `"B/evil" is a link`},
		"symlinked script": {[]tarEntry{dirEntry("B/"), file("B/real", files[bucardo.Script]),
			tarEntry{hdr: tar.Header{Name: "B/bucardo", Typeflag: tar.TypeSymlink, Linkname: "real"}}}, "is a link"},
		"hardlink": {append(release("B", "9.9.9"),
			tarEntry{hdr: tar.Header{Name: "B/hard", Typeflag: tar.TypeLink, Linkname: "B/bucardo"}}), "is a link"},
		"absolute path":  {append(release("B", "9.9.9"), file("/etc/cron.d/x", []byte("x"))), "absolute or leaves"},
		"dot-dot path":   {append(release("B", "9.9.9"), file("B/../../x", []byte("x"))), "absolute or leaves"},
		"two top levels": {append(release("B", "9.9.9"), file("C/x", []byte("x"))), "more than one top folder"},
		"file at top":    {append([]tarEntry{file("bucardo", files[bucardo.Script])}, release("B", "9.9.9")...), "outside a top folder"},
		"device": {append(release("B", "9.9.9"),
			tarEntry{hdr: tar.Header{Name: "B/dev", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}}), "not a file or folder"},
		"script twice":     {append(release("B", "9.9.9"), file("B/bucardo", files[bucardo.Script])), "appears twice"},
		"file too big":     {append(release("B", "9.9.9")[:2], file("B/bucardo", big)), "more than 1000"},
		"archive too big":  {append(release("B", "9.9.9"), file("B/a", big), file("B/b", big)), "bytes unpacked"},
		"no schema":        {release("B", "9.9.9")[:3], `no "bucardo.schema"`},
		"too many entries": {append(release("B", "9.9.9"), file("B/1", nil), file("B/2", nil), file("B/3", nil), file("B/4", nil)), "more than 8 entries"},
		"gzip bomb":        {append(release("B", "9.9.9"), file("B/zeros", make([]byte, 3000))), "bytes unpacked"},
		"empty":            {nil, "empty archive"},
	}
	defer func(f, a int64, n int) { maxFileSize, maxArchiveSize, maxEntries = f, a, n }(maxFileSize, maxArchiveSize, maxEntries)
	maxFileSize, maxArchiveSize, maxEntries = 1000, 4000, 8
	w := newWorld(t)
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			tgz := writeTarball(t, tt.entries)
			_, err := w.fetch(t, func(o *Options) { o.From = tgz })
			require.ErrorContains(t, err, tt.want)
			// Early: the same refusal, from Fetch or from Wait.
			_, err = w.fetchWhole(t, func(o *Options) { o.From = tgz })
			require.ErrorContains(t, err, tt.want, "Early")
		})
	}
}

func TestFetchNotGzip(t *testing.T) {
	w := newWorld(t)
	p := filepath.Join(t.TempDir(), "x.tar.gz")
	os.WriteFile(p, []byte("not gzip"), 0o644)
	_, err := w.fetch(t, func(o *Options) { o.From = p })
	require.ErrorContains(t, err, "not gzip-compressed")
}

func writeDir(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}

func TestFetchDir(t *testing.T) {
	w := newWorld(t)
	dir := writeDir(t, fakegithub.Files("9.9.9"))
	r := w.mustFetch(t, func(o *Options) { o.From = dir; o.Version = "" })
	wantFiles(t, r, "9.9.9")
	if r.Kind != "dir" || r.Location != dir || r.Version != "9.9.9" || !r.Pinned || r.Commit != w.commit {
		t.Errorf("release = %+v", r)
	}
	wantRequests(t, w.srv, 0)
}

func TestFetchDirRefuses(t *testing.T) {
	w := newWorld(t)
	dir := writeDir(t, fakegithub.Files("9.9.7"))
	_, err := w.fetch(t, func(o *Options) { o.From = dir; o.Version = "" })
	require.ErrorIs(t, err, ErrChecksum)

	os.Remove(filepath.Join(dir, "bucardo.schema"))
	os.Symlink("/etc/passwd", filepath.Join(dir, "bucardo.schema"))
	_, err = w.fetch(t, func(o *Options) { o.From = dir; o.Version = "" })
	assert.ErrorContains(t, err, `is a symbolic link to "/etc/passwd"`, "symlink")

	os.Remove(filepath.Join(dir, "bucardo.schema"))
	_, err = w.fetch(t, func(o *Options) { o.From = dir; o.Version = "" })
	assert.ErrorContains(t, err, "bucardo.schema", "missing")
}

func TestFetchDirWithoutVersion(t *testing.T) {
	w := newWorld(t)
	dir := writeDir(t, map[string][]byte{bucardo.Script: []byte("#!/usr/bin/perl\n"), bucardo.Schema: []byte("--\n")})
	_, err := w.fetch(t, func(o *Options) { o.From = dir; o.Version = "" })
	assert.ErrorContains(t, err, "$VERSION")
	dir = writeDir(t, map[string][]byte{bucardo.Script: []byte("our $VERSION = '../../x';\n"), bucardo.Schema: []byte("--\n")})
	_, err = w.fetch(t, func(o *Options) { o.From = dir; o.Version = "" })
	assert.Error(t, err, "a $VERSION of ../../x")
}

// TestPristineTarball reads the real Bucardo 5.6.0 release (Debian's orig
// tarball) and checks it against the embedded pins.
func TestPristineTarball(t *testing.T) {
	tgz := pristinetest.Tarball(t)
	r, err := Fetch(t.Context(), Options{From: tgz, CacheDir: ""})
	require.NoError(t, err)
	if r.Version != "5.6.0" || !r.Pinned || r.Kind != "tarball" {
		t.Errorf("release = %+v", r)
	}
	// Debian's orig tarball names no commit: it gets the pinned one.
	if r.Commit != "13f98c533f1160da412d82f66ca26c7c11fcb466" || r.CommitPin != "upstream/5.6.0/commit" {
		t.Errorf("commit %q (pin %q), want 5.6.0's", r.Commit, r.CommitPin)
	}
	sizes := map[string]int{bucardo.Script: 364221, bucardo.Schema: 101718}
	for name, size := range sizes {
		assert.Len(t, r.Files[name], size, name)
	}
	pins, err := os.ReadFile("../patches/upstream/5.6.0/checksums")
	require.NoError(t, err)
	assert.Equal(t, string(pins), catalog.ChecksumLines(r.Files), "checksums: the pins")
}
