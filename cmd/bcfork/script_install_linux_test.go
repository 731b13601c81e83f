package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// The tests here mount filesystems (mount(2) with Linux's flags).

// mountTmpfs mounts a tmpfs of size (e.g. "256k") at dir, or skips the test
// when it may not.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0755"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", dir, err)
		}
	})
}

func remount(t *testing.T, dir string, flags uintptr) {
	t.Helper()
	require.NoError(t, syscall.Mount("", dir, "", syscall.MS_REMOUNT|flags, ""))
}

// TestInstallReadOnlyFilesystem mounts the root's /usr read-only after an
// install (the state folder stays writable): installing another fork and
// uninstalling fail with the read-only hint and change nothing, status
// stays clean, and once /usr is writable again both work.
func TestInstallReadOnlyFilesystem(t *testing.T) {
	h := newRealHost(t, 0)
	usr := filepath.Join(h.root, "usr")
	mountTmpfs(t, usr, "4m")
	h.originals(t)
	h.must(t, "install", "--from", h.forkA)
	remount(t, usr, syscall.MS_RDONLY)
	before := h.tree(t)
	for _, args := range [][]string{{"install", "--from", h.forkB, "--force"}, {"uninstall"}} {
		code, out := h.run(t, nil, args...)
		h.wantFailure(t, before, code, out, "read-only file system", "(nothing was changed)", "bcfork: hint: the filesystem is read-only")
	}
	h.must(t, "status")
	remount(t, usr, 0)
	h.must(t, "install", "--from", h.forkB, "--force")
	h.must(t, "uninstall")
	if out := h.must(t, "status"); !strings.Contains(out, "bucardo: not bcfork's fork") {
		t.Errorf("status after uninstall:\n%s", out)
	}
}

// TestInstallFullFilesystem puts the whole root, or only its /usr (the
// targets, not the state folder), on a small tmpfs: a fork too big for the
// space left fails with the full-disk hint and leaves everything as it was,
// over the originals and over an installed fork; then uninstall works.
func TestInstallFullFilesystem(t *testing.T) {
	for _, small := range []string{"/", "/usr"} {
		t.Run(small, func(t *testing.T) { testFullFilesystem(t, small) })
	}
}

func testFullFilesystem(t *testing.T, small string) {
	h := newRealHost(t, 1<<20)
	mountTmpfs(t, filepath.Join(h.root, small), "1m")
	h.originals(t)
	before := h.tree(t)
	code, out := h.run(t, nil, "install", "--from", h.forkB)
	h.wantFailure(t, before, code, out, "no space left on device", "(nothing was changed)", "bcfork: hint: the filesystem is full")

	h.must(t, "install", "--from", h.forkA)
	before = h.tree(t)
	code, out = h.run(t, nil, "install", "--from", h.forkB, "--force")
	h.wantFailure(t, before, code, out, "no space left on device", "(nothing was changed)", "bcfork: hint: the filesystem is full")
	h.must(t, "status")
	h.must(t, "uninstall")
	if out := h.must(t, "status"); !strings.Contains(out, "bucardo: not bcfork's fork") {
		t.Errorf("status after uninstall:\n%s", out)
	}
}
