package main

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/umasktest"
	"github.com/bcfork/bcfork/upstream"
)

// TestFetchModesIgnoreUmask: fetch --out makes the folders it needs 0755
// and writes the script 0755 and the schema 0644, under any umask. Not
// parallel: it changes the process's umask.
func TestFetchModesIgnoreUmask(t *testing.T) {
	umasktest.Each(t, func(t *testing.T) {
		top := t.TempDir()
		rel := &upstream.Release{Files: map[string][]byte{bucardo.Script: []byte("x"), bucardo.Schema: []byte("y")}}
		dir := filepath.Join(top, "out", "5.6.0")
		if _, err := writeRelease(dir, rel); err != nil {
			t.Fatal(err)
		}
		want := map[string]fs.FileMode{
			"out": fs.ModeDir | 0o755, "out/5.6.0": fs.ModeDir | 0o755,
			"out/5.6.0/" + bucardo.Script: 0o755, "out/5.6.0/" + bucardo.Schema: 0o644,
		}
		umasktest.WantModes(t, top, want)
	})
}
