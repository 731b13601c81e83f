package beneath

import (
	"errors"
	"fmt"
	"io/fs"
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

// TestRemoveAllReadsInBatches removes a tree of a few thousand entries,
// links among them, reading at most removeBatch names of a folder at a
// time (100 here, and the default): everything is gone, nothing a link
// points to is touched. Not parallel: it changes removeBatch and
// readNames.
func TestRemoveAllReadsInBatches(t *testing.T) {
	for _, batch := range []int{100, removeBatch} {
		t.Run(fmt.Sprint(batch), func(t *testing.T) {
			savedBatch, savedRead := removeBatch, readNames
			t.Cleanup(func() { removeBatch, readNames = savedBatch, savedRead })
			removeBatch = batch
			calls, most := 0, 0
			readNames = func(f *os.File, n int) ([]string, error) {
				require.Equal(t, batch, n, "names asked for")
				names, err := savedRead(f, n)
				calls++
				most = max(most, len(names))
				return names, err
			}
			w := newWorld(t)
			tree := w.root + "/inside/tree"
			fill(t, tree, 3000)
			fill(t, tree+"/sub", 500)
			require.NoError(t, os.Symlink(w.outside, tree+"/out"))
			require.NoError(t, os.Symlink(w.outside+"/victim", tree+"/sub/victim"))
			require.NoError(t, w.r.RemoveAll(tree))
			_, err := os.Lstat(tree)
			require.ErrorIs(t, err, fs.ErrNotExist)
			untouched(t, w)
			require.Equal(t, batch, most, "the most names read at once")
			require.GreaterOrEqual(t, calls, 3500/batch, "reads")
		})
	}
}

// TestRemoveAllReportsAReadError: a folder's names that cannot be read
// stop the removal with the error, naming the folder; what was read
// before is removed.
func TestRemoveAllReportsAReadError(t *testing.T) {
	saved := readNames
	t.Cleanup(func() { readNames = saved })
	broken := errors.New("broken")
	readNames = func(f *os.File, n int) ([]string, error) {
		names, _ := saved(f, 1)
		return names, broken
	}
	w := newWorld(t)
	tree := w.root + "/inside/tree"
	fill(t, tree, 2)
	err := w.r.RemoveAll(tree)
	require.ErrorIs(t, err, broken)
	require.Equal(t, "readdir "+tree+": broken", err.Error())
	entries, err := os.ReadDir(tree)
	require.NoError(t, err)
	require.Len(t, entries, 1)
}
