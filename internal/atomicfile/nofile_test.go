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

// nofileDir, set in the environment, makes a test below the child that
// writes or syncs the folder it names, a series of manyFiles patches or a
// tree holding it twice, with at most nofileLimit descriptors open
// (untyped: Rlimit's fields are uint64 on Linux, int64 on FreeBSD). Four
// times as many files as descriptors show as much as ten times: without
// a bound, the first few dozen files opened already run out.
const (
	nofileDir   = "BCFORK_ATOMICFILE_NOFILE_DIR"
	manyFiles   = 200
	nofileLimit = 48
)

// TestWriteFolderFewDescriptors: a series of hundreds of patches (200) is
// written through WriteFolder by a process that may open only a few dozen
// files. A child (this test binary again) lowers its RLIMIT_NOFILE and
// writes it, syncing no more than maxOpen files at once.
func TestWriteFolderFewDescriptors(t *testing.T) {
	if dir := os.Getenv(nofileDir); dir != "" {
		writeUnderLimit(t, dir)
		return
	}
	dir := filepath.Join(t.TempDir(), "series")
	runChild(t, dir)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, manyFiles)
	for _, i := range []int{0, manyFiles - 1} {
		checkFile(t, filepath.Join(dir, patchName(i)), patchText(i), 0o644)
	}
}

// writeUnderLimit writes the folder dir of manyFiles files with at most
// nofileLimit descriptors open, while the disk stalls.
func writeUnderLimit(t *testing.T, dir string) {
	syncs := stallSyncs()
	lowerNofile(t)
	err := WriteFolder(dir, false, func(d *Folder) error {
		for i := range manyFiles {
			if err := d.Create(patchName(i), []byte(patchText(i)), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	syncs.check(t)
}

// TestSyncTreeFewDescriptors: a work folder holding a series of hundreds
// of patches twice (400 files), in subfolders, is put in place through
// WriteDir by a process that may open only a few dozen files. A child
// (this test binary again) lowers its RLIMIT_NOFILE and syncs the tree
// (SyncTree), no more than maxOpen files and folders at once, every one
// of them before SyncTree returns.
func TestSyncTreeFewDescriptors(t *testing.T) {
	if dir := os.Getenv(nofileDir); dir != "" {
		syncUnderLimit(t, dir)
		return
	}
	dir := t.TempDir()
	workTree(t, dir, manyFiles)
	runChild(t, dir)
}

// syncUnderLimit syncs the tree dir with at most nofileLimit descriptors
// open, while the disk stalls, and checks that every file and folder in it
// was synced.
func syncUnderLimit(t *testing.T, dir string) {
	syncs := stallSyncs()
	lowerNofile(t)
	require.NoError(t, SyncTree(dir))
	syncs.check(t)
	want := treeOf(t, dir)
	assert.Len(t, want, 2*manyFiles+4, "files and folders in the tree")
	assert.ElementsMatch(t, want, syncs.done, "files and folders synced")
}

// runChild runs the test t again in a child process, this test binary
// with nofileDir=dir in its environment, and fails t if the child fails.
// Under -race the child does not sleep a second at exit (it has waited
// for its goroutines; a race it met still fails it).
func runChild(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), nofileDir+"="+dir, "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the child with RLIMIT_NOFILE %d:\n%s", nofileLimit, out)
}

// lowerNofile lowers the process's RLIMIT_NOFILE to nofileLimit.
func lowerNofile(t *testing.T) {
	t.Helper()
	var rl syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl))
	rl.Cur = min(rl.Max, nofileLimit)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl))
}

// syncs counts the syncs of syncFile at once, and records the names of
// those done.
type syncs struct {
	mu      sync.Mutex
	syncing int
	most    int
	done    []string
}

// stallSyncs makes syncFile count the syncs and stall for the first
// 100 ms, as a slow or busy disk may: the files opened meanwhile would all
// be open at once if nothing bounded them. Without the bound, the writes
// of a Folder ran out of descriptors within 10 ms here under -race, but
// not always within 50 ms with every CPU busy. Only for the child:
// syncFile is not put back.
func stallSyncs() *syncs {
	s := &syncs{}
	stall := time.Now().Add(100 * time.Millisecond)
	syncFile = func(f *os.File) error {
		s.mu.Lock()
		s.syncing++
		s.most = max(s.most, s.syncing)
		s.mu.Unlock()
		time.Sleep(time.Until(stall))
		name := f.Name()
		err := syncClose(f)
		s.mu.Lock()
		s.syncing--
		s.done = append(s.done, name)
		s.mu.Unlock()
		return err
	}
	return s
}

// check checks that several syncs ran at once, and never more than
// maxOpen.
func (s *syncs) check(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.LessOrEqual(t, s.most, maxOpen, "files synced at once")
	assert.Greater(t, s.most, 1, "files synced at once")
}

func patchName(i int) string { return fmt.Sprintf("%04d-change.patch", i) }

func patchText(i int) string {
	return fmt.Sprintf("Subject: change %d\n\n--- a/bucardo\n+++ b/bucardo\n", i)
}
