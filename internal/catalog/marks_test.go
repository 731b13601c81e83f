package catalog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/bcfork/bcfork/patches"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realPristine returns the real pristine files of flavor/version, or
// skips t when they are not here.
func realPristine(t *testing.T, flavor, version string) map[string][]byte {
	t.Helper()
	var (
		files map[string][]byte
		err   error
	)
	switch {
	case flavor == catalog.Upstream && version == "5.6.0":
		files, err = pristinetest.Read(pristinetest.Tarball(t), bucardo.Names...)
	case flavor == catalog.Debian && version == "5.6.0-4":
		dir := pristinetest.DebianFiles(t)
		files = map[string][]byte{}
		for _, n := range bucardo.Names {
			if files[n], err = os.ReadFile(filepath.Join(dir, n)); err != nil {
				break
			}
		}
	case flavor == catalog.Upstream:
		files, err = pristinetest.ReadTop(pristinetest.Fixture(t, "Bucardo-"+version+".tar.gz"), "Bucardo-"+version+"/", bucardo.Names...)
	default:
		require.FailNow(t, "no real files known: add them to realPristine", "%s/%s", flavor, version)
	}
	require.NoError(t, err)
	return files
}

// TestMarksReal: the marks of the built-in series are in every file of
// every fork they make of the real pristine files, and in no pristine file
// of a release or of Debian's package.
func TestMarksReal(t *testing.T) {
	c := catalog.New(patches.FS)
	marks, err := c.Marks()
	require.NoError(t, err)
	flavors, err := c.Flavors()
	require.NoError(t, err)
	n := 0
	for _, flavor := range flavors {
		versions, err := c.Versions(flavor)
		require.NoError(t, err)
		for _, v := range versions {
			n++
			t.Run(flavor+"/"+v, func(t *testing.T) {
				files := realPristine(t, flavor, v)
				s, err := c.Series(flavor, v)
				require.NoError(t, err)
				f, err := generator.Generate(generator.Options{Flavor: flavor, Version: v, Files: files, Series: s})
				require.NoError(t, err)
				for _, name := range bucardo.Names {
					assert.False(t, marks.Fork(name, files[name]), "pristine %s taken for a fork", name)
					assert.True(t, marks.Fork(name, f.Files[name]), "fork's %s not recognised", name)
				}
			})
		}
	}
	assert.GreaterOrEqual(t, n, 5, "series: at least upstream 5.6.0, 5.5.0, 5.4.1, master and debian 5.6.0-4")
}

// TestMarksFork: a file is a fork when one of its lines, without the space
// around it, is a line the series add naming bcfork; in the file the line
// was added to, and only there.
func TestMarksFork(t *testing.T) {
	patch := "--- a/bucardo\n+++ b/bucardo\n@@ -1,2 +1,5 @@\n one\n+    ## bcfork: a named instance\n+    my $x = 'bcfork';\n two\n+plain added line\n"
	tree := fstest.MapFS{
		"upstream/9.9.9/series":       {Data: []byte("0001-x.patch\n")},
		"upstream/9.9.9/0001-x.patch": {Data: []byte(patch)},
	}
	marks, err := catalog.New(tree).Marks()
	require.NoError(t, err)
	for _, tc := range []struct {
		name, data string
		want       bool
	}{
		{bucardo.Script, "one\n    ## bcfork: a named instance\ntwo\n", true},
		{bucardo.Script, "one\n\t## bcfork: a named instance   \r\n", true},
		{bucardo.Script, "one\n## bcfork: a named instance", true},
		{bucardo.Script, "my $x = 'bcfork';", true},
		{bucardo.Script, "one\n## bcfork: a named instance!\nbcfork\n", false},
		{bucardo.Script, "one\nplain added line\ntwo\n", false},
		{bucardo.Script, "", false},
		{bucardo.Schema, "## bcfork: a named instance\n", false},
	} {
		assert.Equal(t, tc.want, marks.Fork(tc.name, []byte(tc.data)), "%s: %q", tc.name, tc.data)
	}
}

// TestMarksBrokenSeries: a series that does not read is an error.
func TestMarksBrokenSeries(t *testing.T) {
	tree := fstest.MapFS{"upstream/9.9.9/series": {Data: []byte("missing.patch\n")}}
	_, err := catalog.New(tree).Marks()
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "upstream/9.9.9"), "%v", err)
}
