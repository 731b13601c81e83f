package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReplaceDirRemovesABigOldFolderInBatches replaces a folder of a few
// thousand files, a subfolder and a link: the old folder's entries are
// read removeBatch at a time (100 here, and the default), everything in
// it is gone and the link's target is untouched. Not parallel: it changes
// removeBatch and readDir.
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
			for i := range 3000 {
				require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), nil, 0o644))
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
			require.GreaterOrEqual(t, calls, 3002/batch, "reads")
		})
	}
}
