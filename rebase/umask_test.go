package rebase

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/umasktest"
)

// TestWriteFolderModesIgnoreUmask: the folders and files of a written
// tree (a work folder's or a series') get 0755 and 0644 whatever the
// umask. Not parallel: it changes the process's umask.
func TestWriteFolderModesIgnoreUmask(t *testing.T) {
	umasktest.Each(t, func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "work")
		files := map[string][]byte{"old/bucardo": []byte("a\n"), "new/deep/bucardo.schema": []byte("b\n"), "rebase.json": []byte("{}\n")}
		if err := writeFolder(dir, files, false); err != nil {
			t.Fatal(err)
		}
		umasktest.WantModes(t, dir, map[string]fs.FileMode{
			".": fs.ModeDir | 0o755, "old": fs.ModeDir | 0o755, "new": fs.ModeDir | 0o755, "new/deep": fs.ModeDir | 0o755,
			"old/bucardo": 0o644, "new/deep/bucardo.schema": 0o644, "rebase.json": 0o644,
		})
	})
}
