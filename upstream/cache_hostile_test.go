package upstream

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The cache may sit in a folder a user controls (sudo keeping HOME or
// XDG_CACHE_HOME): these tests plant links, FIFOs and huge files in it.

// victim is a folder outside the cache with one file, and a check that it
// is untouched.
func victim(t *testing.T) (dir string, untouched func()) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep"), []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, func() {
		t.Helper()
		if data, err := os.ReadFile(filepath.Join(dir, "keep")); err != nil || string(data) != "keep\n" {
			t.Errorf("the victim folder was changed: %q, %v", data, err)
		}
	}
}

// Dropping a bad entry never removes through a link: a linked folder of
// the cache leads to a victim with a bad entry of its own.
func TestCacheNeverRemovesThroughALink(t *testing.T) {
	w := newWorld(t)
	v, untouched := victim(t)
	bad := filepath.Join(v, "bucardo", "refs", "9.9.9")
	require.NoError(t, os.MkdirAll(bad, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bad, "meta.json"), []byte("{"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(w.opt.CacheDir, "github"), 0o755))
	require.NoError(t, os.Symlink(v, filepath.Join(w.opt.CacheDir, "github", "bucardo")))

	r := w.mustFetch(t, nil) // from GitHub; the linked entry is neither used nor written
	wantFiles(t, r, "9.9.9")
	untouched()
	if _, err := os.Stat(filepath.Join(bad, "meta.json")); err != nil {
		t.Errorf("the victim's entry was removed: %v", err)
	}
	if !strings.Contains(w.log.String(), "is a symbolic link") {
		t.Errorf("log does not name the link:\n%s", w.log)
	}
}

// A meta.json, tags.json or cached file that is a link to /dev/zero, a
// FIFO or a huge file is refused at once, without reading it whole.
func TestCacheReadsOnlyRegularFilesAndCapsThem(t *testing.T) {
	plant := map[string]func(path string) error{
		"link to /dev/zero": func(p string) error { return os.Symlink("/dev/zero", p) },
		"FIFO":              func(p string) error { return unix.Mkfifo(p, 0o644) },
		"huge": func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(1 << 30) // sparse: 1 GB that costs no disk
		},
	}
	for kind, plantIt := range plant {
		for _, file := range []string{"meta.json", "bucardo", "tags.json"} {
			t.Run(kind+" "+file, func(t *testing.T) {
				w := newWorld(t)
				w.mustFetch(t, nil)
				c := w.opt.cache()
				p := filepath.Join(c.entryDir(DefaultRepo, "9.9.9"), file)
				if file == "tags.json" {
					_, err := Versions(context.Background(), w.opt) // writes tags.json
					require.NoError(t, err)
					p = filepath.Join(c.repoDir(DefaultRepo), file)
				}
				require.NoError(t, os.Remove(p))
				require.NoError(t, plantIt(p))
				done := make(chan error, 1)
				go func() {
					if file == "tags.json" {
						opt := w.opt
						opt.Offline = true
						_, err := Versions(context.Background(), opt)
						done <- err
						return
					}
					_, err := w.fetch(t, func(o *Options) { o.Offline = true })
					done <- err
				}()
				select {
				case err := <-done:
					wantOfflineRefusal(t, err, file, w.log.String())
				case <-time.After(10 * time.Second):
					t.Fatal("reading the cache hangs")
				}
			})
		}
	}
}

// wantOfflineRefusal: offline, an unusable entry means the version is not
// available; an unusable tag listing is a warning.
func wantOfflineRefusal(t *testing.T, err error, file, log string) {
	t.Helper()
	if file == "tags.json" {
		if err != nil || !strings.Contains(log, "warning: reading the cached tag list") {
			t.Errorf("Versions: %v, log:\n%s", err, log)
		}
		return
	}
	if !errors.Is(err, ErrOffline) || !strings.Contains(log, "dropping it") {
		t.Errorf("Fetch: %v, want ErrOffline; log:\n%s", err, log)
	}
}

// As root, a cache folder that another user owns, or one below a folder
// of theirs, is refused; not running as root, it is anyone's own business.
func TestCacheOfAnotherUserIsRefusedAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	for name, setup := range map[string]func(dir string) (cache string){
		"the folder": func(dir string) string {
			require.NoError(t, os.Chown(dir, 65534, 65534))
			return dir
		},
		"a folder above": func(dir string) string {
			require.NoError(t, os.Chown(dir, 65534, 65534))
			return filepath.Join(dir, "not", "yet", "there")
		},
		"group-writable": func(dir string) string {
			require.NoError(t, os.Chmod(dir, 0o775))
			return dir
		},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.opt.CacheDir = setup(w.opt.CacheDir)
			_, err := w.fetch(t, nil)
			require.ErrorIs(t, err, ErrCacheOwner)
			_, err = Versions(context.Background(), w.opt)
			require.ErrorIs(t, err, ErrCacheOwner)
			_, err = w.fetch(t, func(o *Options) { o.CacheDir = "" })
			if err != nil {
				t.Errorf("without the cache: %v", err)
			}
		})
	}
}
