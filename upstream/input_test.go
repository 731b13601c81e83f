package upstream

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/fakegithub"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// --from a FIFO, or a folder whose script is a FIFO, is refused at once:
// the file is opened without blocking and must be regular by fstat.
func TestFromAFIFOIsRefusedWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "bucardo.tar.gz")
	require.NoError(t, unix.Mkfifo(fifo, 0o644))
	dir := writeDir(t, fakegithub.Files("9.9.9"))
	require.NoError(t, os.Remove(filepath.Join(dir, "bucardo")))
	require.NoError(t, unix.Mkfifo(filepath.Join(dir, "bucardo"), 0o644))
	for _, from := range []string{fifo, dir, "/dev/zero"} {
		w := newWorld(t)
		done := make(chan error, 1)
		go func() {
			_, err := w.fetch(t, func(o *Options) { o.From, o.Version = from, "" })
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, beneath.ErrNotRegular) {
				t.Errorf("--from %s: %v, want ErrNotRegular", from, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("--from %s blocks", from)
		}
	}
}
