package upstream

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// debianPins is a patches tree pinning 9.9.9's files as debian 9.9.9-1.
func debianPins() fstest.MapFS {
	sums := catalog.ChecksumLines(fakegithub.Files("9.9.9"))
	return fstest.MapFS{"debian/9.9.9-1/checksums": {Data: []byte(sums)}}
}

func TestFetchFlavorNotFromGitHub(t *testing.T) {
	w := newWorld(t)
	for _, offline := range []bool{false, true} {
		_, err := w.fetch(t, func(o *Options) { o.Flavor, o.Version, o.Pins, o.Offline = "debian", "9.9.9-1", debianPins(), offline })
		require.ErrorIs(t, err, ErrInvalid)
		var fe *FlavorError
		if !errors.As(err, &fe) || fe.Flavor != "debian" {
			t.Fatalf("error = %#v, want a *FlavorError", err)
		}
		assert.EqualError(t, err, "flavor debian: the files come from the Debian package, not from GitHub")
	}
	wantRequests(t, w.srv, 0)
}

func TestFetchFlavorFromDir(t *testing.T) {
	w := newWorld(t)
	dir := writeDir(t, fakegithub.Files("9.9.9"))
	r := w.mustFetch(t, func(o *Options) { o.Flavor, o.Version, o.Pins, o.From = "debian", "9.9.9-1", debianPins(), dir })
	if r.Version != "9.9.9-1" || !r.Pinned || r.Pin != "debian/9.9.9-1/checksums" || r.Kind != "dir" {
		t.Errorf("release = %+v", r)
	}
	wantFiles(t, r, "9.9.9")
	wantRequests(t, w.srv, 0)
}

func TestFetchFlavorVersionMismatch(t *testing.T) {
	w := newWorld(t)
	dir := writeDir(t, fakegithub.Files("9.9.9"))
	_, err := w.fetch(t, func(o *Options) { o.Flavor, o.Version, o.Pins, o.From = "debian", "9.9.8-1", debianPins(), dir })
	require.ErrorIs(t, err, ErrVersionMismatch)
	// The upstream flavor takes 9.9.9-1 as a label, as before.
	r := w.mustFetch(t, func(o *Options) { o.Version, o.From, o.AllowUnpinned = "9.9.9-1", dir, true })
	if r.Version != "9.9.9-1" || r.Pinned {
		t.Errorf("release = %+v", r)
	}
}

func TestFetchFlavorInvalid(t *testing.T) {
	w := newWorld(t)
	for _, f := range []string{"../x", "Debian", "-x", "a/b", "a b"} {
		_, err := w.fetch(t, func(o *Options) { o.Flavor = f })
		require.ErrorIs(t, err, ErrInvalid)
	}
	wantRequests(t, w.srv, 0)
}

func TestValidFlavor(t *testing.T) {
	for _, f := range []string{"upstream", "debian", "ubuntu-22_04", "0x"} {
		assert.NoError(t, ValidFlavor(f), "ValidFlavor(%q)", f)
	}
	for _, f := range []string{"", ".", "..", "../x", "Debian", "_x", "-x", "a/b", "a.b", "a b"} {
		assert.ErrorIs(t, ValidFlavor(f), ErrInvalid, "ValidFlavor(%q)", f)
	}
}

func TestAgreeVersion(t *testing.T) {
	for _, c := range []struct {
		flavor, asked, found, want string
		mismatch                   bool
	}{
		{"upstream", "", "5.6.0", "5.6.0", false},
		{"upstream", "5.6.0", "5.6.0", "5.6.0", false},
		{"upstream", "5.5.0", "5.6.0", "", true},
		{"upstream", "master", "5.6.0", "master", false},
		{"upstream", "5.6.0-4", "5.6.0", "5.6.0-4", false}, // a label, as before
		{"upstream", "5.6.1-4", "5.6.0", "5.6.1-4", false},
		{"debian", "", "5.6.0", "5.6.0", false},
		{"debian", "5.6.0-4", "5.6.0", "5.6.0-4", false},
		{"debian", "5.6.0-4-bpo1", "5.6.0", "5.6.0-4-bpo1", false},
		{"debian", "5.6.0", "5.6.0", "5.6.0", false},
		{"debian", "5.5.0-1", "5.6.0", "", true},
		{"debian", "5.6.0-4", "5.5.0", "", true},
	} {
		got, err := agreeVersion(c.flavor, c.asked, c.found)
		if got != c.want || errors.Is(err, ErrVersionMismatch) != c.mismatch {
			t.Errorf("agreeVersion(%q, %q, %q) = %q, %v", c.flavor, c.asked, c.found, got, err)
		}
	}
}

// writeRoot writes files where Debian's package installs them under a new
// root folder, and returns the root.
func writeRoot(t *testing.T, files map[string][]byte) string {
	t.Helper()
	root := t.TempDir()
	for name, path := range map[string]string{bucardo.Script: "usr/bin/bucardo", bucardo.Schema: "usr/share/bucardo/bucardo.schema"} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// A root folder (--from /) gives the files where the package put them.
func TestFetchFlavorFromRoot(t *testing.T) {
	w := newWorld(t)
	root := writeRoot(t, fakegithub.Files("9.9.9"))
	var log strings.Builder
	r := w.mustFetch(t, func(o *Options) {
		o.Flavor, o.Version, o.Pins, o.From, o.Log = "debian", "9.9.9-1", debianPins(), root, &log
	})
	wantFiles(t, r, "9.9.9")
	if want := "reading the packaged files " + filepath.Join(root, "usr/bin/bucardo") + " and "; !strings.Contains(log.String(), want) {
		t.Errorf("log %q lacks %q", log.String(), want)
	}
}

// Once bcfork has installed its fork over the packaged script, dpkg-divert
// has moved the package's file to bucardo.distrib: that is the one read.
func TestFetchFlavorFromRootDiverted(t *testing.T) {
	w := newWorld(t)
	root := writeRoot(t, map[string][]byte{bucardo.Script: []byte("#!/usr/bin/perl\n# the fork\n"), bucardo.Schema: fakegithub.Files("9.9.9")[bucardo.Schema]})
	if err := os.WriteFile(filepath.Join(root, "usr/bin/bucardo.distrib"), fakegithub.Files("9.9.9")[bucardo.Script], 0o755); err != nil {
		t.Fatal(err)
	}
	r := w.mustFetch(t, func(o *Options) { o.Flavor, o.Version, o.Pins, o.From = "debian", "9.9.9-1", debianPins(), root })
	wantFiles(t, r, "9.9.9")
}
