package upstream

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixture patches tree in testdata/patches pins 9.9.9 (with a series)
// and 9.9.7; 9.9.7's pins are 9.9.9's sums, so 9.9.7's files never match.

// world is a fake GitHub serving tags 9.9.9 and 9.9.7 and a branch master,
// with Options pointing at it and a fresh cache.
type world struct {
	srv    *fakegithub.Server
	opt    Options
	log    *bytes.Buffer
	commit string // of tag 9.9.9
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := fakegithub.New()
	t.Cleanup(srv.Close)
	w := &world{srv: srv, log: &bytes.Buffer{}}
	w.commit = srv.AddTag(DefaultRepo, "9.9.9", fakegithub.Files("9.9.9"))
	srv.AddTag(DefaultRepo, "9.9.7", fakegithub.Files("9.9.7"))
	srv.SetBranch(DefaultRepo, "master", fakegithub.Files("9.9.10"))
	w.opt = Options{
		Version:  "9.9.9",
		APIURL:   srv.URL,
		CacheDir: t.TempDir(),
		Pins:     os.DirFS("testdata/patches"),
		Log:      w.log,
		Timeout:  5 * time.Second,
		Backoff:  func(int) time.Duration { return time.Millisecond },
	}
	return w
}

// fetch runs Fetch with the world's options changed by edit.
func (w *world) fetch(t *testing.T, edit func(*Options)) (*Release, error) {
	t.Helper()
	opt := w.opt
	if edit != nil {
		edit(&opt)
	}
	return Fetch(context.Background(), opt)
}

// fetchWhole is fetch with Options.Early, returning once the whole source
// is read: Fetch's error, else Wait's.
func (w *world) fetchWhole(t *testing.T, edit func(*Options)) (*Release, error) {
	t.Helper()
	r, err := w.fetch(t, func(o *Options) {
		if edit != nil {
			edit(o)
		}
		o.Early = true
	})
	if err != nil {
		return r, err
	}
	return r, r.Wait()
}

// mustFetch is fetch that fails the test on an error.
func (w *world) mustFetch(t *testing.T, edit func(*Options)) *Release {
	t.Helper()
	r, err := w.fetch(t, edit)
	require.NoError(t, err, "Fetch; log:\n%s", w.log)
	return r
}

func wantFiles(t *testing.T, r *Release, version string) {
	t.Helper()
	require.Len(t, r.Files, 2)
	for name, b := range fakegithub.Files(version) {
		assert.Equal(t, string(b), string(r.Files[name]), "%s differs from the %s fixture", name, version)
	}
}

func wantRequests(t *testing.T, srv *fakegithub.Server, n int) {
	t.Helper()
	assert.Equal(t, n, srv.Count(), "requests the server saw: %v", srv.Requests())
}
