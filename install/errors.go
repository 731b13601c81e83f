package install

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bcfork/bcfork/internal/beneath"
)

// ErrLocked is returned when another bcfork holds the lock.
var ErrLocked = errors.New("another bcfork is installing or uninstalling")

// LockError is returned when the lock file cannot be opened: it is a
// symbolic link, a FIFO, a folder, or one bcfork may not read. Install,
// uninstall and the instance commands that take the lock refuse to run,
// and status reports it, as it cannot tell whether another bcfork is at
// work.
type LockError struct {
	Path string // real path of the lock
	Err  error  // said without the path
}

func (e *LockError) Error() string { return fmt.Sprintf("opening the lock %q: %v", e.Path, e.Err) }

func (e *LockError) Unwrap() error { return e.Err }

// StateFileError is returned when what is at the path of a file bcfork
// keeps in its state folder (the receipt; the instance record, for
// package instance) is no such file: a FIFO, a folder, a symbolic link,
// or one too large. No --bin or --schema names it: what is there must be
// looked at and moved out of the way. Nothing was touched.
type StateFileError struct {
	What string // "receipt", "the instance record"
	Path string // real path
	Err  error  // said without the path
}

func (e *StateFileError) Error() string {
	return fmt.Sprintf("reading %s %q: %v", e.What, e.Path, e.Err)
}

func (e *StateFileError) Unwrap() error { return e.Err }

// StateLinkError is returned when a symbolic link is met on the way to
// the state folder or a file in it: the state folder itself, a folder
// above it, or one in it (the backup folder). No --bin or --schema names
// the state folder: the link must be put right. It matches ErrLink, and
// says what Err says after "op path".
type StateLinkError struct {
	Op   string // "reading receipt", "creating the state folder"
	Path string // real path of the state file or folder
	Err  error  // said without the path; it wraps a *beneath.LinkError
}

func (e *StateLinkError) Error() string { return fmt.Sprintf("%s %q: %v", e.Op, e.Path, e.Err) }

func (e *StateLinkError) Unwrap() error { return e.Err }

// Link is the *beneath.LinkError that e wraps: the link met.
func (e *StateLinkError) Link() *beneath.LinkError {
	var le *beneath.LinkError
	errors.As(e.Err, &le)
	return le
}

// statePath is err, met by op on the state file or folder at real path,
// as a *StateLinkError when a link was met on the way, else as wrap.
func statePath(op, path string, err error) error {
	if errors.Is(err, ErrLink) {
		return &StateLinkError{Op: op, Path: path, Err: withoutPath(path, err)}
	}
	return wrap(op, path, err)
}

// StateFile is err, met reading the file at real path in the state
// folder, as a *StateFileError when it says that what is there is no
// such file (see StateFileError), else as fmt.Errorf("reading %s %q: %w").
func StateFile(what, path string, err error) error {
	if beneath.Itself(path, err) {
		return &StateFileError{What: what, Path: path, Err: withoutPath(path, err)}
	}
	return statePath("reading "+what, path, err)
}

// ErrDrift marks a host that no longer matches its receipt: a target was
// changed or removed, a diversion is gone, or a run was interrupted.
var ErrDrift = errors.New("the host has drifted from the install receipt")

// ErrOtherTargets is returned when a fork is installed at other paths than
// the ones asked for.
var ErrOtherTargets = errors.New("a fork is installed at other paths")

// ModifiedError lists targets changed since install, which install and
// uninstall leave alone without Force. It wraps ErrDrift.
type ModifiedError struct {
	Paths []string // real paths
}

func (e *ModifiedError) Error() string {
	return fmt.Sprintf("changed since bcfork installed it, left alone: %s", quoteAll(e.Paths))
}

// Unwrap lets errors.Is(err, ErrDrift) match.
func (e *ModifiedError) Unwrap() error { return ErrDrift }

// VersionError is returned when the fork is of another Bucardo release than
// the host's Bucardo.pm; bucardo start would die with "Version mismatch".
type VersionError struct {
	Fork   string // version in the fork's script
	Host   string // version of the host's Bucardo.pm
	Module string // real path of that Bucardo.pm
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("the fork is Bucardo %s but %q is %s (bucardo would die with \"Version mismatch\")", e.Fork, e.Module, e.Host)
}

// IncompleteError is returned when an install or uninstall failed after it
// began changing the host. The receipt records where it stopped; running
// install or uninstall again finishes the job.
type IncompleteError struct {
	Op  string // "install" or "uninstall"
	Err error
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("%s interrupted: %v", e.Op, e.Err)
}

func (e *IncompleteError) Unwrap() error { return e.Err }

// ErrNoPristine is returned by Uninstall with Pristine when a target held
// nothing before install and the pristine original to put there is missing
// from the backups or changed; without Pristine, Uninstall removes the fork.
var ErrNoPristine = errors.New("its pristine original is missing from the backups or changed")

// ErrNotRegular marks a target that is a symbolic link, a folder or another
// kind of file that bcfork will not replace, or a file on the host it reads
// (the installed script, Bucardo.pm) that is not a regular one.
var ErrNotRegular = beneath.ErrNotRegular

// NotRegularError is returned when a target is not a regular file. It
// matches ErrNotRegular.
type NotRegularError struct {
	Path string // real path
	Kind string // e.g. `a symbolic link to "/opt/bucardo"`, "a folder"
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%q is %s, not a regular file: bcfork replaces only regular files", e.Path, e.Kind)
}

// Is lets errors.Is(err, ErrNotRegular) match.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// ErrBadReceipt marks a receipt bcfork refuses to act on; *ReceiptError
// matches it.
var ErrBadReceipt = errors.New("receipt refused")

// ErrLink marks a symbolic link met below the root on the way to a
// target, the state folder or a file in it: bcfork follows none.
var ErrLink = beneath.ErrLink

// ErrUntrusted marks a receipt, or a state folder, that others than root
// (or the user running bcfork) may have written.
var ErrUntrusted = beneath.ErrUntrusted

// ReceiptError is returned for a receipt that is malformed, names paths
// install never writes, or may have been written by someone else
// (errors.Is(err, ErrUntrusted)). Nothing was touched.
type ReceiptError struct {
	Path string // real path of the receipt
	Err  error
}

func (e *ReceiptError) Error() string {
	return fmt.Sprintf("refusing the receipt %q: %v", e.Path, e.Err)
}

func (e *ReceiptError) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrBadReceipt) match.
func (e *ReceiptError) Is(target error) bool { return target == ErrBadReceipt }

func quoteAll(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = fmt.Sprintf("%q", p)
	}
	return strings.Join(q, ", ")
}
