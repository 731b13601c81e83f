package catalog

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	sumA = "0e9b9a7ced1ad7a66c1e4ce545d024d542e5e25290ac827b688c47c27b9facb4"
	sumB = "1d2dbdb9a8709a0b95f7f14e352525ab25b4c9ed29aa47cf503f3e543895bf0e"
)

// pins is a checksums file pinning sumA and sumB.
var pins = &fstest.MapFile{Data: []byte(sumA + "  bucardo\n" + sumB + "  bucardo.schema\n")}

var series = &fstest.MapFile{Data: []byte("# no patches\n")}

// tree is a patches tree with two flavors, versions that sort wrongly as
// text, a folder with only pins, and folders that are not versions.
var tree = fstest.MapFS{
	"upstream/5.10.0/series":   series,
	"upstream/5.6.0/series":    series,
	"upstream/5.6.0/checksums": pins,
	"upstream/5.5.0/checksums": pins,
	"upstream/master/series":   series,
	"upstream/notes/README.md": {Data: []byte("not a version\n")},
	"upstream/.git/series":     series,
	"debian/5.6.0-4/series":    series,
	"debian/5.6.0-10/series":   series,
	"debian/README.md":         {Data: []byte("about the flavor\n")},
	"empty/README.md":          {Data: []byte("no versions\n")},
	"embed.go":                 {Data: []byte("package patches\n")},
}

func TestFlavors(t *testing.T) {
	got, err := New(tree).Flavors()
	require.NoError(t, err)
	assert.Equal(t, []string{"debian", "upstream"}, got)
}

func TestVersions(t *testing.T) {
	c := New(tree)
	tests := []struct{ flavor, want string }{
		{"upstream", "5.10.0 5.6.0 master"},
		{"debian", "5.6.0-10 5.6.0-4"},
		{"empty", ""},
		{"none", ""},
	}
	for _, tt := range tests {
		t.Run(tt.flavor, func(t *testing.T) {
			got, err := c.Versions(tt.flavor)
			require.NoError(t, err)
			assert.Equal(t, tt.want, strings.Join(got, " "))
		})
	}
}

func TestEntries(t *testing.T) {
	got, err := New(tree).Entries("upstream")
	require.NoError(t, err)
	var b strings.Builder
	for _, e := range got {
		b.WriteString(e.Version)
		if e.Series {
			b.WriteString(" series")
		}
		if e.Pinned {
			b.WriteString(" pinned")
		}
		b.WriteString("; ")
	}
	assert.Equal(t, "5.10.0 series; 5.6.0 series pinned; 5.5.0 pinned; master series; ", b.String())
}

func TestNewest(t *testing.T) {
	c := New(tree)
	for flavor, want := range map[string]string{"debian": "5.6.0-10", "upstream": "5.10.0"} {
		got, err := c.Newest(flavor)
		require.NoError(t, err)
		assert.Equal(t, want, got, "Newest(%s)", flavor)
	}
	_, err := c.Newest("empty")
	var nse *NoSeriesError
	require.ErrorAs(t, err, &nse)
	require.ErrorIs(t, err, ErrNoSeries)
	assert.Equal(t, "empty", nse.Flavor)
	assert.EqualError(t, err, "no patch series: the patches tree has no empty/VERSION/series at all")
}

func TestSeries(t *testing.T) {
	c := New(tree)
	s, err := c.Series("upstream", "5.6.0")
	require.NoError(t, err)
	require.Empty(t, s.Patches)
	tests := []struct{ flavor, version, want string }{
		{"upstream", "5.5.0", "no patch series for upstream 5.5.0 (series exist for: 5.10.0, 5.6.0, master)"},
		{"debian", "5.6.0-1", "no patch series for debian 5.6.0-1 (series exist for: 5.6.0-10, 5.6.0-4)"},
		{"none", "1.0", "no patch series for none 1.0 (the patches tree has no none/VERSION/series at all)"},
		{"upstream", "../debian/5.6.0-4", "no patch series for upstream ../debian/5.6.0-4 (series exist for: 5.10.0, 5.6.0, master)"},
	}
	for _, tt := range tests {
		t.Run(tt.flavor+"/"+tt.version, func(t *testing.T) {
			_, err := c.Series(tt.flavor, tt.version)
			assert.ErrorIs(t, err, ErrNoSeries)
			assert.EqualError(t, err, tt.want)
			assert.EqualError(t, c.HasSeries(tt.flavor, tt.version), tt.want, "HasSeries")
		})
	}
	assert.NoError(t, c.HasSeries("upstream", "5.6.0"))
}

// A series that does not parse is the engine's error, not "no series".
func TestSeriesUnlisted(t *testing.T) {
	bad := fstest.MapFS{"upstream/1.0/series": series, "upstream/1.0/stray.patch": {Data: []byte("x")}}
	_, err := New(bad).Series("upstream", "1.0")
	assert.ErrorContains(t, err, "stray.patch")
	assert.NotErrorIs(t, err, ErrNoSeries)
	assert.NoError(t, New(bad).HasSeries("upstream", "1.0"), "HasSeries does not read the series")
}

func TestResolve(t *testing.T) {
	snaps := fstest.MapFS{
		"upstream/5.6.0/series":                series,
		"upstream/master-d9919c8/series":       series,
		"upstream/feature-x-0123456789/series": series,
		"other/master-aaaaaaa/series":          series,
		"other/master-bbbbbbb/series":          series,
		"other/master/checksums":               pins,
	}
	tests := []struct{ flavor, v, want, err string }{
		{"upstream", "master", "master-d9919c8", ""},
		{"upstream", "5.6.0", "5.6.0", ""},
		{"upstream", "feature-x", "feature-x-0123456789", ""},
		{"upstream", "5.7.0", "5.7.0", ""},
		{"upstream", "master-d9919c8", "master-d9919c8", ""},
		{"other", "master", "", "master is ambiguous: the patches tree has 2 series of it, one for each pinned commit (master-aaaaaaa, master-bbbbbbb): name one of them"},
	}
	for _, tt := range tests {
		got, err := New(snaps).Resolve(tt.flavor, tt.v)
		if tt.err != "" {
			assert.EqualError(t, err, tt.err, "Resolve(%s, %s)", tt.flavor, tt.v)
			continue
		}
		if assert.NoError(t, err) {
			assert.Equal(t, tt.want, got, "Resolve(%s, %s)", tt.flavor, tt.v)
		}
	}
	assert.True(t, SnapshotCommit("master-d9919c8", "d9919c804d2c84a25e9bd8895908e80932609160"))
	assert.False(t, SnapshotCommit("master-d9919c8", "e9919c8"), "another commit")
	assert.False(t, SnapshotCommit("5.6.0-4", "4"), "a package version")
}

// TestResolveTwoMasters: with two series of master, --version master is
// refused, naming both (sorted by name); each is named by its own folder,
// and the releases are not affected.
func TestResolveTwoMasters(t *testing.T) {
	tree := fstest.MapFS{
		"upstream/5.6.0/series":          series,
		"upstream/master-d9919c8/series": series,
		"upstream/master-d9919c8/commit": {Data: []byte("d9919c804d2c84a25e9bd8895908e80932609160\n")},
		"upstream/master-1a2b3c4/series": series,
		"upstream/master-1a2b3c4/commit": {Data: []byte("1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d\n")},
	}
	cat := New(tree)
	_, err := cat.Resolve(Upstream, "master")
	var amb *AmbiguousError
	if assert.ErrorAs(t, err, &amb) {
		assert.ErrorIs(t, err, ErrAmbiguous)
		assert.Equal(t, "master", amb.Ref)
		assert.Equal(t, []string{"master-1a2b3c4", "master-d9919c8"}, amb.Snapshots)
		assert.Contains(t, err.Error(), "name one of them")
	}
	for _, v := range []string{"master-d9919c8", "master-1a2b3c4", "5.6.0"} {
		got, err := cat.Resolve(Upstream, v)
		assert.NoError(t, err)
		assert.Equal(t, v, got)
	}
}
