package upstream

import (
	"errors"
	"testing"
	"testing/fstest"

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
