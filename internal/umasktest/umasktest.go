// Package umasktest runs test code under each of the umasks a host may
// give bcfork, to show that what it creates gets the mode it means.
package umasktest

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// Masks are the umasks Each runs under: the usual one, the loose ones a
// root shell may have (002, 000), and strict ones (027, 077) that would
// leave a folder others must read (the state folder, an instance's
// folder, a cache) at 0700 or 0750.
var Masks = []int{0o022, 0o002, 0o000, 0o027, 0o077}

// Each runs f in a subtest under each of Masks, restoring the umask after
// each. The umask belongs to the process, and the tests of a package run
// in one: the caller must not call t.Parallel, nor f, and what f runs
// must be done when it returns. Go runs no parallel test of the package
// meanwhile (a parallel top-level test waits for the serial ones).
func Each(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	EachOf(t, Masks, f)
}

// OwnerMasks also clear bits of the owner's (177: no x; 777: nothing),
// which only a private file or folder (0600, 0700) would notice: they
// come on top of Masks for those.
var OwnerMasks = append(append([]int(nil), Masks...), 0o177, 0o777)

// EachOf is Each under each of masks.
func EachOf(t *testing.T, masks []int, f func(t *testing.T)) {
	t.Helper()
	for _, m := range masks {
		t.Run(fmt.Sprintf("umask%03o", m), func(t *testing.T) {
			old := syscall.Umask(m)
			defer syscall.Umask(old)
			f(t)
		})
	}
}

// WantModes checks that each path of want (below root; root "" leaves
// the paths as they are) exists, is no link, and has exactly its mode,
// type bits included (fs.ModeDir|0o755 for a folder). A path that is
// missing stops the test; a wrong mode is reported and the others are
// still checked.
func WantModes(t testing.TB, root string, want map[string]fs.FileMode) {
	t.Helper()
	for _, p := range slices.Sorted(maps.Keys(want)) {
		info, err := os.Lstat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode(); got != want[p] {
			t.Errorf("mode of %s: %s, want %s", p, got, want[p])
		}
	}
}
