package upstream

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func listing(list []VersionInfo) string {
	var b strings.Builder
	for _, v := range list {
		fmt.Fprintf(&b, "%s up=%v series=%v pinned=%v cached=%v\n", v.Version, v.Upstream, v.HasSeries, v.Pinned, v.Cached)
	}
	return b.String()
}

func TestVersions(t *testing.T) {
	w := newWorld(t)
	w.mustFetch(t, nil)
	w.srv.AddTag(DefaultRepo, "9.10.0", map[string][]byte{})
	w.srv.AddTag(DefaultRepo, "nightly", map[string][]byte{})
	w.srv.ClearRequests()
	list, err := Versions(context.Background(), w.opt)
	require.NoError(t, err)
	want := `9.10.0 up=true series=false pinned=false cached=false
9.9.9 up=true series=true pinned=true cached=true
9.9.7 up=true series=false pinned=true cached=false
nightly up=true series=false pinned=false cached=false
`
	assert.Equal(t, want, listing(list))
	wantRequests(t, w.srv, 1)
	if q := w.srv.Requests()[0].Query; !strings.Contains(q, "per_page=100") {
		t.Errorf("query %q lacks per_page=100", q)
	}
	if list[1].Commit != w.commit || list[1].PinnedCommit != w.commit {
		t.Errorf("9.9.9 commit %q, pinned %q", list[1].Commit, list[1].PinnedCommit)
	}
}

// Offline, a pinned commit is a version's commit; online, a tag listed at
// another commit keeps it, beside the pinned one.
func TestVersionsPinnedCommit(t *testing.T) {
	w := newWorld(t)
	opt := w.opt
	opt.Offline = true
	if list := versions(t, opt); list[0].Version != "9.9.9" || list[0].Commit != w.commit || list[1].Commit != "" {
		t.Errorf("offline: %+v", list)
	}
	moved := w.srv.AddTag(DefaultRepo, "9.9.9", fakegithub.Files("9.9.8"))
	if list := versions(t, w.opt); list[0].Commit != moved || list[0].PinnedCommit != w.commit {
		t.Errorf("moved tag: %+v", list[0])
	}
	opt.Pins = fstest.MapFS{"upstream/9.9.9/checksums": {Data: []byte(sumA + "  bucardo\n" + sumB + "  bucardo.schema\n")}, "upstream/9.9.9/commit": {Data: []byte("x\n")}}
	_, err := Versions(context.Background(), opt)
	assert.ErrorContains(t, err, `"upstream/9.9.9/commit"`, "bad commit pin")
}

func TestVersionsPaginates(t *testing.T) {
	w := newWorld(t)
	for i := range 250 {
		w.srv.AddTag(DefaultRepo, fmt.Sprintf("1.%d.0", i), map[string][]byte{})
	}
	list, err := Versions(context.Background(), w.opt)
	require.NoError(t, err)
	if len(list) != 252 || list[0].Version != "9.9.9" || list[len(list)-1].Version != "1.0.0" {
		t.Errorf("%d versions, first %s, last %s", len(list), list[0].Version, list[len(list)-1].Version)
	}
	wantRequests(t, w.srv, 3)
}

func TestVersionsOffline(t *testing.T) {
	w := newWorld(t)
	opt := w.opt
	opt.Offline = true
	list, err := Versions(context.Background(), opt)
	require.NoError(t, err)
	want := "9.9.9 up=false series=true pinned=true cached=false\n9.9.7 up=false series=false pinned=true cached=false\n"
	assert.Equal(t, want, listing(list), "offline, nothing cached")

	if _, err := Versions(context.Background(), w.opt); err != nil { // keeps the tag list
		t.Fatal(err)
	}
	w.mustFetch(t, func(o *Options) { o.Version = "master"; o.AllowUnpinned = true })
	w.srv.ClearRequests()
	list, err = Versions(context.Background(), opt)
	require.NoError(t, err)
	want = "9.9.9 up=true series=true pinned=true cached=false\n9.9.7 up=true series=false pinned=true cached=false\nmaster up=false series=false pinned=false cached=true\n"
	assert.Equal(t, want, listing(list), "offline after listing")
	wantRequests(t, w.srv, 0)
}

// A second listing asks for each page with the ETag of the first: GitHub
// answers 304, which with a token does not count against the rate limit.
func TestVersionsConditional(t *testing.T) {
	w := newWorld(t)
	for i := range 150 {
		w.srv.AddTag(DefaultRepo, fmt.Sprintf("1.%d.0", i), map[string][]byte{})
	}
	first := versions(t, w.opt)
	w.srv.ClearRequests()
	again := versions(t, w.opt)
	if listing(again) != listing(first) || len(again) != 152 {
		t.Errorf("second listing differs:\n%s", listing(again))
	}
	reqs := w.srv.Requests()
	if len(reqs) != 2 || reqs[0].IfNoneMatch == "" || reqs[1].IfNoneMatch == "" {
		t.Errorf("requests %+v, want 2 conditional ones", reqs)
	}
	assert.Contains(t, w.log.String(), "2 API requests (2 answered 304 Not Modified)", "log")

	// A new tag changes the pages: listed afresh.
	w.srv.AddTag(DefaultRepo, "9.11.0", map[string][]byte{})
	w.srv.ClearRequests()
	if list := versions(t, w.opt); len(list) != 153 || list[0].Version != "9.11.0" {
		t.Errorf("%d versions, first %s", len(list), list[0].Version)
	}
	wantRequests(t, w.srv, 2)
}

func TestUnchangedPage(t *testing.T) {
	full := tagPage{Tags: make([]tag, tagsPerPage)}
	assert.Equal(t, 4, unchanged(full, 3).Next, "full last page: tags may have been added after it")
	assert.Equal(t, 0, unchanged(tagPage{Tags: make([]tag, 5)}, 3).Next, "short last page")
	assert.Equal(t, 2, unchanged(tagPage{Next: 2, Tags: make([]tag, tagsPerPage)}, 1).Next, "page with a next")
}

// CACHED means usable: a corrupted entry, or an unpinned one from another
// API, is not listed as cached.
func TestVersionsCachedIsVerified(t *testing.T) {
	w := newWorld(t)
	w.mustFetch(t, nil)
	w.mustFetch(t, func(o *Options) { o.Version = "master"; o.AllowUnpinned = true })
	opt := w.opt
	opt.Offline = true
	if got := listing(versions(t, opt)); !strings.Contains(got, "9.9.9 up=false series=true pinned=true cached=true") || !strings.Contains(got, "master up=false series=false pinned=false cached=true") {
		t.Fatalf("both cached:\n%s", got)
	}
	os.WriteFile(filepath.Join(w.opt.cache().entryDir(DefaultRepo, "9.9.9"), bucardo.Script), []byte("tampered"), 0o644)
	opt.APIURL = "http://127.0.0.1:1/"
	want := "9.9.9 up=false series=true pinned=true cached=false\n9.9.7 up=false series=false pinned=true cached=false\n"
	assert.Equal(t, want, listing(versions(t, opt)))
}

func versions(t *testing.T, opt Options) []VersionInfo {
	t.Helper()
	list, err := Versions(context.Background(), opt)
	require.NoError(t, err)
	return list
}
