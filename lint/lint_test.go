package lint_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/lint"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txtar")

// TestGolden lints the tree of each testdata/*.txtar (its tree/ files),
// with the pinned files its pristine/FLAVOR/VERSION/ files give, and
// compares the findings with its want section: one failing example per
// rule, and a clean series.
func TestGolden(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txtar")
	require.NoError(t, err)
	require.NotEmpty(t, paths, "goldens")
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txtar"), func(t *testing.T) {
			a, err := txtar.ParseFile(p)
			require.NoError(t, err)
			got := lintText(t, a)
			i := wantIndex(t, a)
			if *update {
				a.Files[i].Data = []byte(got)
				require.NoError(t, os.WriteFile(p, txtar.Format(a), 0o644))
				return
			}
			assert.Equal(t, string(a.Files[i].Data), got, "findings")
		})
	}
}

func wantIndex(t *testing.T, a *txtar.Archive) int {
	for i, f := range a.Files {
		if f.Name == "want" {
			return i
		}
	}
	t.Fatal("no want section")
	return 0
}

// lintText lints the archive's tree and returns the findings, then the
// series applied and those whose files were not available, a line each.
func lintText(t *testing.T, a *txtar.Archive) string {
	tree, pristine := fstest.MapFS{}, map[string]map[string][]byte{}
	for _, f := range a.Files {
		switch {
		case strings.HasPrefix(f.Name, "tree/"):
			tree[strings.TrimPrefix(f.Name, "tree/")] = &fstest.MapFile{Data: f.Data}
		case strings.HasPrefix(f.Name, "pristine/"):
			dir, name := filepath.Split(strings.TrimPrefix(f.Name, "pristine/"))
			dir = strings.TrimSuffix(dir, "/")
			if pristine[dir] == nil {
				pristine[dir] = map[string][]byte{}
			}
			pristine[dir][name] = f.Data
		}
	}
	files := func(flavor, version string) (map[string][]byte, error) {
		return pristine[flavor+"/"+version], nil
	}
	rep, err := lint.Tree(tree, lint.Options{Files: files})
	require.NoError(t, err)
	var b strings.Builder
	for _, f := range rep.Findings {
		b.WriteString(f.String() + "\n")
	}
	for _, s := range rep.Applied {
		b.WriteString("applied: " + s + "\n")
	}
	for _, s := range rep.Unpinned {
		b.WriteString("unpinned: " + s + "\n")
	}
	return b.String()
}
