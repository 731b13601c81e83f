package generator

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
)

// testFork generates a small fork from synthetic files and a one-patch series.
func testFork(t *testing.T) *Fork {
	t.Helper()
	fsys := fstest.MapFS{
		"s/series":       {Data: []byte("0001-x.patch\n")},
		"s/0001-x.patch": {Data: []byte("Description: x\n---\n--- a/bucardo\n+++ b/bucardo\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n")},
	}
	series, err := patch.ReadSeries(fsys, "s")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Generate(Options{
		Bcfork: "test", Flavor: "upstream", Version: "1.0",
		Files:  map[string][]byte{bucardo.Script: []byte("one\ntwo\nthree\n"), bucardo.Schema: []byte("CREATE DATABASE bucardo;\n")},
		Series: series,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestWriteAndReadManifest(t *testing.T) {
	f := testFork(t)
	dir := filepath.Join(t.TempDir(), "fork")
	if err := f.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != ManifestFormat || m.Version != "1.0" || len(m.Patches) != 1 {
		t.Errorf("manifest %+v", m)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, bucardo.Script)); string(got) != "one\nTWO\nthree\n" {
		t.Errorf("fork script %q", got)
	}
	if fi, _ := os.Stat(filepath.Join(dir, bucardo.Script)); fi.Mode().Perm() != 0o755 {
		t.Errorf("script mode %v, want 0755", fi.Mode().Perm())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, bucardo.Script+OrigSuffix)); string(got) != "one\ntwo\nthree\n" {
		t.Errorf("pristine copy %q", got)
	}
	if st := f.Diffstat(); st[0] != (Stat{Name: bucardo.Script, Added: 1, Removed: 1}) || st[1] != (Stat{Name: bucardo.Schema}) {
		t.Errorf("diffstat %+v", st)
	}
}

func TestReadManifestRefuses(t *testing.T) {
	for name, spoil := range map[string]func(dir string){
		"changed output": func(dir string) { os.WriteFile(filepath.Join(dir, bucardo.Script), []byte("one\nTWO\nthreE\n"), 0o755) },
		"longer output": func(dir string) {
			os.WriteFile(filepath.Join(dir, bucardo.Schema), []byte("CREATE DATABASE bucardo;\n\n"), 0o644)
		},
		"changed orig": func(dir string) { os.WriteFile(filepath.Join(dir, bucardo.Schema+OrigSuffix), []byte("x\n"), 0o644) },
		"missing orig": func(dir string) { os.Remove(filepath.Join(dir, bucardo.Script+OrigSuffix)) },
		"newer format": func(dir string) {
			p := filepath.Join(dir, ManifestName)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(b, []byte(`"format": 1`), []byte(`"format": 2`), 1), 0o644)
		},
		"output not listed": func(dir string) {
			p := filepath.Join(dir, ManifestName)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(b, []byte(`"name": "bucardo.schema"`), []byte(`"name": "other"`), -1), 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "fork")
			if err := testFork(t).Write(dir, false); err != nil {
				t.Fatal(err)
			}
			spoil(dir)
			if _, err := ReadManifest(dir); err == nil {
				t.Fatal("ReadManifest accepted a spoilt fork folder")
			}
		})
	}
}

func TestWriteExisting(t *testing.T) {
	f := testFork(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "fork")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "keep"), []byte("mine"), 0o644)
	if err := f.Write(dir, false); !errors.Is(err, atomicfile.ErrExists) {
		t.Fatalf("Write over a folder without force: %v, want ErrExists", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep")); err != nil {
		t.Fatal("refused Write changed the folder")
	}
	if err := f.Write(dir, true); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadManifest(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("left beside the fork folder: %v", entries)
	}
	file := filepath.Join(parent, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	if err := f.Write(file, true); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("Write --force over a file: %v", err)
	}
}

func TestGenerateAllOrNothing(t *testing.T) {
	fsys := fstest.MapFS{
		"s/series":       {Data: []byte("0001-x.patch\n")},
		"s/0001-x.patch": {Data: []byte("--- a/bucardo\n+++ b/bucardo\n@@ -1,3 +1,3 @@\n one\n-zwei\n+TWO\n three\n")},
	}
	series, err := patch.ReadSeries(fsys, "s")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Generate(Options{Files: map[string][]byte{bucardo.Script: []byte("one\ntwo\nthree\n"), bucardo.Schema: nil}, Series: series})
	var ae *patch.ApplyError
	if !errors.As(err, &ae) || ae.Patch != "0001-x.patch" {
		t.Fatalf("Generate: %v, want an ApplyError for 0001-x.patch", err)
	}
	if _, err := Generate(Options{Files: map[string][]byte{bucardo.Script: nil}, Series: series}); err == nil {
		t.Fatal("Generate without the schema succeeded")
	}
}
