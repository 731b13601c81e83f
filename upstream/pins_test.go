package upstream

import (
	"os"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	sumA = "0e9b9a7ced1ad7a66c1e4ce545d024d542e5e25290ac827b688c47c27b9facb4"
	sumB = "1d2dbdb9a8709a0b95f7f14e352525ab25b4c9ed29aa47cf503f3e543895bf0e"
)

// The fixture pins must be those of the fake server's 9.9.9 files and tag.
func TestFixturePins(t *testing.T) {
	pins, err := os.ReadFile("testdata/patches/upstream/9.9.9/checksums")
	require.NoError(t, err)
	if got := catalog.ChecksumLines(fakegithub.Files("9.9.9")); got != string(pins) {
		t.Errorf("fixture pins are stale; want:\n%s", got)
	}
	commit, err := catalog.New(os.DirFS("testdata/patches")).Commit("upstream", "9.9.9")
	if want := fakegithub.TagCommit("9.9.9", fakegithub.Files("9.9.9")); commit != want || err != nil {
		t.Errorf("fixture commit pin %q, %v; want %s", commit, err, want)
	}
}

// A bad commit pin stops Fetch whatever the source; a commit pinned
// without checksums is an error too.
func TestFetchBadCommitPin(t *testing.T) {
	w := newWorld(t)
	bad := fstest.MapFS{
		"upstream/9.9.9/checksums": {Data: []byte(catalog.ChecksumLines(fakegithub.Files("9.9.9")))},
		"upstream/9.9.9/commit":    {Data: []byte("13f98c5\n")},
	}
	dir := writeDir(t, fakegithub.Files("9.9.9"))
	for _, from := range []string{"", dir} {
		_, err := w.fetch(t, func(o *Options) { o.Pins = bad; o.From = from })
		assert.ErrorContains(t, err, `"upstream/9.9.9/commit"`, "from %q", from)
	}
	alone := fstest.MapFS{"upstream/9.9.9/commit": {Data: []byte(w.commit + "\n")}}
	_, err := w.fetch(t, func(o *Options) { o.Pins = alone; o.AllowUnpinned = true })
	assert.ErrorContains(t, err, "a commit is pinned but no checksums", "commit without checksums")
	wantRequests(t, w.srv, 0)
}

func TestBlobSHA(t *testing.T) {
	// `printf 'hello\n' | git hash-object --stdin`
	assert.Equal(t, "ce013625030ba8dba906f756967f9e9ca394464a", blobSHA([]byte("hello\n")))
}
