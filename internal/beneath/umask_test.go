package beneath

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/umasktest"
	"github.com/stretchr/testify/require"
)

// TestCreateIgnoresUmask shows that what a Root creates (folders, the
// missing root folder and its parents, files written, files opened with
// O_CREATE) gets the mode asked for under any umask, and passes the trust
// check. Not parallel: it changes the process's umask.
func TestCreateIgnoresUmask(t *testing.T) {
	umasktest.Each(t, func(t *testing.T) {
		top := t.TempDir()
		root := filepath.Join(top, "a/root")
		r := New(root)
		state := root + "/var/lib/bcfork"
		require.NoError(t, r.MkdirAll(state, 0o755))
		require.NoError(t, r.Mkdir(state+"/instances", 0o755))
		require.NoError(t, r.WriteFile(state+"/receipt.json", []byte("{}\n"), 0o644))
		f, err := r.Open(state+"/lock", os.O_RDWR|os.O_CREATE, 0o644)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		require.NoError(t, r.WriteFile(state+"/secret", nil, 0o600))
		f, err = r.Open(state+"/secret", os.O_RDWR|os.O_CREATE, 0o644)
		require.NoError(t, err)
		require.NoError(t, f.Close())

		for _, d := range []string{top + "/a", root, root + "/var", root + "/var/lib", state, state + "/instances"} {
			wantMode(t, d, fs.ModeDir|0o755)
		}
		wantMode(t, state+"/receipt.json", 0o644)
		wantMode(t, state+"/lock", 0o644)
		wantMode(t, state+"/secret", 0o600) // O_CREATE leaves an existing file's mode alone
		_, info, err := r.ReadFile(state+"/receipt.json", 100)
		require.NoError(t, err)
		require.NoError(t, r.TrustedFile(state+"/receipt.json", info))
	})
}

func wantMode(t *testing.T, name string, want fs.FileMode) {
	t.Helper()
	umasktest.WantModes(t, "", map[string]fs.FileMode{name: want})
}
