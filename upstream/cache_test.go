package upstream

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheLayout(t *testing.T) {
	w := newWorld(t)
	w.mustFetch(t, nil)
	dir := filepath.Join(w.opt.CacheDir, "github", "bucardo", "bucardo", "refs", "9.9.9")
	for _, name := range []string{"bucardo", "bucardo.schema", "meta.json"} {
		assert.FileExists(t, filepath.Join(dir, name))
	}
	meta, _ := os.ReadFile(filepath.Join(dir, "meta.json"))
	assert.Contains(t, string(meta), w.commit, "meta.json")
}

func TestCacheCorruptionIsDroppedAndRefetched(t *testing.T) {
	for name, corrupt := range map[string]func(dir string) error{
		"file changed": func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "bucardo"), []byte("#!/bin/sh\nrm -rf /\n"), 0o644)
		},
		"file missing":     func(dir string) error { return os.Remove(filepath.Join(dir, "bucardo.schema")) },
		"meta.json broken": func(dir string) error { return os.WriteFile(filepath.Join(dir, "meta.json"), []byte("{"), 0o644) },
		"file is a link": func(dir string) error {
			f := filepath.Join(dir, "bucardo")
			os.Rename(f, f+".real")
			return os.Symlink("bucardo.real", f)
		},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.mustFetch(t, nil)
			require.NoError(t, corrupt(w.opt.cache().entryDir(DefaultRepo, "9.9.9")))
			w.srv.ClearRequests()
			r := w.mustFetch(t, nil)
			wantFiles(t, r, "9.9.9")
			wantRequests(t, w.srv, 3)
			if r.FromCache || !strings.Contains(w.log.String(), "dropping it") {
				t.Errorf("release %+v, log:\n%s", r, w.log)
			}
			w.srv.ClearRequests()
			if r = w.mustFetch(t, nil); !r.FromCache {
				t.Errorf("not cached again")
			}
		})
	}
}

// An entry whose files and meta.json were changed together still fails its pins.
func TestCacheForgeryFailsPins(t *testing.T) {
	w := newWorld(t)
	c := w.opt.cache()
	forged := map[string][]byte{bucardo.Script: []byte("our $VERSION = '9.9.9';\nevil();\n"), bucardo.Schema: []byte("-- evil\n")}
	require.NoError(t, c.store(DefaultRepo, "9.9.9", w.commit, forged))
	r := w.mustFetch(t, nil)
	wantFiles(t, r, "9.9.9")
	wantRequests(t, w.srv, 3)
}

// An entry of another commit than the pinned one (cached before the commit
// was pinned) is dropped, and the tag resolved again.
func TestCacheOfAnotherCommitIsDropped(t *testing.T) {
	w := newWorld(t)
	w.mustFetch(t, nil)
	other := strings.Repeat("ab", 20)
	pins := fstest.MapFS{
		"upstream/9.9.9/checksums": {Data: []byte(catalog.ChecksumLines(fakegithub.Files("9.9.9")))},
		"upstream/9.9.9/commit":    {Data: []byte(other + "\n")},
	}
	w.srv.ClearRequests()
	_, err := w.fetch(t, func(o *Options) { o.Pins = pins })
	var ce *CommitError
	if !errors.As(err, &ce) || ce.Want != other || ce.Got != w.commit {
		t.Fatalf("error = %v", err)
	}
	wantRequests(t, w.srv, 1)
	assert.Contains(t, w.log.String(), "pinned "+other+"); dropping it", "log")
	wantNotCached(t, w, "9.9.9")
}

func TestOfflineUsesCache(t *testing.T) {
	w := newWorld(t)
	w.mustFetch(t, nil)
	w.mustFetch(t, func(o *Options) { o.Version = "master"; o.AllowUnpinned = true })
	w.srv.ClearRequests()
	// A pinned entry is vouched for by its pins, whatever the API URL.
	r := w.mustFetch(t, func(o *Options) { o.Offline = true; o.APIURL = "http://127.0.0.1:1/" })
	wantFiles(t, r, "9.9.9")
	r = w.mustFetch(t, func(o *Options) { o.Offline = true; o.Version = "master"; o.AllowUnpinned = true })
	wantFiles(t, r, "9.9.10")
	wantRequests(t, w.srv, 0)
}

// An unpinned entry is vouched for only by the server it came from: a
// commit fetched from one API is not served from the cache for another.
func TestCacheUnpinnedIsPerAPI(t *testing.T) {
	w := newWorld(t)
	byCommit := func(o *Options) { o.Version = w.commit; o.AllowUnpinned = true }
	w.mustFetch(t, byCommit)
	other := fakegithub.New()
	t.Cleanup(other.Close)
	other.AddTag(DefaultRepo, "9.9.9", fakegithub.Files("9.9.9"))
	r := w.mustFetch(t, func(o *Options) { byCommit(o); o.APIURL = other.URL })
	if r.FromCache || other.Count() != 3 {
		t.Errorf("release %+v; other server saw %d requests, want 3", r, other.Count())
	}
	assert.Contains(t, w.log.String(), "not using it", "log")
}

func TestOfflineMissing(t *testing.T) {
	w := newWorld(t)
	_, err := w.fetch(t, func(o *Options) { o.Offline = true })
	require.ErrorIs(t, err, ErrOffline)
	assert.ErrorContains(t, err, "bucardo/bucardo@9.9.9 is not in the cache")
	assert.ErrorContains(t, err, w.opt.CacheDir)
	_, err = w.fetch(t, func(o *Options) { o.Offline = true; o.CacheDir = "" })
	require.ErrorIs(t, err, ErrOffline)
	wantRequests(t, w.srv, 0)
}

func TestCacheNotWritableIsAWarning(t *testing.T) {
	w := newWorld(t)
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	r := w.mustFetch(t, func(o *Options) { o.CacheDir = blocker })
	wantFiles(t, r, "9.9.9")
	assert.Contains(t, w.log.String(), "warning: caching", "log")
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv("BCFORK_CACHE_DIR", "/a")
	t.Setenv("XDG_CACHE_HOME", "/b")
	if d, _ := DefaultCacheDir(); d != "/a" {
		t.Errorf("with BCFORK_CACHE_DIR: %q", d)
	}
	t.Setenv("BCFORK_CACHE_DIR", "")
	if d, _ := DefaultCacheDir(); d != filepath.Join("/b", "bcfork") {
		t.Errorf("with XDG_CACHE_HOME: %q", d)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/x")
	user, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	if d, _ := DefaultCacheDir(); d != filepath.Join(user, "bcfork") {
		t.Errorf("fallback %q", d)
	}
}
