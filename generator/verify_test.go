package generator_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/install/installtest"
	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/stretchr/testify/require"
)

// folder writes a synthetic fork folder of 5.6.0, changed by edit, with
// its manifest recomputed as a tamperer would, and the patches tree of the
// genuine fork.
func folder(t *testing.T, edit func(f *installtest.Fork)) (dir string, c *catalog.Catalog) {
	t.Helper()
	top := t.TempDir()
	dir, tree := filepath.Join(top, "fork"), filepath.Join(top, "patches")
	f := installtest.New("5.6.0", 0)
	require.NoError(t, f.WriteTree(tree))
	if edit != nil {
		edit(f)
	}
	require.NoError(t, f.Write(dir))
	return dir, catalog.New(os.DirFS(tree))
}

func TestVerifyDerivesTheForkAgain(t *testing.T) {
	dir, c := folder(t, nil)
	f, err := generator.Verify(dir, c, false)
	if err != nil {
		t.Fatalf("the genuine fork: %v", err)
	}
	if f.Manifest.Version != "5.6.0" || len(f.Files) != 2 {
		t.Errorf("fork %+v", f.Manifest)
	}
}

func TestVerifyRefusesWhatTheSeriesDoesNotMake(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(f *installtest.Fork)
		file string
	}{
		"script replaced":   {func(f *installtest.Fork) { f.Script = []byte("echo pwned\n") }, "bucardo"},
		"schema changed":    {func(f *installtest.Fork) { f.Schema = append(f.Schema, "DROP DATABASE x;\n"...) }, "bucardo.schema"},
		"pristine replaced": {func(f *installtest.Fork) { f.ScriptOrig = []byte("echo pwned\n") }, "bucardo.orig"},
		"both replaced alike": {func(f *installtest.Fork) {
			f.ScriptOrig, f.Script = []byte("echo a\n"), []byte("echo b\n")
		}, "bucardo.orig"},
	} {
		t.Run(name, func(t *testing.T) {
			dir, cat := folder(t, c.edit)
			f, err := generator.Verify(dir, cat, false)
			var me *generator.ModifiedError
			if !errors.As(err, &me) || !errors.Is(err, generator.ErrModified) || me.File != c.file {
				t.Fatalf("got %v, want a *ModifiedError about %s", err, c.file)
			}
			if f == nil {
				t.Error("no fork returned with the ModifiedError")
			}
		})
	}
}

func TestVerifyNeedsPinsAndASeries(t *testing.T) {
	dir, _ := folder(t, nil)
	empty := catalog.New(os.DirFS(t.TempDir()))
	_, err := generator.Verify(dir, empty, true)
	if !errors.Is(err, generator.ErrModified) {
		t.Errorf("no series: %v", err)
	}
	dir, c := folder(t, nil)
	_, err = generator.Verify(dir, c, false)
	require.NoError(t, err)
	tree := t.TempDir()
	f := installtest.New("5.6.0", 0)
	require.NoError(t, f.WriteTree(tree))
	require.NoError(t, os.Remove(filepath.Join(tree, "upstream", "5.6.0", "checksums")))
	unpinned := catalog.New(os.DirFS(tree))
	if _, err := generator.Verify(dir, unpinned, false); !errors.Is(err, generator.ErrModified) || !errors.Is(err, generator.ErrUnpinnedFork) {
		t.Errorf("unpinned: %v", err)
	}
	if _, err := generator.Verify(dir, unpinned, true); err != nil {
		t.Errorf("unpinned, allowed: %v", err)
	}
}

func TestForkFolderLinksAreRefused(t *testing.T) {
	dir, c := folder(t, nil)
	real := filepath.Join(t.TempDir(), "bucardo")
	require.NoError(t, os.Rename(filepath.Join(dir, "bucardo"), real))
	require.NoError(t, os.Symlink(real, filepath.Join(dir, "bucardo")))
	if _, err := generator.Verify(dir, c, false); !errors.Is(err, beneath.ErrLink) {
		t.Errorf("Verify: %v, want ErrLink", err)
	}
	if _, err := generator.ReadFork(dir); !errors.Is(err, beneath.ErrLink) {
		t.Errorf("ReadFork: %v, want ErrLink", err)
	}
}
