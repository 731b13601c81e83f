package patch

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected sections of golden files")

// golden is a txtar test case. Its comment holds "key: value" options;
// "nonewline: NAME..." lists sections whose final newline is not data.
type golden struct {
	path string
	ar   *txtar.Archive
	opts map[string]string
}

func readGoldens(t *testing.T, dir string) []*golden {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden files in testdata/%s: %v", dir, err)
	}
	var gs []*golden
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		g := &golden{path: p, ar: ar, opts: map[string]string{}}
		for _, line := range strings.Split(string(ar.Comment), "\n") {
			if k, v, ok := goldenOption(line); ok {
				g.opts[k] = v
			}
		}
		gs = append(gs, g)
	}
	return gs
}

// goldenOption parses a comment line "key: value" for a known key.
func goldenOption(line string) (key, value string, ok bool) {
	k, v, found := strings.Cut(line, ":")
	if !found || !slices.Contains([]string{"fuzz", "allowed", "nonewline", "name"}, k) {
		return "", "", false
	}
	return k, strings.TrimSpace(v), true
}

func (g *golden) name() string { return strings.TrimSuffix(filepath.Base(g.path), ".txtar") }

func (g *golden) nonewline(name string) bool {
	return slices.Contains(strings.Fields(g.opts["nonewline"]), name)
}

// file returns the data of section name, and whether there is one.
func (g *golden) file(name string) ([]byte, bool) {
	for _, f := range g.ar.Files {
		if f.Name == name {
			if g.nonewline(name) {
				return bytes.TrimSuffix(f.Data, []byte("\n")), true
			}
			return f.Data, true
		}
	}
	return nil, false
}

// files returns the sections whose names start with prefix, by the rest of
// their name.
func (g *golden) files(prefix string) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range g.ar.Files {
		if rest, ok := strings.CutPrefix(f.Name, prefix); ok {
			m[rest], _ = g.file(f.Name)
		}
	}
	return m
}

// check compares the sections got (the outputs) with the golden's
// sections not named in inputs, or rewrites them with -update.
func (g *golden) check(t *testing.T, inputs []string, got []txtar.File) {
	t.Helper()
	if *update {
		g.rewrite(t, inputs, got)
		return
	}
	want := map[string][]byte{}
	for _, f := range g.ar.Files {
		if !slices.Contains(inputs, f.Name) {
			want[f.Name], _ = g.file(f.Name)
		}
	}
	for _, f := range got {
		w, ok := want[f.Name]
		if !ok {
			t.Errorf("%s: unexpected section %q:\n%s", g.path, f.Name, f.Data)
		} else if !bytes.Equal(w, f.Data) {
			t.Errorf("%s: section %q:\n--- want\n%s\n--- got\n%s", g.path, f.Name, w, f.Data)
		}
		delete(want, f.Name)
	}
	for name := range want {
		t.Errorf("%s: section %q expected but not produced", g.path, name)
	}
}

func (g *golden) rewrite(t *testing.T, inputs []string, got []txtar.File) {
	var keep []txtar.File
	var nonl []string
	for _, f := range g.ar.Files {
		if slices.Contains(inputs, f.Name) {
			keep = append(keep, f)
			if g.nonewline(f.Name) {
				nonl = append(nonl, f.Name)
			}
		}
	}
	for _, f := range got {
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			nonl = append(nonl, f.Name)
			f.Data = append(slices.Clip(f.Data), '\n')
		}
		keep = append(keep, f)
	}
	var comment strings.Builder
	if len(nonl) > 0 {
		fmt.Fprintf(&comment, "nonewline: %s\n", strings.Join(nonl, " "))
	}
	for _, line := range strings.SplitAfter(string(g.ar.Comment), "\n") {
		if k, _, ok := goldenOption(line); !ok || k != "nonewline" {
			comment.WriteString(line)
		}
	}
	ar := &txtar.Archive{Comment: []byte(comment.String()), Files: keep}
	if err := os.WriteFile(g.path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// errorText renders an error with its kind, for golden "error" sections.
func errorText(err error) string {
	var ae *ApplyError
	kind := "other"
	switch {
	case errors.Is(err, ErrRejected):
		kind = "rejected (RejectError)"
	case errors.As(err, &ae):
		kind = "does not apply (ApplyError)"
	}
	return kind + "\n" + err.Error() + "\n"
}

func reportText(res Result) string {
	var b strings.Builder
	for _, h := range res.Hunks {
		fmt.Fprintf(&b, "%s %s offset %+d fuzz %d\n", h.File, h.Header, h.Offset, h.Fuzz)
	}
	return b.String()
}

// TestApplyGolden applies testdata/apply/NAME.txtar's "patch" to its
// "old/FILE" sections and checks "new/FILE" and "report", or "error".
// Options: "fuzz: N", "allowed: NAME..." (default: bucardo.Names).
func TestApplyGolden(t *testing.T) {
	for _, g := range readGoldens(t, "apply") {
		t.Run(g.name(), func(t *testing.T) {
			old := g.files("old/")
			raw, ok := g.file("patch")
			if !ok {
				t.Fatal("no patch section")
			}
			inputs := []string{"patch"}
			for name := range old {
				inputs = append(inputs, "old/"+name)
			}
			g.check(t, inputs, applyGolden(t, g, old, raw))
		})
	}
}

func applyGolden(t *testing.T, g *golden, old map[string][]byte, raw []byte) []txtar.File {
	opt := ApplyOptions{Allowed: bucardo.Names}
	if s, ok := g.opts["fuzz"]; ok {
		opt.Fuzz, _ = strconv.Atoi(s)
	}
	if s, ok := g.opts["allowed"]; ok {
		opt.Allowed = strings.Fields(s)
	}
	oldCopy := cloneFiles(old)
	p, err := Parse(g.name()+".patch", raw)
	var out map[string][]byte
	var res Result
	if err == nil {
		out, res, err = ApplyOne(old, p, opt)
	}
	if !equalFiles(old, oldCopy) {
		t.Error("ApplyOne modified its input")
	}
	if err != nil {
		if out != nil {
			t.Error("ApplyOne returned files with an error")
		}
		return []txtar.File{{Name: "error", Data: []byte(errorText(err))}}
	}
	if opt.Fuzz == 0 {
		checkReverse(t, p, old, out)
	}
	var got []txtar.File
	for _, name := range slices.Sorted(maps.Keys(out)) {
		if !bytes.Equal(out[name], old[name]) {
			got = append(got, txtar.File{Name: "new/" + name, Data: out[name]})
		}
	}
	return append(got, txtar.File{Name: "report", Data: []byte(reportText(res))})
}

// checkReverse checks that Reverse(p) applied to what p gave (the fork)
// gives back the files p was applied to, and that it does not apply to
// those files unless p changed nothing.
func checkReverse(t *testing.T, p *Patch, old, fork map[string][]byte) {
	t.Helper()
	back, _, err := ApplyOne(fork, Reverse(p), ApplyOptions{})
	if err != nil || !equalFiles(back, old) {
		t.Errorf("reverse apply to the fork: %v\n%q", err, back)
	}
	if _, _, err := ApplyOne(old, Reverse(p), ApplyOptions{}); err == nil && !equalFiles(old, fork) {
		t.Error("reverse apply to the files before the patch succeeded; want an error (they are not the fork)")
	}
}

func cloneFiles(m map[string][]byte) map[string][]byte {
	c := map[string][]byte{}
	for k, v := range m {
		c[k] = slices.Clone(v)
	}
	return c
}

func equalFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

func TestApplyErrorFields(t *testing.T) {
	old := numbered(1, 20)
	patch := "--- a/bucardo\n+++ b/bucardo\n@@ -9,7 +9,7 @@\n 9\n 10\n 11\n-12\n+twelve\n 13\n 14\n 15\n"
	old = bytes.Replace(old, []byte("\n14\n"), []byte("\nfourteen\n"), 1)
	_, _, err := ApplyOne(map[string][]byte{"bucardo": old}, mustParse(t, patch), ApplyOptions{})
	var ae *ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("want *ApplyError, got %v", err)
	}
	want := ApplyError{Patch: "t.patch", File: "bucardo", Hunk: 1, Hunks: 1, Header: "@@ -9,7 +9,7 @@",
		Line: 14, Want: "14", Got: "fourteen", Nearest: 9, NearestMatched: 6, NearestTotal: 7}
	if *ae != want {
		t.Errorf("got  %+v\nwant %+v", *ae, want)
	}
	if errors.Is(err, ErrRejected) {
		t.Error("an ApplyError must not match ErrRejected")
	}
}

// numbered returns lines "from\n" … "to\n".
func numbered(from, to int) []byte {
	var b bytes.Buffer
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	return b.Bytes()
}

func mustParse(t testing.TB, patch string) *Patch {
	t.Helper()
	p, err := Parse("t.patch", []byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestApplySeriesAllOrNothing(t *testing.T) {
	files := map[string][]byte{"bucardo": numbered(1, 10)}
	good := mustParse(t, "--- a/bucardo\n+++ b/bucardo\n@@ -1,3 +1,3 @@\n-1\n+one\n 2\n 3\n")
	bad := mustParse(t, "--- a/bucardo\n+++ b/bucardo\n@@ -8,3 +8,3 @@\n 8\n-nine\n+9\n 10\n")
	out, res, err := Apply(files, &Series{Patches: []*Patch{good, bad}}, ApplyOptions{})
	if err == nil || out != nil {
		t.Fatalf("Apply = %v, %v; want no files and an error", out, err)
	}
	if len(res) != 1 || res[0].Name != "t.patch" {
		t.Errorf("results = %+v, want the one patch that applied", res)
	}
	if !bytes.Equal(files["bucardo"], numbered(1, 10)) {
		t.Error("Apply modified its input")
	}
}

func TestReverse(t *testing.T) {
	old := numbered(1, 30)
	newer := bytes.Replace(old, []byte("\n5\n"), []byte("\nfive\nand a half\n"), 1)
	newer = bytes.Replace(newer, []byte("\n20\n21\n"), []byte("\n"), 1)
	newer = append(newer, "end"...) // no newline at the end
	p := mustParse(t, string(Diff("bucardo", old, newer)))
	fork, _, err := ApplyOne(map[string][]byte{"bucardo": old}, p, ApplyOptions{})
	if err != nil || !bytes.Equal(fork["bucardo"], newer) {
		t.Fatalf("apply: %v\n%s", err, fork["bucardo"])
	}
	back, _, err := ApplyOne(fork, Reverse(p), ApplyOptions{})
	if err != nil || !bytes.Equal(back["bucardo"], old) {
		t.Fatalf("reverse apply: %v\n%s", err, back["bucardo"])
	}
	if _, _, err := ApplyOne(map[string][]byte{"bucardo": old}, Reverse(p), ApplyOptions{}); err == nil {
		t.Error("reverse apply to the pristine file succeeded; want an error (it is not the fork)")
	}
}

func TestApplyMisfit(t *testing.T) {
	tests := []struct{ name, patch, want string }{
		{"longer than the file", "--- a/bucardo\n+++ b/bucardo\n@@ -1,4 +1,4 @@\n 1\n 2\n-3\n+three\n 4\n",
			"it needs 4 old lines; the file has 3"},
		{"insert past the end", "--- a/bucardo\n+++ b/bucardo\n@@ -4,0 +5 @@\n+5\n",
			"it inserts after line 4, past the end of the file (3 lines)"},
		{"no final newline inside", "--- a/bucardo\n+++ b/bucardo\n@@ -1,0 +2 @@\n+x\n\\ No newline at end of file\n",
			"it adds a last line without a newline, but after line 1 of 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ApplyOne(map[string][]byte{"bucardo": numbered(1, 3)}, mustParse(t, tt.patch), ApplyOptions{})
			var ae *ApplyError
			if !errors.As(err, &ae) || ae.Reason != tt.want {
				t.Errorf("error %v, want an ApplyError with reason %q", err, tt.want)
			}
		})
	}
}

func TestApplyNegativeFuzzIsNone(t *testing.T) {
	p := mustParse(t, "--- a/bucardo\n+++ b/bucardo\n@@ -1,2 +1,2 @@\n-1\n+one\n 2\n")
	out, res, err := ApplyOne(map[string][]byte{"bucardo": numbered(1, 2)}, p, ApplyOptions{Fuzz: -1})
	if err != nil || string(out["bucardo"]) != "one\n2\n" || res.Hunks[0].Fuzz != 0 {
		t.Errorf("ApplyOne with Fuzz -1 = %q, %+v, %v; want the exact apply", out["bucardo"], res, err)
	}
}

func TestTrimFor(t *testing.T) {
	tests := []struct {
		lead, trail, fuzz int
		eof               bool
		want              trim
	}{
		{3, 3, 0, false, trim{}},
		{3, 3, 1, false, trim{lead: 1, trail: 1}},
		{3, 3, 5, false, trim{lead: 3, trail: 3}},
		{1, 3, 0, false, trim{anchorStart: true}},
		{1, 3, 1, false, trim{trail: 1, anchorStart: true}},
		{1, 3, 2, false, trim{trail: 2}},
		{3, 0, 0, false, trim{anchorEnd: true}},
		{3, 3, 1, true, trim{lead: 1, anchorEnd: true}},
		{0, 0, 2, false, trim{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.lead, tt.trail, tt.fuzz, tt.eof), func(t *testing.T) {
			if got := trimFor(hunk{lead: tt.lead, trail: tt.trail, eof: tt.eof}, tt.fuzz); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSplitLines(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"a", []string{"a"}},
		{"a\n", []string{"a\n"}},
		{"a\n\nb", []string{"a\n", "\n", "b"}},
	}
	for _, tt := range tests {
		if got := splitLines([]byte(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("splitLines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzApply checks that parsing and applying any patch to any file never
// panics, and that a successful apply leaves the input alone.
func FuzzApply(f *testing.F) {
	f.Add([]byte("1\n2\n3\n4\n"), []byte("--- a/bucardo\n+++ b/bucardo\n@@ -1,3 +1,3 @@\n 1\n-2\n+two\n 3\n"), 0)
	f.Add([]byte("x\ny"), []byte("--- a/bucardo\n+++ b/bucardo\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n"), 1)
	f.Fuzz(func(t *testing.T, file, patch []byte, fuzz int) {
		p, err := Parse("f.patch", patch)
		if err != nil {
			return
		}
		in := map[string][]byte{"bucardo": file, "bucardo.schema": file}
		orig := cloneFiles(in)
		fuzz = max(fuzz%4, 0)
		out, res, err := ApplyOne(in, p, ApplyOptions{Fuzz: fuzz})
		if !equalFiles(in, orig) {
			t.Fatal("input modified")
		}
		checkApplied(t, p, fuzz, out, res, err)
		ApplyOne(in, Reverse(p), ApplyOptions{})
	})
}

// checkApplied checks an ApplyOne result: files or an error, never
// both; one result per hunk; no hunk fuzzed more than asked.
func checkApplied(t *testing.T, p *Patch, fuzz int, out map[string][]byte, res Result, err error) {
	t.Helper()
	if (err == nil) == (out == nil) {
		t.Fatalf("files %v and error %v", out != nil, err)
	}
	if err != nil {
		return
	}
	hunks := 0
	for _, f := range p.Files {
		hunks += len(f.TextFragments)
	}
	if len(res.Hunks) != hunks {
		t.Fatalf("%d hunk results for %d hunks", len(res.Hunks), hunks)
	}
	for _, h := range res.Hunks {
		if h.Fuzz > fuzz {
			t.Fatalf("hunk %s applied with fuzz %d, %d allowed", h.Header, h.Fuzz, fuzz)
		}
	}
}

// syntheticSeries returns a 12,000-line file and a patch of about 20
// hunks for it, made with Diff; the file given to Apply has 7 lines added
// at the top, so that every hunk applies at an offset.
func syntheticSeries(tb testing.TB) (map[string][]byte, *Series) {
	r := rand.New(rand.NewSource(1))
	base := syntheticFile(r, 12000)
	lines := splitLines(base)
	for i := 0; i < 20; i++ {
		at := 300 + i*580 + r.Intn(100)
		lines[at] = "changed " + lines[at]
		lines[at+2] = lines[at+2] + "added line\n"
	}
	p, err := Parse("bench.patch", Diff("bucardo", base, []byte(strings.Join(lines, ""))))
	if err != nil {
		tb.Fatal(err)
	}
	shifted := append([]byte("#!/usr/bin/perl\n1\n2\n3\n4\n5\n6\n"), base...)
	return map[string][]byte{"bucardo": shifted}, &Series{Patches: []*Patch{p}}
}

// syntheticFile returns n lines of Perl-ish text with some repeats.
func syntheticFile(r *rand.Rand, n int) []byte {
	words := []string{"my", "$dbh", "=", "shift;", "return", "if", "}", "{", "sub", "die", "$self->{dbname}", "bucardo"}
	var b strings.Builder
	for i := 0; i < n; i++ {
		switch r.Intn(10) {
		case 0:
			b.WriteString("\n")
		case 1:
			b.WriteString("}\n")
		default:
			fmt.Fprintf(&b, "    %s %s %s # %d\n", words[r.Intn(len(words))], words[r.Intn(len(words))], words[r.Intn(len(words))], r.Intn(n))
		}
	}
	return []byte(b.String())
}

func BenchmarkApply(b *testing.B) {
	files, s := syntheticSeries(b)
	b.SetBytes(int64(len(files["bucardo"])))
	for b.Loop() {
		if _, _, err := Apply(files, s, ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(s.Patches[0].Files[0].TextFragments)), "hunks")
}

// TestApplyLikeGNUPatch applies diffs to texts that drifted from the one
// they were made for (lines inserted, removed, changed anywhere), with our
// Apply and with GNU patch at the same fuzz factor: both must fail, or
// both give the same text.
func TestApplyLikeGNUPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch not on PATH")
	}
	var same, failed int
	for seed := int64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewSource(seed))
		a := randomText(r, 20+r.Intn(60))
		d := Diff("bucardo", a, randomEdit(r, a))
		if len(d) == 0 {
			continue
		}
		drifted := randomEdit(r, a)
		fuzz := int(seed % 3)
		want, gnuOK := gnuPatch(t, drifted, d, fuzz)
		p := mustParse(t, string(d))
		out, _, err := ApplyOne(map[string][]byte{"bucardo": drifted}, p, ApplyOptions{Fuzz: fuzz})
		if gnuOK != (err == nil) || gnuOK && !bytes.Equal(out["bucardo"], want) {
			t.Fatalf("seed %d fuzz %d: GNU patch ok=%v, we: %v\nfile %q\npatch\n%s\nGNU\n%q\nwe\n%q", seed, fuzz, gnuOK, err, drifted, d, want, out["bucardo"])
		}
		if gnuOK {
			same++
		} else {
			failed++
		}
	}
	t.Logf("%d applied the same as GNU patch, %d failed with both", same, failed)
}

// gnuPatch runs GNU patch with the fuzz factor on a copy of a; false when
// a hunk failed.
func gnuPatch(t *testing.T, a, d []byte, fuzz int) ([]byte, bool) {
	t.Helper()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "bucardo"), a, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "d.patch"), d, 0o644))
	cmd := exec.Command("patch", "-p1", "--batch", "-s", "--no-backup-if-mismatch", "-r", "-", "-F", strconv.Itoa(fuzz), "-i", "d.patch")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return nil, false
		}
		t.Fatalf("patch: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "bucardo"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, true
	}
	must(t, err)
	return got, true
}
