package beneath

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// RemoveAll removes name and, if it is a folder, everything in it. A link,
// at name or inside it, is removed itself: nothing it points to is
// touched. A name that does not exist is no error.
func (r Root) RemoveAll(name string) error {
	err := r.at(name, func(dir int, base string) error {
		return removeAllAt(dir, base, name)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// removeAllAt removes base in the folder dir; name is its path, for errors.
func removeAllAt(dir int, base, name string) error {
	err := unlinkat(dir, base, 0)
	if err == nil || err == unix.ENOENT {
		return nil
	}
	fd, oerr := ignoringEINTR(func() (int, error) { return unix.Openat(dir, base, dirFlags|unix.O_NOFOLLOW, 0) })
	if oerr != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	names, rerr := f.Readdirnames(-1)
	for _, n := range names {
		if err := removeAllAt(fd, n, name+"/"+n); err != nil {
			f.Close()
			return err
		}
	}
	f.Close()
	if rerr != nil {
		return &fs.PathError{Op: "readdir", Path: name, Err: rerr}
	}
	if err := unlinkat(dir, base, unix.AT_REMOVEDIR); err != nil && err != unix.ENOENT {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return nil
}
