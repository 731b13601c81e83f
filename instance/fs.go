package instance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/beneath"
)

// Every file and folder this package reads or changes lies below
// Options.Root ("/" when it is ""), and goes through internal/beneath, as
// package install's do: a name is resolved one folder at a time without
// following any symbolic link, so a link below the root (an /etc/bucardo
// that points elsewhere, an rc file that is a link) is refused with an
// error naming it, and nothing outside the root is read or changed.

// Caps on what is read: bcfork writes a few hundred bytes for an rc file,
// the unit, a tmpfiles.d or logrotate entry, and under a kilobyte for each
// instance in the record.
const (
	maxFile   = 1 << 20 // rc files, the unit, pid files, the entries bcfork wrote
	maxRecord = 4 << 20 // the instance record
	maxPasswd = 16 << 20
)

// fs is the root folder, below which no link is followed.
func (o Options) fs() beneath.Root { return beneath.New(o.Root) }

// tmpName names the temporary file a write of real path p goes through:
// hidden, beside it, and fixed, so removeStrays finds what a killed write
// left.
func tmpName(p string) string {
	return filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".bcfork-tmp")
}

// writeFile replaces real path with data atomically, with mode, owned by
// acct if not nil (else by whoever runs bcfork: root on a host): a
// temporary file beside it is written, given owner and mode, synced and
// renamed over path, then the folder is synced. A link at path is
// replaced, never written through.
func (o Options) writeFile(path string, data []byte, mode fs.FileMode, acct *Account) error {
	r, tmp := o.fs(), tmpName(path)
	err := r.WriteFile(tmp, data, 0o600)
	if err == nil && acct != nil {
		err = r.Chown(tmp, acct.UID, acct.GID)
	}
	if err == nil {
		err = r.Chmod(tmp, mode) // after chown; umask does not change it
	}
	if err == nil {
		err = r.Sync(tmp)
	}
	if err == nil {
		err = r.Rename(tmp, path)
	}
	if err != nil {
		r.Remove(tmp)
		return wrap("writing", path, err)
	}
	return wrap("syncing folder", filepath.Dir(path), r.Sync(filepath.Dir(path)))
}

// wrap says what failed on path, naming it once; nil stays nil.
func wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe) && pe.Path == path:
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return fmt.Errorf("%s %q: %w", op, path, beneath.TrimPath(path, err))
}

// mkdir creates real folder path (its parent must exist), owned by acct
// if not nil.
func (o Options) mkdir(path string, acct *Account) error {
	r := o.fs()
	err := r.Mkdir(path, 0o755)
	if err == nil && acct != nil {
		err = r.Chown(path, acct.UID, acct.GID)
	}
	if err == nil {
		err = r.Sync(filepath.Dir(path))
	}
	return wrap("creating folder", path, err)
}

// removeFile removes real path (a link itself, not what it points to); a
// missing file is not an error.
func (o Options) removeFile(path string) error {
	if err := o.fs().Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return wrap("removing", path, err)
	}
	return nil
}

// removeAll removes real folder path and everything in it; a link in it
// is removed itself, not followed.
func (o Options) removeAll(path string) error {
	return wrap("removing", path, o.fs().RemoveAll(path))
}

// removeIfEmpty removes real folder path if it is empty; it reports
// whether the folder is gone.
func (o Options) removeIfEmpty(path string) bool {
	err := o.fs().Remove(path)
	return err == nil || errors.Is(err, fs.ErrNotExist)
}

// exists reports whether real path is there (a link included) and can be
// reached without following a link.
func (o Options) exists(path string) bool {
	_, err := o.fs().Lstat(path)
	return err == nil
}

// present reports whether real path is there (a link included); a link in
// a folder above it is an error.
func (o Options) present(path string) (bool, error) {
	_, err := o.fs().Lstat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, wrap("reading", path, err)
}

// noLink returns a *beneath.LinkError if real path, or a folder above it,
// is a link; a missing path is none.
func (o Options) noLink(path string) error {
	info, err := o.fs().Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case info.Mode()&fs.ModeSymlink != 0:
		to, _ := o.fs().Readlink(path)
		return &beneath.LinkError{Path: path, Target: to, Root: o.fs().Dir()}
	}
	return nil
}

// readFile returns the content of the regular file at real path, at most
// max bytes, what fstat says of it, and whether it exists.
func (o Options) readFile(path string, max int64) ([]byte, fs.FileInfo, bool, error) {
	data, info, err := o.fs().ReadFile(path, max)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, wrap("reading", path, err)
	}
	return data, info, true, nil
}

// removeStrays removes the temporary files a write of real path p that
// was killed may have left beside it: hidden files named after it, as
// writeFile (and atomicfile, in earlier releases) names them.
func (o Options) removeStrays(p string) error {
	dir := filepath.Dir(p)
	entries, err := o.fs().ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return wrap("reading folder", dir, err)
	}
	pattern := "." + filepath.Base(p) + ".*"
	for _, e := range entries {
		if ok, _ := filepath.Match(pattern, e.Name()); ok {
			if err := o.removeFile(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
