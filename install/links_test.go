package install

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// namedOnce asserts that err is ErrLink and names the link at path,
// quoted, once: a message that wraps the link's error names it only there.
func namedOnce(t *testing.T, what string, err error, path string) {
	t.Helper()
	isOnce(t, what, err, ErrLink, path)
}

// isOnce asserts that err is want and names path, quoted, once.
func isOnce(t *testing.T, what string, err, want error, path string) {
	t.Helper()
	if assert.ErrorIs(t, err, want, what) {
		assert.Equal(t, 1, strings.Count(err.Error(), strconv.Quote(path)), "%s: %q names %s once", what, err, path)
	}
}

// linkOut moves what host path p under root holds to outside and puts a
// link to it there; it returns the link's real path.
func linkOut(t *testing.T, root, outside, p string) string {
	t.Helper()
	real := filepath.Join(root, p)
	target := filepath.Join(outside, filepath.Base(p))
	require.NoError(t, os.MkdirAll(outside, 0o755))
	require.NoError(t, os.Rename(real, target))
	require.NoError(t, os.Symlink(target, real))
	return real
}

// TestStateLinkNamedOnce: a state folder, lock or receipt that is a link
// is refused by install, uninstall and status, naming the link once.
func TestStateLinkNamedOnce(t *testing.T) {
	ctx := context.Background()
	for _, p := range []string{DefaultStateDir, DefaultStateDir + "/lock", DefaultStateDir + "/receipt.json"} {
		t.Run(p, func(t *testing.T) {
			root, o := hostWithOriginals(t)
			_, err := Install(ctx, writeFork(t, "5.6.0"), o)
			require.NoError(t, err)
			link := linkOut(t, root, filepath.Join(filepath.Dir(root), "outside"), p)
			o.Force = true
			_, err = Install(ctx, writeFork(t, "5.6.0"), o)
			namedOnce(t, "install", err, link)
			_, err = Status(ctx, o)
			namedOnce(t, "status", err, link)
			_, err = Uninstall(ctx, o)
			namedOnce(t, "uninstall", err, link)
		})
	}
}

// TestVersionLinkNamedOnce: a Bucardo.pm or a script that is a link is
// refused when its version is read, naming the link once.
func TestVersionLinkNamedOnce(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	put(t, root, DefaultBin, origScript, 0o755)
	put(t, root, "/usr/share/perl5/Bucardo.pm", "our $VERSION = '5.6.0';\n", 0o644)
	outside := filepath.Join(filepath.Dir(root), "outside")
	pm := linkOut(t, root, outside, "/usr/share/perl5/Bucardo.pm")
	_, err := FindModule(root, nil)
	namedOnce(t, "Bucardo.pm", err, pm)
	bin := linkOut(t, root, outside, DefaultBin)
	_, err = HostFileVersion(root, DefaultBin)
	namedOnce(t, "script", err, bin)
}
