package upstream

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/umasktest"
	"github.com/stretchr/testify/require"
)

// TestCacheModesIgnoreUmask fetches under each umask into a cache folder
// that does not exist yet: every folder of the cache gets 0755, every file
// 0644, and an offline fetch then uses the cache (as root, through its
// trust check). Not parallel: it changes the process's umask.
func TestCacheModesIgnoreUmask(t *testing.T) {
	umasktest.Each(t, func(t *testing.T) {
		w := newWorld(t)
		// t.TempDir makes its folder 0777 less the umask; as root, the
		// cache refuses to live below a folder others may write.
		require.NoError(t, os.Chmod(w.opt.CacheDir, 0o755))
		w.opt.CacheDir = filepath.Join(w.opt.CacheDir, "home", ".cache", "bcfork")
		w.mustFetch(t, nil)
		top := filepath.Dir(filepath.Dir(w.opt.CacheDir))
		err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err != nil || p == filepath.Dir(top) {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			want := fs.FileMode(0o644)
			if d.IsDir() {
				want = fs.ModeDir | 0o755
			}
			require.Equal(t, want.String(), info.Mode().String(), "mode of %q", p)
			return nil
		})
		require.NoError(t, err)
		wantFiles(t, w.mustFetch(t, func(o *Options) { o.Offline = true }), "9.9.9")
	})
}
