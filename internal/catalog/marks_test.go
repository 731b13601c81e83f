package catalog_test

import (
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

// TestMarksReal: the marks of the built-in series are in every file of
// every fork they make of the real pristine files, and in no pristine file
// of a release or of Debian's package.
func TestMarksReal(t *testing.T) {
	c := catalog.New(patches.FS)
	marks, err := c.Marks()
	require.NoError(t, err)
	pristinetest.EachSeries(t, c.Flavors, c.Versions, func(t *testing.T, flavor, v string) {
		files := pristinetest.SeriesFiles(t, flavor, v)
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
