package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReplaceDirRemovesABigOldFolderInBatches replaces a folder of one
// and a half batches of files, a subfolder and a link: the old folder's
// entries are read removeBatch at a time (100 here, and the default), a
// full batch and then the rest, everything in it is gone and the link's
// target is untouched. The files are hard links to one: a name each to
// read and unlink, without a new inode each (0.1 to 0.5 ms a file on this
// ext4). Not parallel: it changes removeBatch and readDir.
func TestReplaceDirRemovesABigOldFolderInBatches(t *testing.T) {
	for _, batch := range []int{100, removeBatch} {
		t.Run(fmt.Sprint(batch), func(t *testing.T) {
			savedBatch, savedRead := removeBatch, readDir
			t.Cleanup(func() { removeBatch, readDir = savedBatch, savedRead })
			removeBatch = batch
			calls, most := 0, 0
			readDir = func(f *os.File, n int) ([]os.DirEntry, error) {
				require.Equal(t, batch, n, "entries asked for")
				entries, err := savedRead(f, n)
				calls++
				most = max(most, len(entries))
				return entries, err
			}
			root := t.TempDir()
			dir, tmp, keep := filepath.Join(root, "d"), filepath.Join(root, "tmp"), filepath.Join(root, "keep")
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
			files := batch + batch/2
			first := filepath.Join(dir, "f00000")
			require.NoError(t, os.WriteFile(first, nil, 0o644))
			for i := 1; i < files; i++ {
				require.NoError(t, os.Link(first, filepath.Join(dir, fmt.Sprintf("f%05d", i))))
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "g"), nil, 0o644))
			require.NoError(t, os.WriteFile(keep, []byte("k"), 0o644))
			require.NoError(t, os.Symlink(keep, filepath.Join(dir, "link")))
			folder(t, tmp, "new")
			require.NoError(t, ReplaceDir(tmp, dir))
			checkOnly(t, root, "d", "keep")
			checkOnly(t, dir, "new")
			checkFile(t, keep, "k", 0o644)
			require.Equal(t, batch, most, "the most entries read at once")
			entries := files + 2 // and sub, link
			require.GreaterOrEqual(t, calls, (entries+batch-1)/batch, "reads")
		})
	}
}
