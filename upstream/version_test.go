package upstream

import (
	"testing"
)

func TestValidRef(t *testing.T) {
	for _, ok := range []string{"5.6.0", "master", "feature/x", "d9919c804d2c84a25e9bd8895908e80932609160", "v1.0-rc+1"} {
		if err := validRef(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "..", "a/../b", "/abs", "-rf", ".hidden", "a//b", "a/", "a b", "a\x00", "a/.b", "x.", `a\b`} {
		if validRef(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestScriptVersion(t *testing.T) {
	for in, want := range map[string]string{
		"our $VERSION = '5.6.0';\n":                    "5.6.0",
		"x\n    our $VERSION = \"5.5.0\" ;\n":          "5.5.0",
		"# our $VERSION = '1.0';\nour $VERSION='2.0';": "2.0",
	} {
		if got, err := scriptVersion([]byte(in)); got != want || err != nil {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := scriptVersion([]byte("my $VERSION = '1';")); err == nil {
		t.Error("no error without `our $VERSION`")
	}
}
