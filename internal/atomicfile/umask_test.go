package atomicfile

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/umasktest"
	"github.com/stretchr/testify/require"
)

// TestModesIgnoreUmask shows that every folder and file this package
// creates (MkdirAll's folders, the folders above a WriteDir or WriteFolder
// and the folder itself, the files in it, Write's file) gets the mode
// asked for under any umask. Not parallel: it changes the process's umask.
func TestModesIgnoreUmask(t *testing.T) {
	umasktest.Each(t, func(t *testing.T) {
		root := t.TempDir()
		made, err := MkdirAll(filepath.Join(root, "m", "n"), 0o755)
		require.NoError(t, err)
		require.Len(t, made, 2)
		fork := filepath.Join(root, "out", "forks", "bcfork-5.6.0")
		require.NoError(t, WriteFolder(fork, false, func(d *Folder) error { return d.Create("bucardo", []byte("x"), 0o755) }))
		tree := filepath.Join(root, "tree", "d")
		require.NoError(t, WriteDir(tree, false, func(tmp string) error { return WriteNew(filepath.Join(tmp, "f"), nil, 0o644) }))
		require.NoError(t, Write(filepath.Join(root, "w"), nil, 0o644))

		for _, d := range []string{"m", "m/n", "out", "out/forks", "out/forks/bcfork-5.6.0", "tree", "tree/d"} {
			wantMode(t, filepath.Join(root, d), fs.ModeDir|0o755)
		}
		wantMode(t, filepath.Join(fork, "bucardo"), 0o755)
		wantMode(t, filepath.Join(tree, "f"), 0o644)
		wantMode(t, filepath.Join(root, "w"), 0o644)
	})
}

func wantMode(t *testing.T, name string, want fs.FileMode) {
	t.Helper()
	umasktest.WantModes(t, "", map[string]fs.FileMode{name: want})
}
