package patch

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bluekeyes/go-gitdiff/gitdiff"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
			require.True(t, ok, "no patch section")
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
	assert.True(t, sameFiles(old, oldCopy), "ApplyOne modified its input")
	if err != nil {
		assert.Nil(t, out, "ApplyOne returned files with an error")
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
	if assert.NoError(t, err, "reverse apply to the fork") {
		assert.True(t, sameFiles(back, old), "reverse apply to the fork gives\n%q", back)
	}
	if _, _, err := ApplyOne(old, Reverse(p), ApplyOptions{}); !sameFiles(old, fork) {
		assert.Error(t, err, "reverse apply to the files before the patch: they are not the fork")
	}
}

func cloneFiles(m map[string][]byte) map[string][]byte {
	c := map[string][]byte{}
	for k, v := range m {
		c[k] = slices.Clone(v)
	}
	return c
}

// sameFiles reports whether a and b hold the same names and contents (nil
// and empty alike).
func sameFiles(a, b map[string][]byte) bool { return maps.EqualFunc(a, b, bytes.Equal) }

func TestApplyErrorFields(t *testing.T) {
	old := numbered(1, 20)
	patch := "--- a/bucardo\n+++ b/bucardo\n@@ -9,7 +9,7 @@\n 9\n 10\n 11\n-12\n+twelve\n 13\n 14\n 15\n"
	old = bytes.Replace(old, []byte("\n14\n"), []byte("\nfourteen\n"), 1)
	_, _, err := ApplyOne(map[string][]byte{"bucardo": old}, mustParse(t, patch), ApplyOptions{})
	var ae *ApplyError
	require.ErrorAs(t, err, &ae)
	want := ApplyError{Patch: "t.patch", File: "bucardo", Hunk: 1, Hunks: 1, Header: "@@ -9,7 +9,7 @@",
		Line: 14, Want: "14", Got: "fourteen", Nearest: 9, NearestMatched: 6, NearestTotal: 7}
	assert.Equal(t, want, *ae)
	assert.NotErrorIs(t, err, ErrRejected, "an ApplyError must not match ErrRejected")
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
	require.NoError(t, err)
	return p
}

func TestApplySeriesAllOrNothing(t *testing.T) {
	files := map[string][]byte{"bucardo": numbered(1, 10)}
	good := mustParse(t, "--- a/bucardo\n+++ b/bucardo\n@@ -1,3 +1,3 @@\n-1\n+one\n 2\n 3\n")
	bad := mustParse(t, "--- a/bucardo\n+++ b/bucardo\n@@ -8,3 +8,3 @@\n 8\n-nine\n+9\n 10\n")
	out, res, err := Apply(files, &Series{Patches: []*Patch{good, bad}}, ApplyOptions{})
	require.Error(t, err)
	assert.Nil(t, out, "files with an error")
	if assert.Len(t, res, 1, "results: the one patch that applied") {
		assert.Equal(t, "t.patch", res[0].Name)
	}
	assert.Equal(t, string(numbered(1, 10)), string(files["bucardo"]), "Apply modified its input")
}

func TestReverse(t *testing.T) {
	old := numbered(1, 30)
	newer := bytes.Replace(old, []byte("\n5\n"), []byte("\nfive\nand a half\n"), 1)
	newer = bytes.Replace(newer, []byte("\n20\n21\n"), []byte("\n"), 1)
	newer = append(newer, "end"...) // no newline at the end
	p := mustParse(t, string(Diff("bucardo", old, newer)))
	fork, _, err := ApplyOne(map[string][]byte{"bucardo": old}, p, ApplyOptions{})
	require.NoError(t, err, "apply")
	require.Equal(t, string(newer), string(fork["bucardo"]), "apply")
	back, _, err := ApplyOne(fork, Reverse(p), ApplyOptions{})
	require.NoError(t, err, "reverse apply")
	require.Equal(t, string(old), string(back["bucardo"]), "reverse apply")
	_, _, err = ApplyOne(map[string][]byte{"bucardo": old}, Reverse(p), ApplyOptions{})
	assert.Error(t, err, "reverse apply to the pristine file (it is not the fork)")
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
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.want, ae.Reason)
		})
	}
}

func TestApplyNegativeFuzzIsNone(t *testing.T) {
	p := mustParse(t, "--- a/bucardo\n+++ b/bucardo\n@@ -1,2 +1,2 @@\n-1\n+one\n 2\n")
	out, res, err := ApplyOne(map[string][]byte{"bucardo": numbered(1, 2)}, p, ApplyOptions{Fuzz: -1})
	require.NoError(t, err)
	assert.Equal(t, "one\n2\n", string(out["bucardo"]))
	assert.Zero(t, res.Hunks[0].Fuzz, "an exact apply")
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
			assert.Equal(t, tt.want, trimFor(hunk{lead: tt.lead, trail: tt.trail, eof: tt.eof}, tt.fuzz))
		})
	}
}

// splitLines splits text into lines that keep their newline; a last line
// without one is kept as it is.
func splitLines(text []byte) []string {
	t := splitText(text)
	lines := make([]string, t.len())
	for i := range lines {
		lines[i] = string(t.line(i))
	}
	return lines
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
		assert.Equal(t, tt.want, splitLines([]byte(tt.in)), "splitLines(%q)", tt.in)
	}
}

// FuzzApply checks that parsing and applying any patch to any files never
// panics, that a successful apply leaves its input alone, and that undoing
// an apply without fuzz, hunk by hunk where it went, gives the input back.
// The goldens in testdata/apply seed it.
func FuzzApply(f *testing.F) {
	f.Add([]byte("1\n2\n3\n4\n"), []byte(nil), []byte("--- a/bucardo\n+++ b/bucardo\n@@ -1,3 +1,3 @@\n 1\n-2\n+two\n 3\n"), 0)
	f.Add([]byte("x\ny"), []byte(nil), []byte("--- a/bucardo\n+++ b/bucardo\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n"), 1)
	for _, g := range readGoldens(f, "apply") {
		script, _ := g.file("old/" + bucardo.Script)
		schema, _ := g.file("old/" + bucardo.Schema)
		raw, _ := g.file("patch")
		fuzz, _ := strconv.Atoi(g.opts["fuzz"])
		f.Add(script, schema, raw, fuzz)
	}
	f.Fuzz(func(t *testing.T, script, schema, raw []byte, fuzz int) {
		p, err := Parse("f.patch", raw)
		if err != nil {
			return
		}
		in := map[string][]byte{bucardo.Script: script, bucardo.Schema: schema}
		orig := cloneFiles(in)
		fuzz = max(fuzz%4, 0)
		out, res, err := ApplyOne(in, p, ApplyOptions{Fuzz: fuzz})
		require.True(t, sameFiles(in, orig), "input modified")
		checkApplied(t, p, fuzz, out, res, err)
		ApplyOne(in, Reverse(p), ApplyOptions{})
		if err != nil || slices.ContainsFunc(res.Hunks, func(h HunkResult) bool { return h.Fuzz > 0 }) {
			return
		}
		back, _, err := ApplyOne(out, undoAt(p, res), ApplyOptions{})
		require.NoError(t, err, "undoing the apply")
		require.True(t, sameFiles(back, in), "undoing the apply gives\n%q\nwant\n%q", back, in)
	})
}

// undoAt returns the patch that undoes p where res says each hunk went:
// Reverse(p) with the files in reverse order and each hunk stated at the
// line where p's hunk put its new lines.
func undoAt(p *Patch, res Result) *Patch {
	r := Reverse(p)
	n := 0
	for i, f := range p.Files {
		added := int64(0) // by the file's hunks before this one
		for j, frag := range f.TextFragments {
			rf := r.Files[i].TextFragments[j]
			rf.OldPosition = statedStart(frag) + int64(res.Hunks[n].Offset) + added
			if rf.OldLines > 0 {
				rf.OldPosition++ // a range's first line, 1-based
			}
			added += frag.NewLines - frag.OldLines
			n++
		}
	}
	slices.Reverse(r.Files)
	return r
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
	require.NoError(tb, err)
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
		want, _, gnuOK := runPatchTool(t, drifted, d, "patch", "-p1", "--batch", "-s", "--no-backup-if-mismatch", "-r", "-", "-F", strconv.Itoa(fuzz), "-i")
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

// BenchmarkApplyScale10 applies the in-process form of bench/compare's
// scaling case ×10: a 120,000-line file, a series of 4 patches that
// change one line every 48 (every fifth change also adds one), 2,500
// hunks in all, to a file with a line inserted every 1,000 lines, so that
// hunks apply at growing offsets; the diffstat is counted as generate
// does (ApplySeries).
func BenchmarkApplyScale10(b *testing.B) {
	files, s := scaleSeries(b, 10)
	b.SetBytes(int64(len(files["bucardo"])))
	hunks := 0
	for _, p := range s.Patches {
		hunks += len(p.Files[0].TextFragments)
	}
	for b.Loop() {
		if _, err := ApplySeries(files, s, ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(hunks), "hunks")
}

func scaleSeries(tb testing.TB, k int) (map[string][]byte, *Series) {
	const patches, gap = 4, 48
	// Every line is unique, so that each hunk has one place.
	pristine := make([]string, 12000*k)
	for i := range pristine {
		pristine[i] = fmt.Sprintf("    my $x%d = $self->{dbname}; # %d\n", i%50, i)
	}
	// state[i] is what patches made of pristine line i so far.
	state := slices.Clone(pristine)
	s := &Series{}
	for p := range patches {
		next := slices.Clone(state)
		for i := gap / 2; i < len(next); i += gap {
			if (i/gap)%patches == p {
				next[i] = fmt.Sprintf("# scale edit %d of patch %d\n", i, p)
				if (i/gap)%5 == 0 {
					next[i] += "# scale: added\n"
				}
			}
		}
		d := Diff("bucardo", []byte(strings.Join(state, "")), []byte(strings.Join(next, "")))
		pt, err := Parse(fmt.Sprintf("%04d.patch", p+1), d)
		require.NoError(tb, err)
		s.Patches = append(s.Patches, pt)
		state = next
	}
	var in strings.Builder
	pending := false // a line to insert, away from the hunks
	for i, l := range pristine {
		pending = pending || i%1000 == 500
		if pending && i%gap == 0 {
			in.WriteString("# shifted\n")
			pending = false
		}
		in.WriteString(l)
	}
	return map[string][]byte{"bucardo": []byte(in.String())}, s
}

// TestSequence: a Sequence gives, patch after patch, what ApplyOne gives
// applied to the files the patch before gave, files, results and errors
// alike, over patches that touch one file or both, and keeps a file it
// does not touch as it was; the lines of each text it joins go to the
// file's Merger, as splitText gives them.
func TestSequence(t *testing.T) {
	failed, learnt := 0, 0
	for seed := int64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewSource(seed))
		v := map[string][]byte{"a": mergeBase(r, 20+r.Intn(40), seed%3 != 0), "b": mergeBase(r, 10, true)}
		start := v
		var patches []*Patch
		for i := range 6 {
			next := maps.Clone(v)
			var raw []byte
			for _, n := range []string{"a", "b"} {
				if n == "a" || i%2 == 1 {
					next[n] = mergeEdit(r, v[n], fmt.Sprint(n, i))
					if n == "a" && seed%4 == int64(i%4) {
						next[n] = []byte(toggleFinalNewline(string(next[n])))
					}
					raw = append(raw, Diff(n, v[n], next[n])...)
				}
			}
			if seed%5 == 0 && i == 4 { // does not apply
				raw = Diff("a", mergeEdit(r, v["a"], "x"), next["a"])
			}
			if len(raw) == 0 {
				continue
			}
			p, err := Parse(fmt.Sprint("p", i), raw)
			require.NoError(t, err)
			patches = append(patches, p)
			v = next
		}
		mgs := map[string]*Merger{"a": {}, "b": {}}
		seq := NewSequence(start, ApplyOptions{Known: mgs})
		files := start
		for i, p := range patches {
			want, wantRes, wantErr := ApplyOne(files, p, ApplyOptions{})
			got, res, err := seq.Apply(p)
			require.Equal(t, wantErr, err, "seed %d patch %d", seed, i)
			require.Equal(t, wantRes, res, "seed %d patch %d", seed, i)
			if err != nil {
				require.Nil(t, got)
				failed++
				break
			}
			require.Equal(t, want, got, "seed %d patch %d", seed, i)
			for n := range got {
				if !slices.ContainsFunc(p.Files, func(f *gitdiff.File) bool { return f.NewName == n }) {
					require.True(t, &got[n][0] == &files[n][0], "seed %d patch %d: %s copied", seed, i, n)
					continue
				}
				// The Merger learnt the lines of what was joined.
				mgs[n].mu.Lock()
				lt, ok := mgs[n].splitOf(got[n])
				mgs[n].mu.Unlock()
				require.True(t, ok, "seed %d patch %d: %s not learnt", seed, i, n)
				require.Equal(t, splitText(got[n]).at, lt.at, "seed %d patch %d: lines of %s", seed, i, n)
				learnt++
			}
			files = got
		}
	}
	require.Positive(t, failed, "patches that did not apply")
	require.Greater(t, learnt, 50, "joined texts a Merger learnt")
}
