package bucardo

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersion(t *testing.T) {
	for src, want := range map[string]string{
		"our $VERSION = '5.6.0';":                         "5.6.0",
		"our $VERSION = '5.6.0';\n":                       "5.6.0",
		"package Bucardo;\n  our $VERSION = \"5.4.1\";\n": "5.4.1",
		"x\n    our $VERSION = \"5.5.0\" ;\n":             "5.5.0",
		"# our $VERSION = '1.0';\nour $VERSION='2.0';":    "2.0",
		"# our $VERSION = '1';":                           "",
		"my $VERSION = '1';":                              "",
		"our $VERSION = '5.6.0'":                          "", // no semicolon: not a declaration we trust
		"our $VERSION = '5 6';":                           "",
	} {
		assert.Equal(t, want, Version([]byte(src)), "%q", src)
	}
}
