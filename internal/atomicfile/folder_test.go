package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteFolder(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "new", "d")
	fill := func(d *Folder) error {
		require.NoError(t, d.Create("x", []byte("exec"), 0o750))
		return d.Create("y", []byte("data"), 0o600)
	}
	require.NoError(t, WriteFolder(dir, false, fill))
	checkFile(t, filepath.Join(dir, "x"), "exec", 0o750)
	checkFile(t, filepath.Join(dir, "y"), "data", 0o600)
	checkOnly(t, dir, "x", "y")
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o755), fi.Mode().Perm(), "folder mode")

	require.ErrorIs(t, WriteFolder(dir, false, fill), ErrExists, "WriteFolder over a folder without force")
	require.NoError(t, WriteFolder(dir, true, func(d *Folder) error { return d.Create("z", []byte("new"), 0o644) }))
	checkOnly(t, dir, "z")
	checkOnly(t, filepath.Join(root, "new"), "d") // the old folder is gone
}

func TestWriteFolderCreateRefuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	for _, name := range []string{"", ".", "..", "a/b", "../escape"} {
		err := WriteFolder(dir, false, func(d *Folder) error { return d.Create(name, nil, 0o644) })
		assert.ErrorContains(t, err, "not a file name", "Create(%q)", name)
	}
	err := WriteFolder(dir, false, func(d *Folder) error {
		require.NoError(t, d.Create("f", nil, 0o644))
		return d.Create("f", nil, 0o644)
	})
	assert.ErrorIs(t, err, fs.ErrExist, "Create of a name twice")
	_, err = os.Lstat(dir)
	assert.ErrorIs(t, err, fs.ErrNotExist, "nothing written on failure")
}

func TestWriteFolderLeavesNothingOnFailure(t *testing.T) {
	root := t.TempDir()
	failing := func(d *Folder) error {
		require.NoError(t, d.Create("half", []byte("h"), 0o644))
		return errors.New("disk full")
	}
	require.EqualError(t, WriteFolder(filepath.Join(root, "new", "d"), false, failing), "disk full", "fill's error as it is")
	checkOnly(t, root)
	old := filepath.Join(root, "old")
	require.NoError(t, WriteDir(old, false, writeOne("f", "old")))
	require.Error(t, WriteFolder(old, true, failing))
	checkOnly(t, root, "old")
	checkFile(t, filepath.Join(old, "f"), "old", 0o644)
}

// TestReplaceDirRemovesANestedOldFolder: the old folder's top files are
// unlinked concurrently, the rest by os.RemoveAll.
func TestReplaceDirRemovesANestedOldFolder(t *testing.T) {
	root := t.TempDir()
	dir, tmp := filepath.Join(root, "d"), filepath.Join(root, "tmp")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub", "deeper"), 0o755))
	for _, n := range []string{"a", "b", "sub/c", "sub/deeper/e"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644))
	}
	require.NoError(t, os.Symlink(filepath.Join(root, "keep"), filepath.Join(dir, "link")))
	require.NoError(t, os.WriteFile(filepath.Join(root, "keep"), []byte("k"), 0o644))
	folder(t, tmp, "new")
	require.NoError(t, ReplaceDir(tmp, dir))
	checkOnly(t, root, "d", "keep")
	checkOnly(t, dir, "new")
	checkFile(t, filepath.Join(root, "keep"), "k", 0o644)
}
