package install

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/umasktest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInstallModesIgnoreUmask installs under each umask into a root that
// has a script but no schema folder: the state folder and what is in it,
// and the folders install makes for the schema, get the modes bcfork
// means; the receipt passes the trust check and a second install and an
// uninstall read it. Not parallel: it changes the process's umask.
func TestInstallModesIgnoreUmask(t *testing.T) {
	umasktest.Each(t, func(t *testing.T) {
		ctx := context.Background()
		root := t.TempDir()
		put(t, root, DefaultBin, origScript, 0o750)
		o := Options{Root: root, Now: fixedNow, Bcfork: "test"}
		fork := writeFork(t, "5.6.0")
		_, err := Install(ctx, fork, o)
		require.NoError(t, err)

		for _, d := range []string{"/var", "/var/lib", "/usr/local", "/usr/local/share", filepath.Dir(DefaultSchema)} {
			assertMode(t, filepath.Join(root, d), "0755")
		}
		err = filepath.WalkDir(filepath.Join(root, DefaultStateDir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			assertMode(t, p, "0755")
			return nil
		})
		require.NoError(t, err)
		for _, f := range []string{"receipt.json", "lock"} {
			assertMode(t, filepath.Join(root, DefaultStateDir, f), "0644")
		}
		pristines, err := filepath.Glob(filepath.Join(root, DefaultStateDir, "pristine/*"))
		require.NoError(t, err)
		require.NotEmpty(t, pristines)
		for _, p := range pristines {
			assertMode(t, p, "0644")
		}
		assertMode(t, filepath.Join(root, DefaultBin), "0755")
		assertMode(t, filepath.Join(root, DefaultSchema), "0644")

		_, err = ReadReceipt(Options{Root: root})
		require.NoError(t, err, "the receipt bcfork wrote")
		res, err := Install(ctx, fork, o)
		require.NoError(t, err)
		assert.True(t, res.NoOp, "second install")
		_, err = Uninstall(ctx, o)
		require.NoError(t, err)
		_, err = os.Lstat(filepath.Join(root, DefaultSchema))
		assert.ErrorIs(t, err, fs.ErrNotExist, "uninstall removed the schema")
	})
}
