package patch

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the expected sections of golden files")

// golden is a txtar test case. Its comment holds "key: value" options;
// "nonewline: NAME..." lists sections whose final newline is not data.
type golden struct {
	path string
	ar   *txtar.Archive
	opts map[string]string
}

// readGoldens reads testdata/dir/*.txtar, for a test or to seed a fuzzer.
func readGoldens(t testing.TB, dir string) []*golden {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no golden files in testdata/%s", dir)
	var gs []*golden
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		require.NoError(t, err)
		g := &golden{path: p, ar: ar, opts: map[string]string{}}
		for _, line := range strings.Split(string(ar.Comment), "\n") {
			if k, v, ok := goldenOption(line); ok {
				g.opts[k] = v
			}
		}
		gs = append(gs, g)
	}
	return gs
}

// goldenOption parses a comment line "key: value" for a known key.
func goldenOption(line string) (key, value string, ok bool) {
	k, v, found := strings.Cut(line, ":")
	if !found || !slices.Contains([]string{"fuzz", "allowed", "nonewline", "name"}, k) {
		return "", "", false
	}
	return k, strings.TrimSpace(v), true
}

func (g *golden) name() string { return strings.TrimSuffix(filepath.Base(g.path), ".txtar") }

func (g *golden) nonewline(name string) bool {
	return slices.Contains(strings.Fields(g.opts["nonewline"]), name)
}

// file returns the data of section name, and whether there is one.
func (g *golden) file(name string) ([]byte, bool) {
	for _, f := range g.ar.Files {
		if f.Name == name {
			if g.nonewline(name) {
				return bytes.TrimSuffix(f.Data, []byte("\n")), true
			}
			return f.Data, true
		}
	}
	return nil, false
}

// files returns the sections whose names start with prefix, by the rest of
// their name.
func (g *golden) files(prefix string) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range g.ar.Files {
		if rest, ok := strings.CutPrefix(f.Name, prefix); ok {
			m[rest], _ = g.file(f.Name)
		}
	}
	return m
}

// check compares the sections got (the outputs) with the golden's
// sections not named in inputs, or rewrites them with -update.
func (g *golden) check(t *testing.T, inputs []string, got []txtar.File) {
	t.Helper()
	if *update {
		g.rewrite(t, inputs, got)
		return
	}
	want := map[string][]byte{}
	for _, f := range g.ar.Files {
		if !slices.Contains(inputs, f.Name) {
			want[f.Name], _ = g.file(f.Name)
		}
	}
	for _, f := range got {
		w, ok := want[f.Name]
		if assert.True(t, ok, "%s: unexpected section %q:\n%s", g.path, f.Name, f.Data) {
			assert.Equal(t, string(w), string(f.Data), "%s: section %q", g.path, f.Name)
		}
		delete(want, f.Name)
	}
	for name := range want {
		t.Errorf("%s: section %q expected but not produced", g.path, name)
	}
}

func (g *golden) rewrite(t *testing.T, inputs []string, got []txtar.File) {
	var keep []txtar.File
	var nonl []string
	for _, f := range g.ar.Files {
		if slices.Contains(inputs, f.Name) {
			keep = append(keep, f)
			if g.nonewline(f.Name) {
				nonl = append(nonl, f.Name)
			}
		}
	}
	for _, f := range got {
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			nonl = append(nonl, f.Name)
			f.Data = append(slices.Clip(f.Data), '\n')
		}
		keep = append(keep, f)
	}
	var comment strings.Builder
	if len(nonl) > 0 {
		fmt.Fprintf(&comment, "nonewline: %s\n", strings.Join(nonl, " "))
	}
	for _, line := range strings.SplitAfter(string(g.ar.Comment), "\n") {
		if k, _, ok := goldenOption(line); !ok || k != "nonewline" {
			comment.WriteString(line)
		}
	}
	ar := &txtar.Archive{Comment: []byte(comment.String()), Files: keep}
	require.NoError(t, os.WriteFile(g.path, txtar.Format(ar), 0o644))
}
