package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/bcfork/bcfork/patches"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadChecksums(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		err      string
	}{
		{"text mode", sumA + "  bucardo\n", map[string]string{"bucardo": sumA}, ""},
		{"binary mode", sumA + " *bucardo\n", map[string]string{"bucardo": sumA}, ""},
		{"upper case and CRLF", strings.ToUpper(sumA) + "  bucardo\r\n\n", map[string]string{"bucardo": sumA}, ""},
		{"two", sumA + "  bucardo\n" + sumB + "  bucardo.schema\n", map[string]string{"bucardo": sumA, "bucardo.schema": sumB}, ""},
		{"one space", sumA + " bucardo\n", nil, "line 1: not in sha256sum format"},
		{"short", sumA[:60] + "  bucardo\n", nil, "not in sha256sum format"},
		{"not hex", strings.Repeat("z", 64) + "  bucardo\n", nil, "not a sha256 in hex"},
		{"twice", sumA + "  bucardo\n" + sumB + "  bucardo\n", nil, `line 2: "bucardo" listed twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadChecksums(strings.NewReader(tt.in))
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPins(t *testing.T) {
	c := New(tree)
	got, err := c.Pins("upstream", "5.6.0")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"bucardo": sumA, "bucardo.schema": sumB}, got)
	got, err = c.Pins("upstream", "master")
	require.NoError(t, err)
	assert.Nil(t, got, "master is not pinned")
	tests := []struct{ name, file, err string }{
		{"half", sumA + "  bucardo\n", `reading pins "upstream/1.0/checksums": no checksum for "bucardo.schema"`},
		{"not sha256sum", "bucardo " + sumA + "\n", `reading pins "upstream/1.0/checksums": line 1: not in sha256sum format`},
		{"twice", sumA + "  bucardo\n" + sumA + "  bucardo\n", `line 2: "bucardo" listed twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := fstest.MapFS{"upstream/1.0/checksums": {Data: []byte(tt.file)}}
			_, err := New(bad).Pins("upstream", "1.0")
			assert.ErrorContains(t, err, tt.err)
		})
	}
	for _, v := range []string{"../x", "", "/abs", "."} {
		_, err := c.Pins("upstream", v)
		assert.ErrorContains(t, err, "invalid version", "%q", v)
	}
}

func TestCommit(t *testing.T) {
	commit := strings.Repeat("ab", 20)
	tests := []struct {
		name, file string
		want, err  string
	}{
		{"one line", commit + "\n", commit, ""},
		{"no newline", commit, commit, ""},
		{"upper case and CRLF", strings.ToUpper(commit) + "\r\n", commit, ""},
		{"short", commit[:12] + "\n", "", `reading pins "upstream/1.0/commit": want one line with a 40-hex commit SHA`},
		{"two lines", commit + "\n" + commit + "\n", "", `"upstream/1.0/commit"`},
		{"empty", "", "", `"upstream/1.0/commit"`},
		{"not hex", strings.Repeat("g", 40), "", `"upstream/1.0/commit"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"upstream/1.0/checksums": pins, "upstream/1.0/commit": {Data: []byte(tt.file)}}
			got, err := New(fsys).Commit("upstream", "1.0")
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	got, err := New(fstest.MapFS{"upstream/1.0/checksums": pins}).Commit("upstream", "1.0")
	require.NoError(t, err)
	assert.Empty(t, got, "no commit pinned")
}

func TestIdentify(t *testing.T) {
	fsys := fstest.MapFS{
		"upstream/5.6.0/checksums":  pins,
		"upstream/5.10.0/checksums": {Data: []byte(sumA + "  bucardo\n" + strings.Repeat("0", 64) + "  bucardo.schema\n")},
		"debian/5.6.0-4/checksums":  {Data: []byte(strings.Repeat("1", 64) + "  bucardo\n" + sumA + "  bucardo.schema\n")},
		"debian/5.6.0-4/series":     series,
	}
	c := New(fsys)
	tests := []struct {
		sum  string
		want []File
	}{
		{sumB, []File{{"upstream", "5.6.0", "bucardo.schema"}}},
		{strings.ToUpper(sumB), []File{{"upstream", "5.6.0", "bucardo.schema"}}},
		{sumA, []File{{"debian", "5.6.0-4", "bucardo.schema"}, {"upstream", "5.10.0", "bucardo"}, {"upstream", "5.6.0", "bucardo"}}},
		{strings.Repeat("f", 64), nil},
	}
	for _, tt := range tests {
		got, err := c.Identify(tt.sum)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "Identify(%.8s)", tt.sum)
	}
	fsys["debian/5.6.0-10/checksums"] = &fstest.MapFile{Data: []byte("junk\n")}
	_, err := c.Identify(sumB)
	assert.ErrorContains(t, err, `"debian/5.6.0-10/checksums"`, "a broken checksums file")
}

// Identify names the files of Debian's bucardo package by the debian
// flavor's pins (make test puts the package's files in place).
func TestIdentifyDebianFiles(t *testing.T) {
	dir := pristinetest.DebianFiles(t)
	for _, name := range []string{"bucardo", "bucardo.schema"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		got, err := New(patches.FS).Identify(hex.EncodeToString(sum[:]))
		require.NoError(t, err)
		assert.Equal(t, []File{{Debian, "5.6.0-4", name}}, got, name)
	}
}

// The embedded pins are the sums checked by hand (DESIGN.md's table).
func TestEmbeddedPins(t *testing.T) {
	want := map[string][2]string{
		"5.4.1": {"0e9b9a7ced1ad7a66c1e4ce545d024d542e5e25290ac827b688c47c27b9facb4", "1d2dbdb9a8709a0b95f7f14e352525ab25b4c9ed29aa47cf503f3e543895bf0e"},
		"5.5.0": {"a93462b84bbee57ad61b45cac789e33dd011e37ddbc053563ec8d243dfc48ed8", "b2015cabb4baa3742a0b0016104728c365245aa9224b84a18cd6e9928462bed8"},
		"5.6.0": {"eb0bc0d569f567a099fbcc363a3f701adadba159729ecaae767d232adbf0bac2", "f82c9a766e42405238f513eb7c7ca88c9a782c411fc67fd42925febe1f05b1ac"},
	}
	for v, sums := range want {
		pins, err := New(patches.FS).Pins(Upstream, v)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"bucardo": sums[0], "bucardo.schema": sums[1]}, pins, "embedded %s pins", v)
	}
}

// The embedded commit pins are those of the tags in bucardo/bucardo
// (git rev-parse V^{commit}).
func TestEmbeddedCommitPins(t *testing.T) {
	want := map[string]string{
		"5.4.1": "de24ef68ae719de49ab2b4864af8ce608b822044",
		"5.5.0": "c5208e7b05f613b7330140721ece1caa46458e2e",
		"5.6.0": "13f98c533f1160da412d82f66ca26c7c11fcb466",
	}
	for v, commit := range want {
		got, err := New(patches.FS).Commit(Upstream, v)
		require.NoError(t, err)
		assert.Equal(t, commit, got, "embedded %s commit", v)
	}
}

// The embedded tree: both flavors, the newest series of each.
func TestEmbeddedTree(t *testing.T) {
	c := New(patches.FS)
	flavors, err := c.Flavors()
	require.NoError(t, err)
	assert.Equal(t, []string{"debian", "upstream"}, flavors)
	for flavor, want := range map[string]string{Upstream: "5.6.0", Debian: "5.6.0-4"} {
		got, err := c.Newest(flavor)
		require.NoError(t, err)
		assert.Equal(t, want, got, "Newest(%s)", flavor)
	}
}

func TestChecksumLines(t *testing.T) {
	got := ChecksumLines(map[string][]byte{"bucardo.schema": []byte("b"), "bucardo": []byte("a")})
	want := "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  bucardo\n" +
		"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  bucardo.schema\n"
	assert.Equal(t, want, got)
	sums, err := ReadChecksums(strings.NewReader(got))
	require.NoError(t, err, "ChecksumLines output reads back")
	assert.Len(t, sums, 2)
	assert.Equal(t, want, SumLines(sums), "SumLines of the sums read back")
}
