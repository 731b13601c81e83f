package generator

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/atomicfile"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/patch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testFork generates a small fork from synthetic files and a one-patch series.
func testFork(t *testing.T) *Fork {
	t.Helper()
	fsys := fstest.MapFS{
		"s/series":       {Data: []byte("0001-x.patch\n")},
		"s/0001-x.patch": {Data: []byte("Description: x\n---\n--- a/bucardo\n+++ b/bucardo\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n")},
	}
	series, err := patch.ReadSeries(fsys, "s")
	require.NoError(t, err)
	f, err := Generate(Options{
		Bcfork: "test", Flavor: "upstream", Version: "1.0",
		Files:  map[string][]byte{bucardo.Script: []byte("one\ntwo\nthree\n"), bucardo.Schema: []byte("CREATE DATABASE bucardo;\n")},
		Series: series,
	})
	require.NoError(t, err)
	return f
}

func TestWriteAndReadManifest(t *testing.T) {
	f := testFork(t)
	dir := filepath.Join(t.TempDir(), "fork")
	require.NoError(t, f.Write(dir, false))
	m, err := ReadManifest(dir)
	require.NoError(t, err)
	assert.Equal(t, ManifestFormat, m.Format)
	assert.Equal(t, "1.0", m.Version)
	assert.Len(t, m.Patches, 1)
	assertFile(t, filepath.Join(dir, bucardo.Script), "one\nTWO\nthree\n", 0o755)
	assertFile(t, filepath.Join(dir, bucardo.Script+OrigSuffix), "one\ntwo\nthree\n", 0o644)
	assert.Equal(t, []Stat{{Name: bucardo.Script, Added: 1, Removed: 1}, {Name: bucardo.Schema}}, f.Diffstat())
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
			require.NoError(t, testFork(t).Write(dir, false))
			spoil(dir)
			_, err := ReadManifest(dir)
			assert.Error(t, err, "ReadManifest of a spoilt fork folder")
		})
	}
}

func TestWriteExisting(t *testing.T) {
	f := testFork(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "fork")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "keep"), []byte("mine"), 0o644)
	require.ErrorIs(t, f.Write(dir, false), atomicfile.ErrExists, "Write over a folder without force")
	require.FileExists(t, filepath.Join(dir, "keep"), "refused Write changed the folder")
	require.NoError(t, f.Write(dir, true))
	_, err := ReadManifest(dir)
	require.NoError(t, err)
	entries, _ := os.ReadDir(parent)
	assert.Len(t, entries, 1, "left beside the fork folder: %v", entries)
	file := filepath.Join(parent, "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	assert.ErrorContains(t, f.Write(file, true), "not a folder", "Write --force over a file")
}

func TestGenerateAllOrNothing(t *testing.T) {
	fsys := fstest.MapFS{
		"s/series":       {Data: []byte("0001-x.patch\n")},
		"s/0001-x.patch": {Data: []byte("--- a/bucardo\n+++ b/bucardo\n@@ -1,3 +1,3 @@\n one\n-zwei\n+TWO\n three\n")},
	}
	series, err := patch.ReadSeries(fsys, "s")
	require.NoError(t, err)
	_, err = Generate(Options{Files: map[string][]byte{bucardo.Script: []byte("one\ntwo\nthree\n"), bucardo.Schema: nil}, Series: series})
	var ae *patch.ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "0001-x.patch", ae.Patch)
	_, err = Generate(Options{Files: map[string][]byte{bucardo.Script: nil}, Series: series})
	assert.Error(t, err, "Generate without the schema")
}

// assertFile checks the content and permissions of the file at path.
func assertFile(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, content, string(got), path)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, perm, fi.Mode().Perm(), path)
}
