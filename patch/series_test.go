package patch

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
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
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range s.Patches {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"01-one.patch", "02-two.patch"}) {
		t.Errorf("names %q", names)
	}
	out, res, err := Apply(map[string][]byte{"bucardo": []byte("1\n2\n")}, s, ApplyOptions{})
	if err != nil || string(out["bucardo"]) != "uno\n2\n" || len(res) != 2 {
		t.Errorf("Apply = %q, %+v, %v", out["bucardo"], res, err)
	}
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
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	_, err := ReadSeries(seriesFS("01-one.patch\n"), "s")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing patch: %v, want fs.ErrNotExist", err)
	}
}

func TestSeriesHash(t *testing.T) {
	hash := func(fsys fstest.MapFS) string {
		s, err := ReadSeries(fsys, "s")
		if err != nil {
			t.Fatal(err)
		}
		return s.Hash()
	}
	a := hash(seriesFS("01-one.patch\n02-two.patch\n", "01-one.patch", onePatch, "02-two.patch", twoPatch))
	if len(a) != 64 || a != hash(seriesFS("01-one.patch\n02-two.patch\n", "01-one.patch", onePatch, "02-two.patch", twoPatch)) {
		t.Fatalf("hash %q not stable", a)
	}
	b := hash(seriesFS("01-one.patch\n02-two.patch\n", "01-one.patch", onePatch, "02-two.patch", twoPatch+"\n"))
	c := hash(seriesFS("01-one.patch\n02-two.patch \n", "01-one.patch", onePatch, "02-two.patch", twoPatch))
	if a == b || a == c {
		t.Error("hash ignores a change to a patch or to the series file")
	}
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
			got := ParseHeader(tt.text)
			tt.want.Raw = tt.text
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParsePatchHeaderAndNames(t *testing.T) {
	p := mustParse(t, "Description: x\nAuthor: me\n\nIndex: pkg/bucardo\n--- pkg.orig/bucardo\t2024-01-01\n+++ pkg/bucardo\t2024-01-02\n@@ -1 +1 @@\n-a\n+b\n")
	if p.Header.Description != "x" || p.Header.Author != "me" || !strings.HasPrefix(p.Header.Raw, "Description: x\n") {
		t.Errorf("header %+v", p.Header)
	}
	if f := p.Files[0]; f.OldName != "bucardo" || f.NewName != "bucardo" {
		t.Errorf("names %q %q, want the -p1 name", f.OldName, f.NewName)
	}
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
		if got := stripComment(in); got != want {
			t.Errorf("stripComment(%q) = %q, want %q", in, got, want)
		}
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
		if got := ListedName(in); got != want {
			t.Errorf("ListedName(%q) = %q, want %q", in, got, want)
		}
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
		if got := nameProblem(tt.name) != ""; got != tt.bad {
			t.Errorf("nameProblem(%q) = %q, want a problem: %v", tt.name, nameProblem(tt.name), tt.bad)
		}
	}
}

func TestStripPrefix(t *testing.T) {
	tests := map[string]string{"a/bucardo": "bucardo", "b//bucardo": "bucardo", "x/y/z": "y/z", "bucardo": "", "a/": ""}
	for in, want := range tests {
		if got := stripPrefix(in); got != want {
			t.Errorf("stripPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHeaderName(t *testing.T) {
	tests := map[string]string{"a/bucardo": "a/bucardo", "a/bucardo\t2024-01-01 10:00": "a/bucardo", `"a/b\tc"`: "a/b\tc", `"unterminated`: `"unterminated`}
	for in, want := range tests {
		if got := headerName(in); got != want {
			t.Errorf("headerName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse checks that Parse never panics, refuses with a
// *RejectError, and accepts only -p1 names without "..".
func FuzzParse(f *testing.F) {
	f.Add([]byte(onePatch)) // and the corpus in testdata/fuzz/FuzzParse
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.patch", data)
		if err != nil {
			var pe *RejectError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *RejectError", err)
			}
			return
		}
		for _, f := range p.Files {
			if f.OldName != f.NewName || nameProblem(f.NewName) != "" || f.NewName == "" || f.IsBinary {
				t.Fatalf("accepted file %+v", f)
			}
		}
	})
}
