package upstream

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidRef(t *testing.T) {
	for _, ok := range []string{"5.6.0", "master", "feature/x", "d9919c804d2c84a25e9bd8895908e80932609160", "v1.0-rc+1"} {
		assert.NoError(t, validRef(ok), "%q", ok)
	}
	for _, bad := range []string{"", "..", "a/../b", "/abs", "-rf", ".hidden", "a//b", "a/", "a b", "a\x00", "a/.b", "x.", `a\b`} {
		assert.Error(t, validRef(bad), "%q", bad)
	}
}

func TestScriptVersion(t *testing.T) {
	for in, want := range map[string]string{
		"our $VERSION = '5.6.0';\n":                    "5.6.0",
		"x\n    our $VERSION = \"5.5.0\" ;\n":          "5.5.0",
		"# our $VERSION = '1.0';\nour $VERSION='2.0';": "2.0",
	} {
		got, err := scriptVersion([]byte(in))
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	_, err := scriptVersion([]byte("my $VERSION = '1';"))
	assert.Error(t, err, "without `our $VERSION`")
}
