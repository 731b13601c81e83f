package beneath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// fileInfo is what fstatat says of a name, as an fs.FileInfo. Sys returns
// a *unix.Stat_t.
type fileInfo struct {
	name string
	st   unix.Stat_t
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.st.Size }
func (fi *fileInfo) Mode() fs.FileMode  { return fileMode(uint32(fi.st.Mode)) }
func (fi *fileInfo) ModTime() time.Time { return time.Unix(fi.st.Mtim.Unix()) }
func (fi *fileInfo) IsDir() bool        { return fi.Mode().IsDir() }
func (fi *fileInfo) Sys() any           { return &fi.st }

// fileMode converts the st_mode bits of stat(2) to an fs.FileMode.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// Owner returns the numeric owner of a file described by this package or
// by the os package; ok is false when info carries none.
func Owner(info fs.FileInfo) (uid, gid int, ok bool) {
	switch st := info.Sys().(type) {
	case *unix.Stat_t:
		return int(st.Uid), int(st.Gid), true
	case *syscall.Stat_t:
		return int(st.Uid), int(st.Gid), true
	}
	return 0, 0, false
}

// SameFile reports whether a and b, described by this package or by the
// os package, are the same file (device and inode).
func SameFile(a, b fs.FileInfo) bool {
	da, ia, ok1 := devIno(a)
	db, ib, ok2 := devIno(b)
	return ok1 && ok2 && da == db && ia == ib
}

func devIno(info fs.FileInfo) (dev, ino uint64, ok bool) {
	if info == nil {
		return 0, 0, false
	}
	switch st := info.Sys().(type) {
	case *unix.Stat_t:
		return uint64(st.Dev), uint64(st.Ino), true
	case *syscall.Stat_t:
		return uint64(st.Dev), uint64(st.Ino), true
	}
	return 0, 0, false
}

// ErrUntrusted marks a file or folder that others than root and the
// effective user may have written; Trusted's errors match it.
var ErrUntrusted = errors.New("not trusted")

// Trusted returns nil when info's owner is root or the effective user and
// no one else may write it: the test for a file or folder bcfork keeps its
// own state in. Otherwise the error says why, and matches ErrUntrusted.
func Trusted(info fs.FileInfo) error {
	uid, _, ok := Owner(info)
	me := os.Geteuid()
	switch {
	case !ok:
		return fmt.Errorf("%w: its owner is unknown", ErrUntrusted)
	case uid != 0 && uid != me:
		return fmt.Errorf("%w: it is owned by uid %d, not by root%s", ErrUntrusted, uid, orMe(me))
	case othersMayWrite(info):
		return fmt.Errorf("%w: group or others may write it (mode %04o)", ErrUntrusted, info.Mode().Perm())
	}
	return nil
}

// TrustedFile returns nil when the file name below the root, whose fstat
// on opening it was info, and the folder that holds it both pass Trusted:
// the test for a file bcfork keeps its state in and acts on as root (the
// install receipt, the instance record). A folder that fails it is named.
func (r Root) TrustedFile(name string, info fs.FileInfo) error {
	if err := Trusted(info); err != nil {
		return err
	}
	dir := filepath.Dir(filepath.Clean(name))
	di, err := r.Lstat(dir)
	if err != nil {
		return err
	}
	if err := Trusted(di); err != nil {
		return fmt.Errorf("its folder %q: %w", dir, err)
	}
	return nil
}

func orMe(uid int) string {
	if uid == 0 {
		return ""
	}
	return fmt.Sprintf(" or uid %d", uid)
}

// othersMayWrite reports whether group or others may write info, or, for
// a folder, rename what others put in it (a folder with the sticky bit,
// such as /tmp, lets only owners rename their entries).
func othersMayWrite(info fs.FileInfo) bool {
	sticky := info.IsDir() && info.Mode()&fs.ModeSticky != 0
	return info.Mode().Perm()&0o022 != 0 && !sticky
}
