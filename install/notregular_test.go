package install

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notRegular puts a FIFO (fifo) or an empty folder where host path p
// under root was, and returns its real path.
func notRegular(t *testing.T, root, p string, fifo bool) string {
	t.Helper()
	real := filepath.Join(root, p)
	require.NoError(t, os.MkdirAll(filepath.Dir(real), 0o755))
	require.NoError(t, os.RemoveAll(real))
	if fifo {
		require.NoError(t, syscall.Mkfifo(real, 0o644))
	} else {
		require.NoError(t, os.Mkdir(real, 0o755))
	}
	return real
}

// kinds are the files that are not regular ones the tests put in place.
var kinds = map[string]bool{"fifo": true, "folder": false}

// TestReceiptNotRegularNamedOnce: a receipt that is a FIFO or a folder is
// refused by install, uninstall and status, naming it once.
func TestReceiptNotRegularNamedOnce(t *testing.T) {
	ctx := context.Background()
	for kind, fifo := range kinds {
		t.Run(kind, func(t *testing.T) {
			root, o := hostWithOriginals(t)
			_, err := Install(ctx, writeFork(t, "5.6.0"), o)
			require.NoError(t, err)
			path := notRegular(t, root, DefaultStateDir+"/receipt.json", fifo)
			o.Force = true
			_, err = Install(ctx, writeFork(t, "5.6.0"), o)
			isOnce(t, "install", err, ErrNotRegular, path)
			_, err = Status(ctx, o)
			isOnce(t, "status", err, ErrNotRegular, path)
			_, err = Uninstall(ctx, o)
			isOnce(t, "uninstall", err, ErrNotRegular, path)
		})
	}
}

// TestLockFIFONamedOnce: a lock that is a FIFO is refused by install and
// uninstall, naming it once.
func TestLockFIFONamedOnce(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
	path := notRegular(t, root, DefaultStateDir+"/lock", true)
	o.Force = true
	_, err = Install(ctx, writeFork(t, "5.6.0"), o)
	isOnce(t, "install", err, ErrNotRegular, path)
	_, err = Uninstall(ctx, o)
	isOnce(t, "uninstall", err, ErrNotRegular, path)
}

// TestVersionNotRegularNamedOnce: a Bucardo.pm or a script that is a FIFO
// or a folder is refused when its version is read, naming it once.
func TestVersionNotRegularNamedOnce(t *testing.T) {
	for kind, fifo := range kinds {
		t.Run(kind, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "root")
			pm := notRegular(t, root, "/usr/share/perl5/Bucardo.pm", fifo)
			_, err := FindModule(root, nil)
			isOnce(t, "Bucardo.pm", err, ErrNotRegular, pm)
			bin := notRegular(t, root, DefaultBin, fifo)
			_, err = HostFileVersion(root, DefaultBin)
			isOnce(t, "script", err, ErrNotRegular, bin)
		})
	}
}

// TestTargetTooLargeNamedOnce: a target larger than bcfork reads is
// refused by status and install, naming it once.
func TestTargetTooLargeNamedOnce(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	bin := filepath.Join(root, DefaultBin)
	require.NoError(t, os.Truncate(bin, maxFile+1))
	_, err := Status(ctx, o)
	isOnce(t, "status", err, beneath.ErrTooLarge, bin)
	_, err = Install(ctx, writeFork(t, "5.6.0"), o)
	isOnce(t, "install", err, beneath.ErrTooLarge, bin)
}

// TestStatusBadLock: status refuses a lock that install and uninstall
// would refuse (a FIFO, a folder, a link), naming it once, whether or
// not a receipt is there, and changes nothing; a lock that is a regular
// file, or none, is no error.
func TestStatusBadLock(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		kind string
		make func(t *testing.T, root, lock string)
		want error
	}{
		{"fifo", func(t *testing.T, _, lock string) { require.NoError(t, syscall.Mkfifo(lock, 0o644)) }, ErrNotRegular},
		{"folder", func(t *testing.T, _, lock string) { require.NoError(t, os.Mkdir(lock, 0o755)) }, ErrNotRegular},
		{"link", func(t *testing.T, root, lock string) {
			target := filepath.Join(filepath.Dir(root), "outside-lock")
			require.NoError(t, os.WriteFile(target, nil, 0o644))
			require.NoError(t, os.Symlink(target, lock))
		}, ErrLink},
	} {
		for _, installed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/installed=%v", c.kind, installed), func(t *testing.T) {
				root, o := hostWithOriginals(t)
				lock := filepath.Join(root, DefaultStateDir, "lock")
				if installed {
					_, err := Install(ctx, writeFork(t, "5.6.0"), o)
					require.NoError(t, err)
				} else {
					require.NoError(t, os.MkdirAll(filepath.Dir(lock), 0o755))
				}
				_, err := Status(ctx, o)
				require.NoError(t, err, "a good lock, or none")
				require.NoError(t, os.RemoveAll(lock))
				c.make(t, root, lock)
				before := listing(t, root)
				_, err = Status(ctx, o)
				isOnce(t, "status", err, c.want, lock)
				var le *LockError
				assert.ErrorAs(t, err, &le)
				assert.Equal(t, before, listing(t, root), "status changed nothing")
				_, err = Install(ctx, writeFork(t, "5.6.0"), o)
				assert.ErrorAs(t, err, &le, "install refuses it too")
			})
		}
	}
}

// listing names every file and folder under root with its type and mode,
// reading none: a FIFO among them would block a read.
func listing(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err == nil {
			out[p] = info.Mode().String()
		}
		return err
	}))
	return out
}
