package watch_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/upstream"
	"github.com/bcfork/bcfork/watch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeUpstream serves files by ref (tag or commit), tags and heads.
type fakeUpstream struct {
	tags  []upstream.Tag
	heads map[string]string
	files map[string]map[string][]byte
}

func (f *fakeUpstream) Tags(context.Context) ([]upstream.Tag, error) { return f.tags, nil }
func (f *fakeUpstream) Head(_ context.Context, b string) (string, error) {
	if c, ok := f.heads[b]; ok {
		return c, nil
	}
	return "", fmt.Errorf("no branch %q", b)
}
func (f *fakeUpstream) Files(_ context.Context, ref string) (map[string][]byte, error) {
	if files, ok := f.files[ref]; ok {
		return files, nil
	}
	return nil, fmt.Errorf("no %q", ref)
}
func (f *fakeUpstream) Commits(context.Context, string, string) (int, error) { return 3, nil }

func lines(prefix string, n int, edits map[int]string) []byte {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if e, ok := edits[i]; ok {
			b.WriteString(e)
			continue
		}
		fmt.Fprintf(&b, "%s %d\n", prefix, i)
	}
	return []byte(b.String())
}

func files(edits map[int]string) map[string][]byte {
	return map[string][]byte{bucardo.Script: lines("s", 30, edits), bucardo.Schema: lines("q", 5, nil)}
}

const (
	c1 = "1111111111111111111111111111111111111111"
	c2 = "2222222222222222222222222222222222222222"
	c3 = "3333333333333333333333333333333333333333"
	cm = "d9919c8000000000000000000000000000000000"
)

// world: the 1.0 series changes line 10; upstream has tags 1.0, 0.9 and
// 1.1 (line 1 changed: offset) and 1.2 (line 10 changed: conflict), and
// master moved on from the snapshot's commit.
func world(t *testing.T) (*fakeUpstream, fstest.MapFS) {
	old := files(nil)
	raw := "Description: d\nAuthor: a\nForwarded: no\nLast-Update: 2026-12-01\n\n" +
		string(patch.Diff(bucardo.Script, old[bucardo.Script], files(map[int]string{10: "s 10 patched\n"})[bucardo.Script]))
	pins := &fstest.MapFile{Data: []byte(catalog.ChecksumLines(old))}
	tree := fstest.MapFS{
		"upstream/1.0/series":                  {Data: []byte("0001-x.patch\n")},
		"upstream/1.0/0001-x.patch":            {Data: []byte(raw)},
		"upstream/1.0/checksums":               pins,
		"upstream/master-d9919c8/series":       {Data: []byte("0001-x.patch\n")},
		"upstream/master-d9919c8/0001-x.patch": {Data: []byte(raw)},
		"upstream/master-d9919c8/checksums":    pins,
		"upstream/master-d9919c8/commit":       {Data: []byte(cm + "\n")},
	}
	up := &fakeUpstream{
		tags:  []upstream.Tag{{Name: "1.0", Commit: c1}, {Name: "0.9", Commit: c1}, {Name: "1.1", Commit: c2}, {Name: "1.2", Commit: c3}},
		heads: map[string]string{"master": c2, "dev": cm},
		files: map[string]map[string][]byte{"1.0": old, c1: old, cm: old, c2: files(map[int]string{1: "new\ns 1\n"}), c3: files(map[int]string{10: "s 10 upstream\n"})},
	}
	return up, tree
}

func TestCheck(t *testing.T) {
	up, tree := world(t)
	rep, err := watch.Check(context.Background(), up, watch.Options{Pins: tree, Branches: []string{"dev"}})
	require.NoError(t, err)
	var got []string
	for _, n := range rep.New {
		s := fmt.Sprintf("%s branch=%v since=%.7s commits=%d carries=%v", n.Ref, n.Branch, n.Since, n.Commits, n.Carries())
		for _, rp := range n.Carried {
			s += " " + rp.Name + ":" + string(rp.Status)
		}
		if n.Conflict != nil {
			s += " conflict:" + n.Conflict.Patch
		}
		got = append(got, s)
	}
	want := []string{
		"1.2 branch=false since= commits=-1 carries=false conflict:0001-x.patch",
		"1.1 branch=false since= commits=-1 carries=true 0001-x.patch:moved",
		"master branch=true since=d9919c8 commits=3 carries=true 0001-x.patch:moved",
		"dev branch=true since= commits=-1 carries=true 0001-x.patch:clean",
	}
	assert.Equal(t, want, got)
	assert.Equal(t, "1.0", rep.Canonical)
	assert.False(t, rep.Carries(), "the series carries onto everything new")
}

func TestCheckNothingNew(t *testing.T) {
	up, tree := world(t)
	up.tags, up.heads["master"] = up.tags[:2], cm
	rep, err := watch.Check(context.Background(), up, watch.Options{Pins: tree})
	require.NoError(t, err)
	assert.Empty(t, rep.New)
}

func TestCheckCanonicalNotPinned(t *testing.T) {
	up, tree := world(t)
	up.files["1.0"] = up.files[c2]
	_, err := watch.Check(context.Background(), up, watch.Options{Pins: tree})
	assert.ErrorContains(t, err, "is not the one pinned in upstream/1.0/checksums")
}
