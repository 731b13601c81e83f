package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSyncTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"x", "a/y", "a/b/z"} {
		if err := WriteNew(filepath.Join(dir, n), []byte(n), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := SyncTree(dir); err != nil {
		t.Fatal(err)
	}
	if err := SyncTree(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("SyncTree of a missing folder: %v, want fs.ErrNotExist", err)
	}
}

// TestWriteNewModeNoSync checks that WriteNew sets the mode despite the
// umask and refuses an existing name.
func TestWriteNewModeNoSync(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	if err := WriteNew(name, []byte("data"), 0o640); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	if err := WriteNew(name, []byte("again"), 0o640); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("WriteNew over an existing file: %v", err)
	}
}

// TestSyncTreeJoinsErrors: syncs that fail stop none of the others, and
// SyncTree's error holds every one of them. Not parallel: it changes
// syncFile.
func TestSyncTreeJoinsErrors(t *testing.T) {
	dir := t.TempDir()
	workTree(t, dir, 2*maxOpen)
	bad := []string{dir, filepath.Join(dir, "new"), filepath.Join(dir, "series", patchName(0)), filepath.Join(dir, "new", "series", patchName(maxOpen))}
	saved := syncFile
	t.Cleanup(func() { syncFile = saved })
	var mu sync.Mutex
	var synced []string
	syncFile = func(f *os.File) error {
		name, err := f.Name(), saved(f)
		mu.Lock()
		synced = append(synced, name)
		mu.Unlock()
		if slices.Contains(bad, name) {
			return errors.Join(err, &fs.PathError{Op: "sync", Path: name, Err: syscall.EIO})
		}
		return err
	}
	err := SyncTree(dir)
	require.ErrorIs(t, err, syscall.EIO)
	assert.Equal(t, len(bad), strings.Count(err.Error(), syscall.EIO.Error()), "errors in %v", err)
	for _, n := range bad {
		assert.ErrorContains(t, err, fmt.Sprintf("sync %s: ", n))
	}
	assert.ElementsMatch(t, treeOf(t, dir), synced, "files and folders synced")
}

// workTree fills the folder dir as a rebase work folder holding a series
// of n patches twice, in series and in new/series. They are hard links
// to one file: a name each to open and sync, without a new inode each
// (0.1 to 0.5 ms a file on this ext4).
func workTree(t *testing.T, dir string, n int) {
	t.Helper()
	one := filepath.Join(dir, "series", patchName(0))
	require.NoError(t, os.MkdirAll(filepath.Dir(one), 0o755))
	require.NoError(t, os.WriteFile(one, []byte(patchText(0)), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "new", "series"), 0o755))
	for _, sub := range []string{"series", "new/series"} {
		for i := range n {
			if name := filepath.Join(dir, sub, patchName(i)); name != one {
				require.NoError(t, os.Link(one, name))
			}
		}
	}
}

// treeOf lists the files and folders in the tree dir, dir included.
func treeOf(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		names = append(names, p)
		return err
	}))
	return names
}
