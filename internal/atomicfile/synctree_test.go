package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
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
