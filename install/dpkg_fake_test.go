package install

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packagedHost is a root whose script belongs to a package, with a fake
// dpkg that knows it. The state folder is outside the root.
func packagedHost(t *testing.T) (root string, o Options, dpkg *fakeDpkg) {
	root, o = hostWithOriginals(t)
	dpkg = newFakeDpkg(t, map[string]string{DefaultBin: "bucardo"})
	o.Dpkg = dpkg
	return root, o, dpkg
}

func TestInstallDivertsPackagedTarget(t *testing.T) {
	ctx := context.Background()
	root, o, dpkg := packagedHost(t)
	fork := writeFork(t, "5.6.0")
	res, err := Install(ctx, fork, o)
	require.NoError(t, err)
	assert.Contains(t, strings.Join(res.Actions, "\n"), "divert")

	div := dpkg.diversions(t)
	assert.Equal(t, Diversion{To: DefaultBin + ".distrib", By: Local}, div[DefaultBin], "diversion")
	assert.Len(t, div, 1, "only the packaged target is diverted")
	assert.Equal(t, origScript, readString(t, root, DefaultBin+".distrib"), "the packaged file at the diverted name")
	assert.Equal(t, sumOf(t, fork, "bucardo"), sumOf(t, root, DefaultBin), "fork")

	st, err := Status(ctx, o)
	require.NoError(t, err)
	assert.False(t, st.Drifted(), "drifted: "+strings.Join(st.Drift, "; "))
	assert.NotNil(t, st.Targets[0].Diversion, "status shows the diversion")

	// A package upgrade writes to the diverted name; the fork stays.
	put(t, root, DefaultBin+".distrib", origScript+"# 5.6.0-5\n", 0o755)
	st, err = Status(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, ContentFork, st.Targets[0].Content, "fork survives a package upgrade")

	res, err = Uninstall(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, origScript+"# 5.6.0-5\n", readString(t, root, DefaultBin), "uninstall puts back the package's current file")
	assert.Contains(t, strings.Join(res.Notes, "\n"), "was the package upgraded?")
	assert.Empty(t, dpkg.diversions(t), "diversions left")
	wantExists(t, filepath.Join(root, DefaultBin+".distrib"), false)
}

func TestDiversionRemovedIsDrift(t *testing.T) {
	ctx := context.Background()
	_, o, dpkg := packagedHost(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
	require.NoError(t, dpkg.RemoveDiversion(ctx, DefaultBin, DefaultBin+".distrib"))
	st, err := Status(ctx, o)
	require.NoError(t, err)
	assert.True(t, st.Drifted(), "drifted")
	assert.Contains(t, strings.Join(st.Drift, "\n"), "diversion")

	res, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
	assert.False(t, res.NoOp, "reinstall puts the diversion back")
	assert.Len(t, dpkg.diversions(t), 1, "diversions")
}

func TestDivertedByOtherIsRefused(t *testing.T) {
	ctx := context.Background()
	root, o, dpkg := packagedHost(t)
	require.NoError(t, dpkg.change("", "", func(s *dpkgState) error {
		s.Diversions[DefaultBin] = Diversion{To: DefaultBin + ".other", By: "other-pkg"}
		return nil
	}))
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.ErrorContains(t, err, "already diverted")
	assert.Equal(t, origScript, readString(t, root, DefaultBin), "untouched")
}

func TestStatusStates(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	fork := writeFork(t, "5.6.0")
	sums := sumOf(t, fork, "bucardo.orig") + "  bucardo\n" + sumOf(t, fork, "bucardo.schema.orig") + "  bucardo.schema\n"
	pins := catalog.New(fstest.MapFS{"upstream/5.6.0/checksums": {Data: []byte(sums)}})
	o := Options{Root: root, Now: fixedNow, Pins: pins}
	contents := func() string {
		t.Helper()
		st, err := Status(ctx, o)
		require.NoError(t, err)
		var out []string
		for _, ts := range st.Targets {
			out = append(out, ts.Content)
		}
		return st.State + ": " + strings.Join(out, " ") + " drifted=" + map[bool]string{true: "yes", false: "no"}[st.Drifted()]
	}
	assert.Equal(t, "not installed: absent absent drifted=no", contents(), "empty host")

	put(t, root, DefaultBin, readString(t, fork, "bucardo.orig"), 0o755)
	put(t, root, DefaultSchema, "something else\n", 0o644)
	assert.Equal(t, "not installed: pristine unknown drifted=no", contents(), "pristine and other")

	_, err := Install(ctx, fork, o)
	require.NoError(t, err)
	assert.Equal(t, "installed: fork fork drifted=no", contents(), "installed")

	require.NoError(t, os.Remove(filepath.Join(root, DefaultSchema)))
	assert.Equal(t, "installed: fork absent drifted=yes", contents(), "schema removed")

	require.NoError(t, os.Chmod(filepath.Join(root, DefaultBin), 0o644))
	st, err := Status(ctx, o)
	require.NoError(t, err)
	assert.Contains(t, strings.Join(st.Drift, "\n"), "mode 0644")

	put(t, root, DefaultBin, "#!/usr/bin/perl\n", 0o755)
	assert.Equal(t, "installed: modified absent drifted=yes", contents(), "script changed")

	o.Force = true
	_, err = Install(ctx, fork, o)
	require.NoError(t, err)
	rc, _ := ReadReceipt(Options{Root: root})
	rc.State = StateInstalling
	require.NoError(t, os.WriteFile(filepath.Join(root, "/var/lib/bcfork/receipt.json"), rc.encode(), 0o644))
	assert.Equal(t, "installing: fork fork drifted=yes", contents(), "interrupted")
}

func TestStatusKnowsDebianFiles(t *testing.T) {
	// Debian's packaged script, from the package itself (make test fetches it).
	data, err := os.ReadFile(filepath.Join(pristinetest.DebianFiles(t), "bucardo"))
	require.NoError(t, err)
	root := t.TempDir()
	put(t, root, DefaultBin, string(data), 0o755)
	st, err := Status(context.Background(), Options{Root: root})
	require.NoError(t, err)
	assert.Equal(t, ContentPackaged, st.Targets[0].Content, "content")
	assert.Equal(t, "packaged file of bucardo 5.6.0-4", st.Targets[0].Description, "description")
}
