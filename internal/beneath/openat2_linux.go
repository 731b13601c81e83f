package beneath

import (
	"strings"

	"golang.org/x/sys/unix"
)

// openBeneath opens the folder parts below the folder root in one openat2
// call that follows no link and cannot leave root. It reports false when
// it could not, and walk is to open it, or say why not.
func openBeneath(root int, parts []string) (int, bool) {
	if noOpenat2.Load() {
		return -1, false
	}
	how := &unix.OpenHow{
		Flags:   dirFlags,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := ignoringEINTR(func() (int, error) { return unix.Openat2(root, strings.Join(parts, "/"), how) })
	switch err {
	case nil:
		return fd, true
	case unix.ENOSYS, unix.EPERM:
		noOpenat2.Store(true)
	}
	return -1, false
}
