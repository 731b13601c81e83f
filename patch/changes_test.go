package patch

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/gittest"
)

// numstat is git diff --numstat's count of a to b as a Change.
func numstat(t *testing.T, a, b []byte) Change {
	added, removed := gittest.Numstat(t, a, b)
	return Change{Added: added, Removed: removed}
}

// checkChanges applies s to files with ApplySeries and checks its line
// counts against git diff --numstat of each file before and after.
func checkChanges(t *testing.T, files map[string][]byte, s *Series, opt ApplyOptions) {
	t.Helper()
	o, err := ApplySeries(files, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	for name, before := range files {
		want := numstat(t, before, o.Files[name])
		if got := o.Changes[name]; got != want {
			t.Errorf("%s: ApplySeries counts +%d -%d, git diff --numstat +%d -%d", name, got.Added, got.Removed, want.Added, want.Removed)
		}
	}
}

// TestChangesNumstat checks ApplySeries' line counts (a diffstat's) against
// git diff --numstat on every apply golden that applies, on every diff
// golden's diff applied to its "a", on the synthetic series, and on
// series whose later patches undo or redo what earlier ones did.
func TestChangesNumstat(t *testing.T) {
	for _, g := range readGoldens(t, "apply") {
		t.Run("apply/"+g.name(), func(t *testing.T) {
			raw, _ := g.file("patch")
			p, err := Parse(g.name()+".patch", raw)
			opt := ApplyOptions{Allowed: bucardo.Names}
			if s, ok := g.opts["fuzz"]; ok {
				opt.Fuzz, _ = strconv.Atoi(s)
			}
			if s, ok := g.opts["allowed"]; ok {
				opt.Allowed = strings.Fields(s)
			}
			if err != nil {
				return // a rejected patch: nothing to count
			}
			if _, _, err := ApplyOne(g.files("old/"), p, opt); err != nil {
				return
			}
			checkChanges(t, g.files("old/"), &Series{Patches: []*Patch{p}}, opt)
		})
	}
	for _, g := range readGoldens(t, "diff") {
		t.Run("diff/"+g.name(), func(t *testing.T) {
			a, _ := g.file("a")
			b, _ := g.file("b")
			d := Diff("bucardo", a, b)
			if len(d) == 0 {
				return
			}
			checkChanges(t, map[string][]byte{"bucardo": a}, &Series{Patches: []*Patch{mustParse(t, string(d))}}, ApplyOptions{})
		})
	}
	t.Run("synthetic", func(t *testing.T) {
		files, s := syntheticSeries(t)
		checkChanges(t, files, s, ApplyOptions{})
	})
	t.Run("random-series", func(t *testing.T) {
		for seed := int64(1); seed <= 40; seed++ {
			files, s := randomSeries(t, rand.New(rand.NewSource(seed)))
			checkChanges(t, files, s, ApplyOptions{})
		}
	})
}

// randomSeries returns a random text and a series of three patches, each
// a random edit of what the earlier ones made, made with Diff; the third
// goes back to the second's input text in part, so that it undoes and
// redoes lines the earlier patches changed.
func randomSeries(t *testing.T, r *rand.Rand) (map[string][]byte, *Series) {
	a := randomText(r, 30+r.Intn(60))
	b := randomEdit(r, a)
	c := randomEdit(r, b)
	d := mix(r, a, c)
	s := &Series{}
	for i, pair := range [][2][]byte{{a, b}, {b, c}, {c, d}} {
		diff := Diff("bucardo", pair[0], pair[1])
		if len(diff) == 0 {
			continue
		}
		p, err := Parse("p"+strconv.Itoa(i)+".patch", diff)
		if err != nil {
			t.Fatal(err)
		}
		s.Patches = append(s.Patches, p)
	}
	return map[string][]byte{"bucardo": a}, s
}

// mix takes each line from a or b at random where both have one.
func mix(r *rand.Rand, a, b []byte) []byte {
	la, lb := splitLines(a), splitLines(b)
	out := append([]string(nil), lb...)
	for i := range min(len(la), len(lb)) {
		if r.Intn(2) == 0 {
			out[i] = la[i]
		}
	}
	return []byte(strings.Join(out, ""))
}
