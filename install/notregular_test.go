package install

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/bcfork/bcfork/internal/beneath"
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
