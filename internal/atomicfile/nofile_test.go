package atomicfile

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nofileDir, set in the environment, makes TestWriteFolderFewDescriptors
// the child that writes the folder it names: manyFiles files with at most
// nofileLimit descriptors open (untyped: Rlimit's fields are uint64 on
// Linux, int64 on FreeBSD).
const (
	nofileDir   = "BCFORK_ATOMICFILE_NOFILE_DIR"
	manyFiles   = 500
	nofileLimit = 48
)

// TestWriteFolderFewDescriptors: a series of hundreds of patches is written
// through WriteFolder by a process that may open only a few dozen files.
// A child (this test binary again) lowers its RLIMIT_NOFILE and writes it,
// syncing no more than maxOpen files at once.
func TestWriteFolderFewDescriptors(t *testing.T) {
	if dir := os.Getenv(nofileDir); dir != "" {
		writeUnderLimit(t, dir)
		return
	}
	dir := filepath.Join(t.TempDir(), "series")
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), nofileDir+"="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the child writing %d files with RLIMIT_NOFILE %d:\n%s", manyFiles, nofileLimit, out)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, manyFiles)
	for _, i := range []int{0, manyFiles - 1} {
		checkFile(t, filepath.Join(dir, patchName(i)), patchText(i), 0o644)
	}
}

// writeUnderLimit writes the folder dir of manyFiles files with at most
// nofileLimit descriptors open, and counts the syncs at once. The disk
// stalls for the first 100 ms, as a slow or busy one may: the files
// written meanwhile would all be open at once if nothing made Create wait.
func writeUnderLimit(t *testing.T, dir string) {
	stall := time.Now().Add(100 * time.Millisecond)
	var mu sync.Mutex
	syncing, most := 0, 0
	syncFile = func(f *os.File) error {
		mu.Lock()
		syncing++
		most = max(most, syncing)
		mu.Unlock()
		defer func() {
			mu.Lock()
			syncing--
			mu.Unlock()
		}()
		time.Sleep(time.Until(stall))
		return syncClose(f)
	}
	var rl syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl))
	rl.Cur = min(rl.Max, nofileLimit)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl))
	err := WriteFolder(dir, false, func(d *Folder) error {
		for i := range manyFiles {
			if err := d.Create(patchName(i), []byte(patchText(i)), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.LessOrEqual(t, most, maxOpen, "files synced at once")
	assert.Greater(t, most, 1, "files synced at once")
}

func patchName(i int) string { return fmt.Sprintf("%04d-change.patch", i) }

func patchText(i int) string {
	return fmt.Sprintf("Subject: change %d\n\n--- a/bucardo\n+++ b/bucardo\n", i)
}
