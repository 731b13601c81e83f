package install

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spoiler puts something bcfork must not read where a file it reads was.
type spoiler struct {
	err error // what the refusal matches (errors.Is)
	// put replaces what host path p under root holds, or makes it, and
	// returns its real path.
	put func(t *testing.T, root, p string) string
}

// spoilers: a link out of --root, a FIFO and a folder.
var spoilers = map[string]spoiler{
	"link": {ErrLink, func(t *testing.T, root, p string) string {
		return linkOut(t, root, filepath.Join(filepath.Dir(root), "outside"), p)
	}},
	"fifo": {ErrNotRegular, func(t *testing.T, root, p string) string {
		return notRegular(t, root, p, func(real string) error { return syscall.Mkfifo(real, 0o644) })
	}},
	"folder": {ErrNotRegular, func(t *testing.T, root, p string) string {
		return notRegular(t, root, p, func(real string) error { return os.Mkdir(real, 0o755) })
	}},
}

// linkOut moves what host path p under root holds (an empty file when it
// holds nothing) to outside and puts a link to it there; it returns the
// link's real path.
func linkOut(t *testing.T, root, outside, p string) string {
	t.Helper()
	real := filepath.Join(root, p)
	target := filepath.Join(outside, filepath.Base(p))
	require.NoError(t, os.MkdirAll(outside, 0o755))
	if err := os.Rename(real, target); errors.Is(err, fs.ErrNotExist) {
		require.NoError(t, os.WriteFile(target, nil, 0o644))
	} else {
		require.NoError(t, err)
	}
	require.NoError(t, os.Symlink(target, real))
	return real
}

// notRegular puts what mk makes where host path p under root was, and
// returns its real path.
func notRegular(t *testing.T, root, p string, mk func(real string) error) string {
	t.Helper()
	real := filepath.Join(root, p)
	require.NoError(t, os.MkdirAll(filepath.Dir(real), 0o755))
	require.NoError(t, os.RemoveAll(real))
	require.NoError(t, mk(real))
	return real
}

// TestUnreadableState: a state folder that is a link, a lock that is a
// link or a FIFO, and a receipt that is a link, a FIFO or a folder are
// refused by install, uninstall and status, naming the path once; the
// receipt with a *StateFileError (whose hint is not that of a target).
func TestUnreadableState(t *testing.T) {
	ctx := context.Background()
	for p, kinds := range map[string][]string{
		DefaultStateDir:                   {"link"},
		DefaultStateDir + "/lock":         {"link", "fifo"},
		DefaultStateDir + "/receipt.json": {"link", "fifo", "folder"},
	} {
		for _, kind := range kinds {
			s := spoilers[kind]
			t.Run(kind+p, func(t *testing.T) {
				root, o := hostWithOriginals(t)
				_, err := Install(ctx, writeFork(t, "5.6.0"), o)
				require.NoError(t, err)
				path := s.put(t, root, p)
				o.Force = true
				_, ierr := Install(ctx, writeFork(t, "5.6.0"), o)
				isOnce(t, "install", ierr, s.err, path)
				_, serr := Status(ctx, o)
				isOnce(t, "status", serr, s.err, path)
				_, uerr := Uninstall(ctx, o)
				isOnce(t, "uninstall", uerr, s.err, path)
				for op, err := range map[string]error{"install": ierr, "status": serr, "uninstall": uerr} {
					var se *StateFileError
					if got := errors.As(err, &se) && se.Path == path; got != strings.HasSuffix(p, "/receipt.json") {
						t.Errorf("%s: %v: a *StateFileError of %q: %v", op, err, path, got)
					}
				}
			})
		}
	}
}

// TestUnreadableVersion: a Bucardo.pm or a script that is a link, a FIFO
// or a folder is refused when its version is read, naming it once.
func TestUnreadableVersion(t *testing.T) {
	for kind, s := range spoilers {
		t.Run(kind, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "root")
			put(t, root, DefaultBin, origScript, 0o755)
			put(t, root, "/usr/share/perl5/Bucardo.pm", "our $VERSION = '5.6.0';\n", 0o644)
			pm := s.put(t, root, "/usr/share/perl5/Bucardo.pm")
			_, err := FindModule(root, nil)
			isOnce(t, "Bucardo.pm", err, s.err, pm)
			bin := s.put(t, root, DefaultBin)
			_, err = HostFileVersion(root, DefaultBin)
			isOnce(t, "script", err, s.err, bin)
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
	for _, kind := range []string{"fifo", "folder", "link"} {
		s := spoilers[kind]
		for _, installed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/installed=%v", kind, installed), func(t *testing.T) {
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
				s.put(t, root, DefaultStateDir+"/lock")
				before := listing(t, root)
				_, err = Status(ctx, o)
				isOnce(t, "status", err, s.err, lock)
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
