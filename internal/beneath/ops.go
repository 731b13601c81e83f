package beneath

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/atomicfile"
	"golang.org/x/sys/unix"
)

// Lstat describes name without following it if it is a link. Its Sys is a
// *unix.Stat_t: see Owner and SameFile.
func (r Root) Lstat(name string) (fs.FileInfo, error) {
	var fi *fileInfo
	err := r.at(name, func(dir int, base string) error {
		fi = &fileInfo{name: base}
		if err := ignoringEINTR0(func() error { return unix.Fstatat(dir, base, &fi.st, unix.AT_SYMLINK_NOFOLLOW) }); err != nil {
			return &fs.PathError{Op: "lstat", Path: name, Err: err}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fi, nil
}

// Readlink returns the target of the link name.
func (r Root) Readlink(name string) (string, error) {
	var to string
	err := r.at(name, func(dir int, base string) error {
		buf := make([]byte, 4096)
		n, err := unix.Readlinkat(dir, base, buf)
		if err != nil {
			return &fs.PathError{Op: "readlink", Path: name, Err: err}
		}
		to = string(buf[:n])
		return nil
	})
	return to, err
}

// Open opens name with flag (os.O_RDONLY, ...) and perm, adding O_NOFOLLOW,
// O_NONBLOCK and O_CLOEXEC: a link is refused with a *LinkError, and
// opening a FIFO or a device does not block. A file that O_CREATE creates
// gets perm exactly, whatever the umask; an existing one keeps its mode.
// The file's own mode decides what it may be used for: check it with Stat.
func (r Root) Open(name string, flag int, perm fs.FileMode) (*os.File, error) {
	var f *os.File
	err := r.at(name, func(dir int, base string) (err error) {
		f, err = r.openAt(dir, base, name, flag, perm)
		return err
	})
	return f, err
}

// createTries bounds how often openAt retries a file that another process
// removes and creates again between its two attempts.
const createTries = 8

// openAt is Open of base in the folder dir. With O_CREATE but not O_EXCL,
// it first tries to create the file (O_EXCL), so that it knows whether it
// made it and is to set its mode, then opens the file that exists.
func (r Root) openAt(dir int, base, name string, flag int, perm fs.FileMode) (*os.File, error) {
	if flag&unix.O_CREAT == 0 || flag&unix.O_EXCL != 0 {
		return r.openOnce(dir, base, name, flag, perm)
	}
	for range createTries {
		f, err := r.openOnce(dir, base, name, flag|unix.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
		f, err = r.openOnce(dir, base, name, flag&^unix.O_CREAT, perm)
		if !errors.Is(err, fs.ErrNotExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("removed and created again while being opened")}
}

// openOnce opens base in dir with flag; a file it creates (O_CREATE with
// O_EXCL) is given perm by fchmod, which the umask does not change.
func (r Root) openOnce(dir int, base, name string, flag int, perm fs.FileMode) (*os.File, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return unix.Openat(dir, base, flag|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, uint32(perm.Perm()))
	})
	if err != nil {
		return nil, r.linkOrErr("open", dir, base, name, err)
	}
	f := os.NewFile(uintptr(fd), filepath.Clean(name))
	if flag&unix.O_CREAT != 0 {
		if err := f.Chmod(perm); err != nil {
			f.Close()
			unlinkat(dir, base, 0)
			return nil, err
		}
	}
	return f, nil
}

// ReadFile reads the regular file name, at most max bytes, and returns it
// with what fstat said of the opened file (an os FileInfo). Anything but a
// regular file is refused (*NotRegularError) without reading, a link with a
// *LinkError, a larger file with a *TooLargeError.
func (r Root) ReadFile(name string, max int64) ([]byte, fs.FileInfo, error) {
	f, err := r.Open(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return ReadRegular(f, max)
}

// ReadRegular reads the open file f, at most max bytes, after checking by
// fstat that it is a regular file.
func ReadRegular(f *os.File, max int64) ([]byte, fs.FileInfo, error) {
	info, err := Regular(f)
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > max {
		return nil, nil, &TooLargeError{Path: f.Name(), Size: info.Size(), Max: max}
	}
	data, err := readAll(io.LimitReader(f, max+1), make([]byte, 0, info.Size()+1))
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("reading %q: %w", f.Name(), err)
	case int64(len(data)) > max:
		return nil, nil, &TooLargeError{Path: f.Name(), Size: -1, Max: max}
	}
	return data, info, nil
}

// readAll is io.ReadAll into buf, which has room for what fstat said the
// file holds and one more byte, so that a file that did not change is read
// into one buffer of its size and its end seen without growing it; a file
// that grew meanwhile is read on, as io.ReadAll would.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// Regular returns what fstat says of the open file f, and a
// *NotRegularError when it is not a regular file.
func Regular(f *os.File) (fs.FileInfo, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &NotRegularError{Path: f.Name(), Mode: info.Mode()}
	}
	return info, nil
}

// OpenFile opens the file path that a user named (a --from argument) for
// reading: links in path are followed, as the user named it, but the
// open does not block on a FIFO or a device, and anything but a regular
// file is refused by fstat on the opened descriptor (*NotRegularError).
func OpenFile(path string) (*os.File, fs.FileInfo, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	info, err := Regular(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// MaxEntries is the most entries ReadDir returns of one folder. The
// largest folders bcfork lists are system ones it globs (a perl library
// folder, /usr/lib/x86_64-linux-gnu: some thousands of entries on a full
// host) and its own (a few); 100,000 is ten times the first, and reading
// that many allocates some 20 MB (about 200 bytes an entry, measured with
// short names), where a folder of millions, broken or made to, would cost
// a root process hundreds of MB.
const MaxEntries = 100_000

// maxEntries is MaxEntries, lowered by tests.
var maxEntries = MaxEntries

// ErrTooManyEntries is returned by ReadDir for a folder of more than
// MaxEntries entries.
var ErrTooManyEntries = errors.New("too many entries")

// ReadDir lists the folder name, in the order the system gives; a folder
// of more than MaxEntries entries is refused (ErrTooManyEntries) once that
// many are read, so no more are held in memory.
func (r Root) ReadDir(name string) ([]fs.DirEntry, error) {
	parts, err := r.parts(name)
	if err != nil {
		return nil, err
	}
	fd, err := r.openDir(parts)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), filepath.Clean(name))
	defer f.Close()
	var entries []fs.DirEntry
	for {
		batch, err := f.ReadDir(min(1024, maxEntries+1-len(entries)))
		entries = append(entries, batch...)
		switch {
		case len(entries) > maxEntries:
			return nil, &fs.PathError{Op: "readdir", Path: f.Name(), Err: fmt.Errorf("%w: more than %d, the most bcfork reads of one folder", ErrTooManyEntries, maxEntries)}
		case err == io.EOF:
			return entries, nil
		case err != nil:
			return nil, err
		}
	}
}

// WriteFile writes data to the new file name with perm (exactly: the umask
// does not change it), removing whatever name was first: it never writes
// through a link or into a file that another name also links to. It does
// not sync.
func (r Root) WriteFile(name string, data []byte, perm fs.FileMode) error {
	return r.at(name, func(dir int, base string) error {
		if err := unlinkat(dir, base, 0); err != nil && !errors.Is(err, unix.ENOENT) {
			return &fs.PathError{Op: "remove", Path: name, Err: err}
		}
		f, err := r.openOnce(dir, base, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL, perm)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// Sync flushes the file or folder name to disk.
func (r Root) Sync(name string) error {
	var f *os.File
	var err error
	if parts, perr := r.parts(name); perr == nil && len(parts) == 0 {
		f, err = os.Open(r.Dir())
	} else {
		f, err = r.Open(name, os.O_RDONLY, 0)
	}
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Chmod sets the mode of the file or folder name, which must not be a link.
func (r Root) Chmod(name string, mode fs.FileMode) error {
	f, err := r.Open(name, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrPermission) && os.Geteuid() != 0 {
		return r.chmodUnopened(name, mode) // a file its owner may not read
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Chmod(mode)
}

// chmodUnopened is Chmod of a file that cannot be opened: fchmodat, after
// checking that name is not a link. Only someone who may write the folder
// could swap it meanwhile, and then only for a file the caller may change.
func (r Root) chmodUnopened(name string, mode fs.FileMode) error {
	return r.at(name, func(dir int, base string) error {
		var st unix.Stat_t
		if err := unix.Fstatat(dir, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &fs.PathError{Op: "chmod", Path: name, Err: err}
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return r.linkOrErr("chmod", dir, base, name, unix.ELOOP)
		}
		if err := unix.Fchmodat(dir, base, syscallMode(mode), 0); err != nil {
			return &fs.PathError{Op: "chmod", Path: name, Err: err}
		}
		return nil
	})
}

func syscallMode(m fs.FileMode) uint32 {
	bits := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		bits |= unix.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		bits |= unix.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		bits |= unix.S_ISVTX
	}
	return bits
}

// Chown sets the owner of name itself, a link included (lchown).
func (r Root) Chown(name string, uid, gid int) error {
	return r.at(name, func(dir int, base string) error {
		if err := unix.Fchownat(dir, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &fs.PathError{Op: "chown", Path: name, Err: err}
		}
		return nil
	})
}

// Rename renames oldname to newname, both below the root.
func (r Root) Rename(oldname, newname string) error {
	return r.at(oldname, func(odir int, obase string) error {
		return r.at(newname, func(ndir int, nbase string) error {
			if err := unix.Renameat(odir, obase, ndir, nbase); err != nil {
				return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
			}
			return nil
		})
	})
}

// Link makes newname a hard link to oldname; a link at oldname is linked
// itself, not followed.
func (r Root) Link(oldname, newname string) error {
	return r.at(oldname, func(odir int, obase string) error {
		return r.at(newname, func(ndir int, nbase string) error {
			if err := unix.Linkat(odir, obase, ndir, nbase, 0); err != nil {
				return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: err}
			}
			return nil
		})
	})
}

// Remove removes the file, link or empty folder name.
func (r Root) Remove(name string) error {
	return r.at(name, func(dir int, base string) error {
		err := unlinkat(dir, base, 0)
		if err == nil {
			return nil
		}
		if err1 := unlinkat(dir, base, unix.AT_REMOVEDIR); err1 == nil {
			return nil
		} else if err1 != unix.ENOTDIR {
			err = err1 // as os.Remove: the folder's error unless it is no folder
		}
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	})
}

func unlinkat(dir int, base string, flags int) error {
	return ignoringEINTR0(func() error { return unix.Unlinkat(dir, base, flags) })
}

// Mkdir creates the folder name with perm (exactly: the umask does not
// change it); the folder holding it must exist. A link below the root is
// refused, not followed.
func (r Root) Mkdir(name string, perm fs.FileMode) error {
	return r.at(name, func(dir int, base string) error {
		if err := mkdirat(dir, base, perm); err != nil {
			return &fs.PathError{Op: "mkdir", Path: name, Err: err}
		}
		return nil
	})
}

// mkdirat creates the folder base in the folder dir and gives it perm by
// fchmod, which the umask does not change. Should base be swapped for a
// link meanwhile, the open refuses it and the error says so.
func mkdirat(dir int, base string, perm fs.FileMode) error {
	if err := unix.Mkdirat(dir, base, uint32(perm.Perm())); err != nil {
		return err
	}
	fd, err := ignoringEINTR(func() (int, error) { return unix.Openat(dir, base, dirFlags|unix.O_NOFOLLOW, 0) })
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return ignoringEINTR0(func() error { return unix.Fchmod(fd, syscallMode(perm)) })
}

// MkdirAll creates the folder name and the missing folders above it with
// perm (exactly: the umask does not change it), the root folder and its
// missing parents included. A link below the root is refused, not
// followed. Folders that exist keep their mode.
func (r Root) MkdirAll(name string, perm fs.FileMode) error {
	parts, err := r.parts(name)
	if err != nil {
		return err
	}
	fd, err := r.openRoot()
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := atomicfile.MkdirAll(r.Dir(), perm); err != nil {
			return err
		}
		fd, err = r.openRoot()
	}
	if err != nil {
		return err
	}
	for i, part := range parts {
		if err := mkdirat(fd, part, perm); err != nil && err != unix.EEXIST {
			err = r.mkdirErr(fd, parts, i, err)
			unix.Close(fd)
			return err
		}
		if fd, err = r.walk(fd, parts[:i+1], i); err != nil {
			return err
		}
	}
	unix.Close(fd)
	return nil
}

// mkdirErr is the error of mkdirat of parts[i] in the folder fd: a
// *LinkError when a link is there, else a *fs.PathError.
func (r Root) mkdirErr(fd int, parts []string, i int, err error) error {
	var st unix.Stat_t
	if unix.Fstatat(fd, parts[i], &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return &LinkError{Path: r.path(parts, i+1), Target: readlinkat(fd, parts[i]), Root: r.Dir()}
	}
	return &fs.PathError{Op: "mkdir", Path: r.path(parts, i+1), Err: err}
}
