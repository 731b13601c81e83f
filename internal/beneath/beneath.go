// Package beneath reads and changes files below a root folder without
// following symbolic links: a name is resolved one folder at a time from
// the root, each opened relative to the one before with O_NOFOLLOW, so no
// link and no ".." can lead out of the root, and a folder swapped for a
// link between two calls is refused rather than followed.
//
// bcfork runs as root on folders that others may be able to write (a
// packaging root, a cache under a user's home, a fork folder): every
// operation on them goes through a Root. The root folder itself may be
// reached through links; only what lies below it is resolved strictly.
//
// On Linux the folders above a name are opened with one openat2 call
// (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS) where the kernel has it (5.6 and
// later); elsewhere, and to name the culprit when that call fails, one
// openat per folder. Both give the same guarantee: no link is followed.
// Files are opened with O_NONBLOCK, so a FIFO or a device never blocks a
// read, and must be regular files by fstat on the opened descriptor.
//
// What a Root creates (a folder, a file) gets the mode asked for exactly,
// set by fchmod on the new file: the umask of the process does not change
// it, so a root shell's umask neither loosens nor tightens bcfork's state.
package beneath

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// ErrOutside is returned for a name that does not lie below the root.
var ErrOutside = errors.New("not below the root")

// ErrLink marks a symbolic link met while resolving a name; *LinkError
// matches it.
var ErrLink = errors.New("symbolic link not followed")

// LinkError reports a symbolic link met while resolving a name below the root.
type LinkError struct {
	Path   string // the link
	Target string // what it points to, as far as it could be read
	Root   string
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("%q is a symbolic link to %q: links below %q are not followed", e.Path, e.Target, e.Root)
}

// Is lets errors.Is(err, ErrLink) match.
func (e *LinkError) Is(target error) bool { return target == ErrLink }

// TrimPath returns err for a message that names path already, as
// fmt.Errorf("reading %q: %w", path, TrimPath(path, err)) does: a
// *LinkError, *NotRegularError or *TooLargeError on path itself is then
// said without its path ("it is a symbolic link to ...", "it is not a
// regular file (a FIFO)"), so the message names the path once, and
// errors.As and errors.Is still find it. Any other error, a link met in
// a folder above path included, is returned as it is.
func TrimPath(path string, err error) error {
	path = filepath.Clean(path)
	switch e := err.(type) {
	case *LinkError:
		if filepath.Clean(e.Path) == path {
			return here{e, fmt.Sprintf("it is a symbolic link to %q: links below %q are not followed", e.Target, e.Root)}
		}
	case *NotRegularError:
		if filepath.Clean(e.Path) == path {
			return here{e, fmt.Sprintf("it is not a regular file (%s)", typeName(e.Mode))}
		}
	case *TooLargeError:
		if filepath.Clean(e.Path) == path {
			return here{e, e.size()}
		}
	}
	return err
}

// Itself reports whether err says that what is at path itself is no
// file to read there: a *LinkError, *NotRegularError or *TooLargeError on
// path (those TrimPath says without it), not a link in a folder above it
// nor any other failure.
func Itself(path string, err error) bool {
	path = filepath.Clean(path)
	var (
		le *LinkError
		ne *NotRegularError
		te *TooLargeError
	)
	switch {
	case errors.As(err, &le):
		return filepath.Clean(le.Path) == path
	case errors.As(err, &ne):
		return filepath.Clean(ne.Path) == path
	case errors.As(err, &te):
		return filepath.Clean(te.Path) == path
	}
	return false
}

// here is an error about a path said without it, which the message
// around it names.
type here struct {
	err error
	msg string
}

func (h here) Error() string { return h.msg }

func (h here) Unwrap() error { return h.err }

// ErrNotRegular is returned when a file to read is not a regular file (a
// folder, a FIFO, a device, a socket); *NotRegularError matches it.
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError reports a file that is not a regular one.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%q is not a regular file (%s)", e.Path, typeName(e.Mode))
}

// Is lets errors.Is(err, ErrNotRegular) match.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// typeName names a file type for messages.
func typeName(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "type " + m.Type().String()
}

// ErrTooLarge is returned when a file is larger than a read allows;
// *TooLargeError matches it.
var ErrTooLarge = errors.New("file too large")

// TooLargeError reports a file larger than a read allows.
type TooLargeError struct {
	Path string
	Size int64 // what fstat said; -1 when it grew larger while read
	Max  int64
}

func (e *TooLargeError) Error() string { return fmt.Sprintf("%q: %s", e.Path, e.size()) }

// size says how large the file is, for messages.
func (e *TooLargeError) size() string {
	if e.Size < 0 {
		return fmt.Sprintf("%v: more than %d bytes", ErrTooLarge, e.Max)
	}
	return fmt.Sprintf("%v: %d bytes, more than %d", ErrTooLarge, e.Size, e.Max)
}

// Is lets errors.Is(err, ErrTooLarge) match.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// Root is a folder below which names are resolved without following links.
// The zero Root is "/".
type Root struct {
	dir string
}

// New returns the Root of folder dir; "" is "/".
func New(dir string) Root {
	if dir == "" {
		dir = "/"
	}
	return Root{dir: filepath.Clean(dir)}
}

// Dir returns the root folder.
func (r Root) Dir() string {
	if r.dir == "" {
		return "/"
	}
	return r.dir
}

// Contains reports whether name lies below the root (or is the root), by
// its path alone, after cleaning.
func (r Root) Contains(name string) bool {
	_, err := r.parts(name)
	return err == nil
}

// parts splits name into the folders and file below the root; nil for the
// root itself.
func (r Root) parts(name string) ([]string, error) {
	rel, err := filepath.Rel(r.Dir(), filepath.Clean(name))
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") || filepath.IsAbs(rel) {
		return nil, &fs.PathError{Op: "resolve", Path: name, Err: fmt.Errorf("%w %q", ErrOutside, r.Dir())}
	}
	if rel == "." {
		return nil, nil
	}
	return strings.Split(rel, "/"), nil
}

// path joins the first n parts to the root, for messages.
func (r Root) path(parts []string, n int) string {
	return filepath.Join(append([]string{r.Dir()}, parts[:n]...)...)
}
