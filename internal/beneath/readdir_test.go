package beneath

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadDirCapsTheEntries lowers the cap to 5 and lists folders of 5
// and 6 entries: the second is refused with an error naming the folder
// and the cap. Not parallel: it changes maxEntries.
func TestReadDirCapsTheEntries(t *testing.T) {
	saved := maxEntries
	maxEntries = 5
	t.Cleanup(func() { maxEntries = saved })
	eachWalk(t, func(t *testing.T) {
		root := t.TempDir()
		r := New(root)
		full, over := filepath.Join(root, "a/full"), filepath.Join(root, "a/over")
		fill(t, full, 5)
		fill(t, over, 6)
		entries, err := r.ReadDir(full)
		require.NoError(t, err)
		require.Len(t, entries, 5)
		entries, err = r.ReadDir(over)
		require.ErrorIs(t, err, ErrTooManyEntries)
		require.Equal(t, fmt.Sprintf("readdir %s: too many entries: more than 5, the most bcfork reads of one folder", over), err.Error())
		require.Nil(t, entries)
	})
}

// TestReadDirReadsInBatches lists a folder of more entries than one batch
// holds, and an empty one.
func TestReadDirReadsInBatches(t *testing.T) {
	root := t.TempDir()
	fill(t, filepath.Join(root, "many"), 1100)
	require.NoError(t, os.Mkdir(filepath.Join(root, "empty"), 0o755))
	entries, err := New(root).ReadDir(filepath.Join(root, "many"))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Name()] = true
	}
	require.Len(t, seen, 1100)
	entries, err = New(root).ReadDir(filepath.Join(root, "empty"))
	require.NoError(t, err)
	require.Empty(t, entries)
}

// fill makes the folder dir with n empty files.
func fill(t *testing.T, dir string, n int) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for i := range n {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), nil, 0o644))
	}
}
