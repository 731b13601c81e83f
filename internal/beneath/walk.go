package beneath

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// noOpenat2 is set once openat2 turned out to be missing (Linux before
// 5.6) or forbidden (a seccomp filter), or where there is none.
var noOpenat2 atomic.Bool

// dirFlags open a folder to resolve names in.
const dirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC

// openRoot opens the root folder, following links in its own path.
func (r Root) openRoot() (int, error) {
	fd, err := ignoringEINTR(func() (int, error) { return unix.Open(r.Dir(), dirFlags, 0) })
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: r.Dir(), Err: err}
	}
	return fd, nil
}

// openDir opens the folder made of parts below the root, following no
// link; nil parts is the root. The caller closes the descriptor.
func (r Root) openDir(parts []string) (int, error) {
	root, err := r.openRoot()
	if err != nil || len(parts) == 0 {
		return root, err
	}
	if fd, ok := openBeneath(root, parts); ok {
		unix.Close(root)
		return fd, nil
	}
	return r.walk(root, parts, 0)
}

// walk opens parts[from:] one folder at a time from the folder fd, which
// holds parts[:from], and closes fd.
func (r Root) walk(fd int, parts []string, from int) (int, error) {
	for i := from; i < len(parts); i++ {
		part := parts[i]
		next, err := ignoringEINTR(func() (int, error) { return unix.Openat(fd, part, dirFlags|unix.O_NOFOLLOW, 0) })
		if err != nil {
			err = r.why(fd, parts, i, err)
			unix.Close(fd)
			return -1, err
		}
		unix.Close(fd)
		fd = next
	}
	return fd, nil
}

// why explains why parts[i] could not be opened in the folder fd: it is a
// link, or err as it is.
func (r Root) why(fd int, parts []string, i int, err error) error {
	p := r.path(parts, i+1)
	if errors.Is(err, unix.ENOENT) {
		return &fs.PathError{Op: "open", Path: p, Err: err}
	}
	var st unix.Stat_t
	if unix.Fstatat(fd, parts[i], &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return &LinkError{Path: p, Target: readlinkat(fd, parts[i]), Root: r.Dir()}
	}
	return &fs.PathError{Op: "open", Path: p, Err: err}
}

// parent opens the folder holding name and returns it with name's last
// part. Name must not be the root itself.
func (r Root) parent(name string) (dir int, base string, err error) {
	parts, err := r.parts(name)
	if err != nil {
		return -1, "", err
	}
	if len(parts) == 0 {
		return -1, "", &fs.PathError{Op: "resolve", Path: name, Err: errors.New("is the root folder itself")}
	}
	dir, err = r.openDir(parts[:len(parts)-1])
	return dir, parts[len(parts)-1], err
}

// at runs f on the folder holding name and name's last part.
func (r Root) at(name string, f func(dir int, base string) error) error {
	dir, base, err := r.parent(name)
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	return f(dir, base)
}

// linkOrErr turns the error of an O_NOFOLLOW open of base in dir into a
// *LinkError when base is a link (ELOOP on Linux and macOS, EMLINK on
// FreeBSD), else a *fs.PathError.
func (r Root) linkOrErr(op string, dir int, base, name string, err error) error {
	var st unix.Stat_t
	if !errors.Is(err, unix.ENOENT) && unix.Fstatat(dir, base, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return &LinkError{Path: filepath.Clean(name), Target: readlinkat(dir, base), Root: r.Dir()}
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func readlinkat(dir int, base string) string {
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(dir, base, buf)
	if err != nil {
		return "?"
	}
	return string(buf[:n])
}

// ignoringEINTR retries f while it is interrupted by a signal.
func ignoringEINTR[T any](f func() (T, error)) (T, error) {
	for {
		v, err := f()
		if err != unix.EINTR {
			return v, err
		}
	}
}

func ignoringEINTR0(f func() error) error {
	_, err := ignoringEINTR(func() (struct{}, error) { return struct{}{}, f() })
	return err
}
