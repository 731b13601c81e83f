package upstream

import (
	"context"
	"fmt"
	"strings"
	"testing"
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
	if err != nil {
		t.Fatal(err)
	}
	want := `9.10.0 up=true series=false pinned=false cached=false
9.9.9 up=true series=true pinned=true cached=true
9.9.7 up=true series=false pinned=true cached=false
nightly up=true series=false pinned=false cached=false
`
	if got := listing(list); got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
	wantRequests(t, w.srv, 1)
	if q := w.srv.Requests()[0].Query; !strings.Contains(q, "per_page=100") {
		t.Errorf("query %q lacks per_page=100", q)
	}
	if list[1].Commit != w.commit {
		t.Errorf("9.9.9 commit %q", list[1].Commit)
	}
}

func TestVersionsPaginates(t *testing.T) {
	w := newWorld(t)
	for i := range 250 {
		w.srv.AddTag(DefaultRepo, fmt.Sprintf("1.%d.0", i), map[string][]byte{})
	}
	list, err := Versions(context.Background(), w.opt)
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	want := "9.9.9 up=false series=true pinned=true cached=false\n9.9.7 up=false series=false pinned=true cached=false\n"
	if got := listing(list); got != want {
		t.Errorf("offline, nothing cached: got\n%swant\n%s", got, want)
	}

	if _, err := Versions(context.Background(), w.opt); err != nil { // keeps the tag list
		t.Fatal(err)
	}
	w.mustFetch(t, func(o *Options) { o.Version = "master"; o.AllowUnpinned = true })
	w.srv.ClearRequests()
	list, err = Versions(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	want = "9.9.9 up=true series=true pinned=true cached=false\n9.9.7 up=true series=false pinned=true cached=false\nmaster up=false series=false pinned=false cached=true\n"
	if got := listing(list); got != want {
		t.Errorf("offline after listing: got\n%swant\n%s", got, want)
	}
	wantRequests(t, w.srv, 0)
}
