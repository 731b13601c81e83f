package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/pristinetest"
)

// BenchmarkRebaseMasterCommand runs bcfork rebase of the real 5.6.0 series
// onto upstream master d9919c8 (the shared fixture) in the process, as
// bench/compare's rebase case does as a process: both releases read from
// folders and verified, the series carried and verified, the new folder
// written durably (--force), exit 7 (carried with offsets).
func BenchmarkRebaseMasterCommand(b *testing.B) {
	dir := b.TempDir()
	oldDir, newDir := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	writeFiles(b, oldDir, pristinetest.Files(b))
	onto, err := pristinetest.ReadTop(pristinetest.Fixture(b, "Bucardo-master-d9919c8.tar.gz"), "Bucardo-master-d9919c8/", bucardo.Names...)
	if err != nil {
		b.Fatal(err)
	}
	writeFiles(b, newDir, onto)
	args := []string{"bcfork", "rebase", "--patches", patchesDir, "--version", "5.6.0", "--onto", "master",
		"--from-old", oldDir, "--from", newDir, "--allow-unpinned", "--no-cache",
		"--out", filepath.Join(dir, "out"), "--force", "--work", filepath.Join(dir, "work")}
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), args, io.Discard, io.Discard); code != ExitChanged {
			b.Fatalf("exit %d, want %d", code, ExitChanged)
		}
	}
}

func writeFiles(tb testing.TB, dir string, files map[string][]byte) {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for n, data := range files {
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestChecksumLines: the checksums a rebase writes come from the sums
// fetched with NEW's files when they cover every file, else are hashed.
func TestChecksumLines(t *testing.T) {
	files := map[string][]byte{bucardo.Script: []byte("a"), bucardo.Schema: []byte("b")}
	want := catalog.ChecksumLines(files)
	sums, err := catalog.ReadChecksums(strings.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if got := checksumLines(files, sums); got != want {
		t.Errorf("from the sums:\n%s\nwant\n%s", got, want)
	}
	delete(sums, bucardo.Schema)
	sums["other"] = "x"
	for _, s := range []map[string]string{nil, sums} {
		if got := checksumLines(files, s); got != want {
			t.Errorf("sums %v:\n%s\nwant\n%s", s, got, want)
		}
	}
}
