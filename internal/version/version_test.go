package version

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// compareTests are pairs a < b, as `dpkg --compare-versions a lt b` says.
var compareTests = []struct{ a, b string }{
	// Debian's own examples (Debian Policy 5.6.12, dpkg's tests)
	{"1.0~rc1", "1.0"},
	{"~~", "~~a"},
	{"~~a", "~"},
	{"~", ""},
	{"", "a"},
	{"1.0~rc1", "1.0~rc2"},
	{"1.0~~", "1.0~"},
	{"5.6.0-4", "5.6.0-10"},
	{"9.9", "1:0.1"},
	{"5.6.0", "5.6.0-1"},
	{"1.0-1", "1.0-1.1"},
	{"1.0-1~bpo1", "1.0-1"},
	{"1.0", "1.0+dfsg"},
	{"1.0a", "1.0+"},
	{"1.0", "1.0a"},
	{"1.0z", "1.0.1"},
	{"2:1.0", "10:0.1"},
	// Bucardo releases
	{"4.4.8", "4.99.10"},
	{"4.99.10", "5.4.1"},
	{"5.4.1", "5.6"},
	{"5.6", "5.6.0"},
	{"5.6.0", "5.6.0.1"},
	{"5.6.0.1", "5.10.0"},
	{"5.6.0", "5.6.0-4"},
	{"5.6.0-4", "5.6.1"},
	{"99999999999999999999.0", "100000000000000000000.0"},
}

func TestCompare(t *testing.T) {
	for _, tt := range compareTests {
		t.Run(tt.a+" < "+tt.b, func(t *testing.T) {
			assert.Equal(t, -1, Compare(tt.a, tt.b), "Compare(%q, %q)", tt.a, tt.b)
			assert.Equal(t, 1, Compare(tt.b, tt.a), "Compare(%q, %q)", tt.b, tt.a)
			assert.True(t, Less(tt.a, tt.b), "Less(%q, %q)", tt.a, tt.b)
			assert.False(t, Less(tt.b, tt.a), "Less(%q, %q)", tt.b, tt.a)
		})
	}
}

func TestCompareEqual(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"5.6.0", "5.6.0"},
		{"1.0", "1.00"},
		{"5.6.0", "0:5.6.0"},
		{"5.6.0", "5.6.0-0"},
		{"1.01", "1.1"},
		{"", ""},
	} {
		assert.Zero(t, Compare(tt.a, tt.b), "Compare(%q, %q)", tt.a, tt.b)
	}
}

func TestIsRelease(t *testing.T) {
	for v, want := range map[string]bool{
		"5.6.0": true, "5.6": true, "5.6.0-4": true, "1:5.6.0~rc1": true, "5.6.0+dfsg-1~bpo12+1": true,
		"master": false, "beta": false, "bucardo_3.0": false, "5": false, "v1.0": false, "feature/x": false,
		"13f98c533f1160da412d82f66ca26c7c11fcb466": false, "": false, "5.6.0-": false, "5..6": false,
	} {
		assert.Equal(t, want, IsRelease(v), "IsRelease(%q)", v)
	}
}

// Sort lists releases newest first, then other refs by name.
func TestSort(t *testing.T) {
	tests := []struct{ in, want string }{
		{"4.99.10 master 5.6.0 5.10.0 bucardo_3.0 5.4.1 4.4.8 5.6 beta 5.6.0.1",
			"5.10.0 5.6.0.1 5.6.0 5.6 5.4.1 4.99.10 4.4.8 beta bucardo_3.0 master"},
		{"5.6.0-4 5.6.0-10 5.6.0-1 5.6.0", "5.6.0-10 5.6.0-4 5.6.0-1 5.6.0"},
		{"1.0 1.0~rc1 1:0.1 master 13f98c533f1160da412d82f66ca26c7c11fcb466", "1:0.1 1.0 1.0~rc1 13f98c533f1160da412d82f66ca26c7c11fcb466 master"},
		{"1.00 1.0 1.000", "1.0 1.00 1.000"},
	}
	for _, tt := range tests {
		vs := strings.Fields(tt.in)
		Sort(vs)
		assert.Equal(t, tt.want, strings.Join(vs, " "), "Sort(%s)", tt.in)
	}
}

func FuzzCompare(f *testing.F) {
	for _, tt := range compareTests {
		f.Add(tt.a, tt.b)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		assert.Equal(t, -Compare(a, b), Compare(b, a), "Compare(%q, %q) against Compare(%q, %q)", b, a, a, b)
		assert.Zero(t, Compare(a, a), "Compare(%q, %q)", a, a)
	})
}
