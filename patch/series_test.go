package patch

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const onePatch = "Description: one\n---\n--- a/bucardo\n+++ b/bucardo\n@@ -1,2 +1,2 @@\n-1\n+one\n 2\n"
const twoPatch = "--- a/bucardo\n+++ b/bucardo\n@@ -1,2 +1,2 @@\n-one\n+uno\n 2\n"

func seriesFS(series string, patches ...string) fstest.MapFS {
	fsys := fstest.MapFS{"s/series": {Data: []byte(series)}, "s/checksums": {Data: []byte("x  bucardo\n")}}
	for i := 0; i+1 < len(patches); i += 2 {
		fsys["s/"+patches[i]] = &fstest.MapFile{Data: []byte(patches[i+1])}
	}
	return fsys
}

func TestReadSeries(t *testing.T) {
	fsys := seriesFS("# order matters\n01-one.patch\n\n02-two.patch -p1 # trailing comment\n",
		"01-one.patch", onePatch, "02-two.patch", twoPatch)
	s, err := ReadSeries(fsys, "s")
	require.NoError(t, err)
	var names []string
	for _, p := range s.Patches {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"01-one.patch", "02-two.patch"}, names)
	out, res, err := Apply(map[string][]byte{"bucardo": []byte("1\n2\n")}, s, ApplyOptions{})
	require.NoError(t, err)
	assert.Equal(t, "uno\n2\n", string(out["bucardo"]))
	assert.Len(t, res, 2)
}

func TestReadSeriesErrors(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"missing", seriesFS("01-one.patch\n02-two.patch\n", "01-one.patch", onePatch),
			`patch "02-two.patch" is listed but missing`},
		{"unlisted", seriesFS("01-one.patch\n", "01-one.patch", onePatch, "02-two.patch", twoPatch, "03.diff", twoPatch),
			`not listed in "series": "02-two.patch", "03.diff"`},
		{"twice", seriesFS("01-one.patch\n01-one.patch\n", "01-one.patch", onePatch),
			`line 2: "01-one.patch" is listed twice`},
		{"p0", seriesFS("01-one.patch -p0\n", "01-one.patch", onePatch),
			`option "-p0" of "01-one.patch" is not supported`},
		{"subdir", seriesFS("../01-one.patch\n", "01-one.patch", onePatch),
			`"../01-one.patch" is not a plain patch file name`},
		{"no series", fstest.MapFS{"s/01-one.patch": {Data: []byte(onePatch)}},
			`reading series: open s/series: file does not exist`},
		{"bad patch", seriesFS("01-one.patch\n", "01-one.patch", "--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n"),
			`absolute path "/etc/passwd"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSeries(tt.fsys, "s")
			assert.ErrorContains(t, err, tt.want)
		})
	}
	_, err := ReadSeries(seriesFS("01-one.patch\n"), "s")
	assert.ErrorIs(t, err, fs.ErrNotExist, "a missing patch")
}

func TestSeriesHash(t *testing.T) {
	hash := func(fsys fstest.MapFS) string {
		s, err := ReadSeries(fsys, "s")
		require.NoError(t, err)
		return s.Hash()
	}
	a := hash(seriesFS("01-one.patch\n02-two.patch\n", "01-one.patch", onePatch, "02-two.patch", twoPatch))
	require.Len(t, a, 64)
	require.Equal(t, a, hash(seriesFS("01-one.patch\n02-two.patch\n", "01-one.patch", onePatch, "02-two.patch", twoPatch)), "stable")
	b := hash(seriesFS("01-one.patch\n02-two.patch\n", "01-one.patch", onePatch, "02-two.patch", twoPatch+"\n"))
	assert.NotEqual(t, a, b, "a change to a patch")
	c := hash(seriesFS("01-one.patch\n02-two.patch \n", "01-one.patch", onePatch, "02-two.patch", twoPatch))
	assert.NotEqual(t, a, c, "a change to the series file")
}

// formatPatch is what git format-patch writes before a diff: an mbox
// "From <sha>" line, mail headers (an encoded-word, a folded Subject), the
// message body, a "---" line and the diffstat.
const formatPatch = `From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: =?UTF-8?q?Jos=C3=A9=20D?= <j@example.org>
Date: Wed, 1 May 2024 10:00:00 +0200
Subject: [PATCH v2 1/3] install: use the database name given,
 not "bucardo"

Bucardo hard-codes the name.

Signed-off-by: J D <j@example.org>
Closes the second paragraph.
---
 bucardo | 2 +-
`

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name, text string
		want       Header
	}{
		{"dep3", "Description: use the name given\n Bucardo hard-codes it.\n .\n Second paragraph.\nAuthor: A <a@example.org>\nForwarded: no\nBug: https://github.com/bucardo/bucardo/issues/76\nLast-Update: 2024-05-01\n---\nnot a field: x\n",
			Header{Description: "use the name given\nBucardo hard-codes it.\n\nSecond paragraph.", Author: "A <a@example.org>", Forwarded: "no",
				Bug: "https://github.com/bucardo/bucardo/issues/76", LastUpdate: "2024-05-01"}},
		{"aliases and case", "subject: [PATCH] fix it\nFROM: B <b@example.org>\nBug-Debian: https://bugs.debian.org/630785\n",
			Header{Description: "fix it", Author: "B <b@example.org>", Bug: "https://bugs.debian.org/630785"}},
		{"git format-patch", formatPatch, Header{
			Description: "install: use the database name given, not \"bucardo\"\nBucardo hard-codes the name.\n\nCloses the second paragraph.",
			Author:      "José D <j@example.org>"}},
		{"description and author win over subject and from", "From: m <m@x>\nSubject: mail\nDescription: dep3\nAuthor: a <a@x>\n",
			Header{Description: "dep3", Author: "a <a@x>"}},
		{"description on the next lines", "Description:\n first\n second\n", Header{Description: "first\nsecond"}},
		{"bug wins over vendor bug", "Bug-Debian: d\nBug: u\nBug-Ubuntu: x\n", Header{Bug: "u"}},
		{"free text is the description", "This patch does things.\n\n  More.\nIndex: bucardo\n====\ndiff -u a/bucardo b/bucardo\n", Header{Description: "This patch does things.\n\nMore."}},
		{"free text after the fields is long description", "Description: short\nAuthor: me\n\nLonger text.\n", Header{Description: "short\nLonger text.", Author: "me"}},
		{"subject without a patch tag", "Subject: [bucardo] keep it\n", Header{Description: "[bucardo] keep it"}},
		{"empty", "", Header{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Raw = tt.text
			assert.Equal(t, tt.want, ParseHeader(tt.text))
		})
	}
}

func TestParsePatchHeaderAndNames(t *testing.T) {
	p := mustParse(t, "Description: x\nAuthor: me\n\nIndex: pkg/bucardo\n--- pkg.orig/bucardo\t2024-01-01\n+++ pkg/bucardo\t2024-01-02\n@@ -1 +1 @@\n-a\n+b\n")
	assert.Equal(t, "x", p.Header.Description)
	assert.Equal(t, "me", p.Header.Author)
	assert.True(t, strings.HasPrefix(p.Header.Raw, "Description: x\n"), "raw header %q", p.Header.Raw)
	assert.Equal(t, "bucardo", p.Files[0].OldName, "the -p1 name")
	assert.Equal(t, "bucardo", p.Files[0].NewName, "the -p1 name")
}

func TestStripComment(t *testing.T) {
	tests := map[string]string{
		"a.patch":             "a.patch",
		"# all comment":       "",
		"a.patch # why":       "a.patch ",
		"a#b.patch":           "a#b.patch",
		"a.patch -p1\t# tab":  "a.patch -p1\t",
		"  # indented":        "  ",
		"a.patch #no-space-x": "a.patch ",
	}
	for in, want := range tests {
		assert.Equal(t, want, stripComment(in), "stripComment(%q)", in)
	}
}

func TestListedName(t *testing.T) {
	tests := map[string]string{
		"a.patch":           "a.patch",
		"a.patch -p1 # why": "a.patch",
		"  a.patch":         "a.patch",
		"# a.patch":         "",
		"":                  "",
		"a#b.patch":         "a#b.patch",
		"\t# indented":      "",
	}
	for in, want := range tests {
		assert.Equal(t, want, ListedName(in), "ListedName(%q)", in)
	}
}

func TestNameProblem(t *testing.T) {
	tests := []struct {
		name string
		bad  bool
	}{
		{"a/bucardo", false}, {"b/bucardo.schema", false}, {"a/..bucardo", false},
		{"/etc/passwd", true}, {"a/../bucardo", true}, {"..", true}, {"a/x/..", true},
		{"../x", true}, {"/dev/null", true}, {"a\\..\\x", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.bad, nameProblem(tt.name) != "", "nameProblem(%q) = %q", tt.name, nameProblem(tt.name))
	}
}

func TestStripPrefix(t *testing.T) {
	tests := map[string]string{"a/bucardo": "bucardo", "b//bucardo": "bucardo", "x/y/z": "y/z", "bucardo": "", "a/": ""}
	for in, want := range tests {
		assert.Equal(t, want, stripPrefix(in), "stripPrefix(%q)", in)
	}
}

func TestHeaderName(t *testing.T) {
	tests := map[string]string{"a/bucardo": "a/bucardo", "a/bucardo\t2024-01-01 10:00": "a/bucardo", `"a/b\tc"`: "a/b\tc", `"unterminated`: `"unterminated`}
	for in, want := range tests {
		assert.Equal(t, want, headerName(in), "headerName(%q)", in)
	}
}

// FuzzParse checks that Parse never panics, refuses with a
// *RejectError, and accepts only -p1 names without "..". The patches of
// the goldens in testdata/apply seed it.
func FuzzParse(f *testing.F) {
	f.Add([]byte(onePatch))
	for _, g := range readGoldens(f, "apply") {
		raw, _ := g.file("patch")
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.patch", data)
		if err != nil {
			var pe *RejectError
			require.ErrorAs(t, err, &pe)
			return
		}
		for _, f := range p.Files {
			if f.OldName != f.NewName || nameProblem(f.NewName) != "" || f.NewName == "" || f.IsBinary {
				t.Fatalf("accepted file %+v", f)
			}
		}
	})
}

func TestSetLastUpdate(t *testing.T) {
	const diff = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-Last-Update: old\n+x\n"
	tests := []struct{ name, in, want string }{
		{"replaced", "Description: d\nLast-Update: 2020-01-01\n\n" + diff, "Description: d\nLast-Update: 2026-12-01\n\n" + diff},
		{"any case, key kept", "last-update: 2020-01-01\n---\n" + diff, "last-update: 2026-12-01\n---\n" + diff},
		{"added after the fields", "Description: d\nAuthor: a\n\n" + diff, "Description: d\nAuthor: a\nLast-Update: 2026-12-01\n\n" + diff},
		{"added before the diff", "Description: d\n" + diff, "Description: d\nLast-Update: 2026-12-01\n" + diff},
		{"the diff's lines are not fields", diff, "Last-Update: 2026-12-01\n" + diff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, string(SetLastUpdate([]byte(tt.in), "2026-12-01")))
		})
	}
}

func TestEdits(t *testing.T) {
	want := []Edit{{A0: 1, A1: 2, B0: 1, B1: 2}, {A0: 4, A1: 4, B0: 4, B1: 5}}
	assert.Equal(t, want, Edits([]byte("a\nb\nc\nd\n"), []byte("a\nB\nc\nd\ne\n")))
}
