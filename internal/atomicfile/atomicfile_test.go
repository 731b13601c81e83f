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

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	require.NoError(t, Write(name, []byte("old"), 0o600))
	require.NoError(t, Write(name, []byte("new"), 0o755))
	checkFile(t, name, "new", 0o755)
	checkOnly(t, dir, "f")
}

func TestWriteMissingFolder(t *testing.T) {
	dir := t.TempDir()
	require.Error(t, Write(filepath.Join(dir, "no", "f"), []byte("x"), 0o644), "Write into a missing folder")
	checkOnly(t, dir)
}

func TestWriteNew(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	require.NoError(t, WriteNew(name, []byte("one"), 0o751))
	checkFile(t, name, "one", 0o751)
	assert.ErrorIs(t, WriteNew(name, []byte("two"), 0o644), fs.ErrExist, "WriteNew over an existing file")
	checkFile(t, name, "one", 0o751)
}

func TestSync(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	require.NoError(t, WriteNew(name, nil, 0o644))
	for _, p := range []string{dir, name} {
		assert.NoError(t, Sync(p), "Sync(%q)", p)
	}
	err := Sync(filepath.Join(dir, "missing"))
	var pe *fs.PathError
	assert.ErrorAs(t, err, &pe, "Sync of a missing file")
	assert.ErrorIs(t, err, fs.ErrNotExist, "Sync of a missing file")
}

func TestMkdirAll(t *testing.T) {
	root := t.TempDir()
	made, err := MkdirAll(filepath.Join(root, "a", "b", "c"), 0o755)
	require.NoError(t, err)
	want := []string{filepath.Join(root, "a", "b", "c"), filepath.Join(root, "a", "b"), filepath.Join(root, "a")}
	assert.Equal(t, want, made, "deepest first")
	made, err = MkdirAll(filepath.Join(root, "a", "b", "d"), 0o755)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(root, "a", "b", "d")}, made, "below existing folders")
	RemoveDirs(want) // a/b still holds d: only c goes
	checkOnly(t, filepath.Join(root, "a", "b"), "d")
	file := filepath.Join(root, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = MkdirAll(filepath.Join(file, "x"), 0o755)
	assert.Error(t, err, "MkdirAll below a file")
}

func TestWriteDirNew(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "new", "d")
	require.NoError(t, WriteDir(dir, false, writeOne("f", "new")))
	checkFile(t, filepath.Join(dir, "f"), "new", 0o644)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o755), fi.Mode().Perm(), "folder mode")
	checkOnly(t, filepath.Join(root, "new"), "d")
}

func TestWriteDirReplaces(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "d")
	require.NoError(t, WriteDir(dir, false, writeOne("old", "old")))
	require.ErrorIs(t, WriteDir(dir, false, writeOne("new", "new")), ErrExists, "WriteDir over a folder without force")
	checkOnly(t, dir, "old")
	require.NoError(t, WriteDir(dir, true, writeOne("new", "new")))
	checkOnly(t, dir, "new")
	checkOnly(t, root, "d")
}

func TestWriteDirReplacesOnlyAFolder(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	assert.ErrorContains(t, WriteDir(file, true, writeOne("new", "new")), "not a folder", "WriteDir --force over a file")
	checkFile(t, file, "x", 0o644)
	checkOnly(t, root, "file")
}

func TestWriteDirLeavesNothingOnFailure(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "new", "parent", "d")
	failing := func(tmp string) error {
		require.NoError(t, os.WriteFile(filepath.Join(tmp, "half"), nil, 0o644))
		return errors.New("disk full")
	}
	require.EqualError(t, WriteDir(dir, false, failing), "disk full", "WriteDir with a failing fill: fill's error as it is")
	checkOnly(t, root)
	old := filepath.Join(root, "old")
	require.NoError(t, WriteDir(old, false, writeOne("f", "old")))
	require.Error(t, WriteDir(old, true, failing), "WriteDir with a failing fill")
	checkOnly(t, root, "old")
	checkFile(t, filepath.Join(old, "f"), "old", 0o644)
}

// TestRenameOverFolder checks what ReplaceDir's callers rely on when
// another process creates dir after swap looked: the rename fails with
// fs.ErrExist and leaves the other folder as it is.
func TestRenameOverFolder(t *testing.T) {
	root := t.TempDir()
	tmp, dir := filepath.Join(root, "tmp"), filepath.Join(root, "d")
	folder(t, tmp, "ours")
	folder(t, dir, "theirs")
	require.ErrorIs(t, os.Rename(tmp, dir), fs.ErrExist, "rename over a full folder")
	checkOnly(t, dir, "theirs")
}

// TestRenameAside checks the fallback used where there is no atomic
// exchange, on this system too.
func TestRenameAside(t *testing.T) {
	root := t.TempDir()
	tmp, dir := filepath.Join(root, ".d.tmp"), filepath.Join(root, "d")
	folder(t, dir, "old")
	folder(t, tmp, "new")
	old, err := renameAside(tmp, dir)
	require.NoError(t, err)
	assert.Equal(t, tmp+".old", old, "old folder")
	checkOnly(t, dir, "new")
	checkOnly(t, old, "old")
}

func TestRenameAsidePutsBack(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "d")
	folder(t, dir, "old")
	_, err := renameAside(filepath.Join(root, "missing"), dir)
	require.Error(t, err, "renameAside of a missing folder")
	checkOnly(t, root, "d")
	checkOnly(t, dir, "old")
}

// folder makes the folder dir holding one file, name.
func folder(t *testing.T, dir, name string) {
	t.Helper()
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, writeOne(name, name)(dir))
}

func writeOne(name, content string) func(string) error {
	return func(dir string) error {
		return WriteNew(filepath.Join(dir, name), []byte(content), 0o644)
	}
}

func checkFile(t *testing.T, name, content string, mode fs.FileMode) {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	fi, err := os.Stat(name)
	require.NoError(t, err)
	assert.Equal(t, content, string(b), name)
	assert.Equal(t, mode, fi.Mode().Perm(), name)
}

// checkOnly checks that dir holds exactly names.
func checkOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.Equal(t, names, got, "%s holds", dir)
}
