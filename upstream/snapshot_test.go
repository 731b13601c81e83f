package upstream

import (
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/stretchr/testify/assert"
)

// TestFetchSnapshot: master-<commit> (a series for master at a commit) is
// fetched from GitHub by its pinned commit, whatever master is now, and
// comes from the cache the next time.
func TestFetchSnapshot(t *testing.T) {
	w := newWorld(t)
	files := fakegithub.Files("9.9.10")
	commit := w.srv.SetBranch(DefaultRepo, "master", files)
	version := "master-" + commit[:7]
	w.srv.SetBranch(DefaultRepo, "master", fakegithub.Files("9.9.11")) // master moved on since
	pins := fstest.MapFS{
		"upstream/" + version + "/checksums": {Data: []byte(catalog.ChecksumLines(files))},
		"upstream/" + version + "/commit":    {Data: []byte(commit + "\n")},
	}
	edit := func(o *Options) { o.Version, o.Pins = version, pins }
	r := w.mustFetch(t, edit)
	assert.Equal(t, commit, r.Ref, "fetched by its commit")
	assert.Equal(t, commit, r.Commit)
	assert.Equal(t, version, r.Version)
	assert.True(t, r.Pinned)
	w.srv.ClearRequests()
	r = w.mustFetch(t, edit)
	assert.True(t, r.FromCache, "second fetch from the cache")
	assert.Zero(t, w.srv.Count(), "requests of the second fetch")
}
