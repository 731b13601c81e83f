package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	if err := Write(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(name, []byte("new"), 0o755); err != nil {
		t.Fatal(err)
	}
	checkFile(t, name, "new", 0o755)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestWriteMissingFolder(t *testing.T) {
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "no", "f"), []byte("x"), 0o644); err == nil {
		t.Fatal("Write into a missing folder succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestWriteNew(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	if err := WriteNew(name, []byte("one"), 0o751); err != nil {
		t.Fatal(err)
	}
	checkFile(t, name, "one", 0o751)
	if err := WriteNew(name, []byte("two"), 0o644); !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteNew over an existing file: %v, want fs.ErrExist", err)
	}
	checkFile(t, name, "one", 0o751)
}

func TestSync(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	if err := WriteNew(name, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, name} {
		if err := Sync(p); err != nil {
			t.Errorf("Sync(%q): %v", p, err)
		}
	}
	var pe *fs.PathError
	if err := Sync(filepath.Join(dir, "missing")); !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Sync of a missing file: %v, want a *fs.PathError for a missing file", err)
	}
}

func TestMkdirAll(t *testing.T) {
	root := t.TempDir()
	made, err := MkdirAll(filepath.Join(root, "a", "b", "c"), 0o755)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "a", "b", "c"), filepath.Join(root, "a", "b"), filepath.Join(root, "a")}
	if !slices.Equal(made, want) {
		t.Errorf("made %q, want %q (deepest first)", made, want)
	}
	if made, err := MkdirAll(filepath.Join(root, "a", "b", "d"), 0o755); err != nil || !slices.Equal(made, []string{filepath.Join(root, "a", "b", "d")}) {
		t.Errorf("MkdirAll below existing folders made %q, %v", made, err)
	}
	RemoveDirs(want) // a/b still holds d: only c goes
	if entries, _ := os.ReadDir(filepath.Join(root, "a", "b")); len(entries) != 1 || entries[0].Name() != "d" {
		t.Errorf("after RemoveDirs, a/b holds %v, want only d", entries)
	}
	file := filepath.Join(root, "file")
	mustNil(t, os.WriteFile(file, nil, 0o644))
	if _, err := MkdirAll(filepath.Join(file, "x"), 0o755); err == nil {
		t.Error("MkdirAll below a file succeeded")
	}
}

func TestWriteDirNew(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "new", "d")
	mustNil(t, WriteDir(dir, false, writeOne("f", "new")))
	checkFile(t, filepath.Join(dir, "f"), "new", 0o644)
	fi, err := os.Stat(dir)
	mustNil(t, err)
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("folder mode %v, want 0755", fi.Mode().Perm())
	}
	checkOnly(t, filepath.Join(root, "new"), "d")
}

func TestWriteDirReplaces(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "d")
	mustNil(t, WriteDir(dir, false, writeOne("old", "old")))
	if err := WriteDir(dir, false, writeOne("new", "new")); !errors.Is(err, ErrExists) {
		t.Fatalf("WriteDir over a folder without force: %v, want ErrExists", err)
	}
	checkOnly(t, dir, "old")
	mustNil(t, WriteDir(dir, true, writeOne("new", "new")))
	checkOnly(t, dir, "new")
	checkOnly(t, root, "d")
}

func TestWriteDirReplacesOnlyAFolder(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	mustNil(t, os.WriteFile(file, []byte("x"), 0o644))
	if err := WriteDir(file, true, writeOne("new", "new")); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("WriteDir --force over a file: %v, want a refusal", err)
	}
	checkFile(t, file, "x", 0o644)
	checkOnly(t, root, "file")
}

func TestWriteDirLeavesNothingOnFailure(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "new", "parent", "d")
	failing := func(tmp string) error {
		mustNil(t, os.WriteFile(filepath.Join(tmp, "half"), nil, 0o644))
		return errors.New("disk full")
	}
	if err := WriteDir(dir, false, failing); err == nil || err.Error() != "disk full" {
		t.Fatalf("WriteDir with a failing fill: %v, want fill's error as it is", err)
	}
	checkOnly(t, root)
	old := filepath.Join(root, "old")
	mustNil(t, WriteDir(old, false, writeOne("f", "old")))
	if err := WriteDir(old, true, failing); err == nil {
		t.Fatal("WriteDir with a failing fill succeeded")
	}
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
	if err := os.Rename(tmp, dir); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("rename over a full folder: %v, want fs.ErrExist", err)
	}
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
	mustNil(t, err)
	if old != tmp+".old" {
		t.Errorf("old folder at %q, want %q", old, tmp+".old")
	}
	checkOnly(t, dir, "new")
	checkOnly(t, old, "old")
}

func TestRenameAsidePutsBack(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "d")
	folder(t, dir, "old")
	if _, err := renameAside(filepath.Join(root, "missing"), dir); err == nil {
		t.Fatal("renameAside of a missing folder succeeded")
	}
	checkOnly(t, root, "d")
	checkOnly(t, dir, "old")
}

// folder makes the folder dir holding one file, name.
func folder(t *testing.T, dir, name string) {
	t.Helper()
	mustNil(t, os.Mkdir(dir, 0o755))
	mustNil(t, writeOne(name, name)(dir))
}

func writeOne(name, content string) func(string) error {
	return func(dir string) error {
		return WriteNew(filepath.Join(dir, name), []byte(content), 0o644)
	}
}

func checkFile(t *testing.T, name, content string, mode fs.FileMode) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != content || fi.Mode().Perm() != mode {
		t.Errorf("%s: %q mode %v, want %q mode %v", name, b, fi.Mode().Perm(), content, mode)
	}
}

// checkOnly checks that dir holds exactly names.
func checkOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if err != nil || !slices.Equal(got, names) {
		t.Errorf("%s holds %q (%v), want %q", dir, got, err, names)
	}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
