package beneath

import (
	"errors"
	"io"
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

// removeBatch is how many names removeAllAt reads of a folder at a time:
// a folder of millions of entries, broken or made to, is removed holding
// no more than this many of its names in memory.
var removeBatch = 1024

// readNames reads up to n names of the folder f; tests wrap it to see the
// batches.
var readNames = (*os.File).Readdirnames

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
	defer f.Close()
	if err := removeEntries(f, fd, name); err != nil {
		return err
	}
	if err := unlinkat(dir, base, unix.AT_REMOVEDIR); err != nil && err != unix.ENOENT {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return nil
}

// removeEntries removes everything in the folder f (descriptor fd, path
// name), reading removeBatch names at a time. Removing entries may make
// the system reorder the folder, so a read after a removal may skip some:
// once the end is reached, the folder is read again from its start, until
// a pass finds nothing.
func removeEntries(f *os.File, fd int, name string) error {
	removed := false
	for {
		names, rerr := readNames(f, removeBatch)
		for _, n := range names {
			if err := removeAllAt(fd, n, name+"/"+n); err != nil {
				return err
			}
			removed = true
		}
		switch {
		case rerr == io.EOF && removed:
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return &fs.PathError{Op: "readdir", Path: name, Err: err}
			}
			removed = false
		case rerr == io.EOF:
			return nil
		case rerr != nil:
			return &fs.PathError{Op: "readdir", Path: name, Err: rerr}
		}
	}
}
