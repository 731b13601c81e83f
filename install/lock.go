package install

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/bcfork/bcfork/internal/beneath"
)

// lock takes the exclusive lock in the state folder, creating the folder.
func lock(o Options) (unlock func(), err error) {
	l := o.layout()
	if err := o.FS.MkdirAll(l.real(l.state), 0o755); err != nil {
		return nil, statePath("creating the state folder", l.real(l.state), err)
	}
	return flock(l, syscall.LOCK_EX)
}

// busy reports whether another process holds the lock; it creates
// nothing. A lock file that install would refuse (a *LockError) is an
// error, as is any other failure to ask: not knowing is not "not busy".
func busy(o Options) (bool, error) {
	unlock, err := flock(o.layout(), syscall.LOCK_SH)
	switch {
	case errors.Is(err, ErrLocked):
		return true, nil
	case err != nil:
		return false, err
	}
	unlock()
	return false, nil
}

// flock locks the lock file of l, a regular file below the root.
func flock(l layout, how int) (func(), error) {
	path := l.real(l.lock())
	flag := os.O_RDONLY
	if how == syscall.LOCK_EX {
		flag = os.O_RDWR | os.O_CREATE
	}
	f, err := l.fs.Open(path, flag, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return func() {}, nil
		}
		if errors.Is(err, ErrLink) && !beneath.Itself(path, err) {
			return nil, statePath("opening the lock", path, err)
		}
		return nil, &LockError{Path: path, Err: withoutPath(path, err)}
	}
	if _, err := beneath.Regular(f); err != nil {
		f.Close()
		return nil, &LockError{Path: path, Err: withoutPath(path, err)}
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (lock %q is held)", ErrLocked, path)
		}
		return nil, fmt.Errorf("locking %q: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// Lock takes the lock that keeps install, uninstall and changes to
// instances apart: the lock file in the state folder stateDir (host path)
// under root, creating the folder. It fails at once with ErrLocked while
// another bcfork holds it.
func Lock(root, stateDir string) (unlock func(), err error) {
	o, err := Options{Root: root, StateDir: stateDir}.withDefaults()
	if err != nil {
		return nil, err
	}
	return lock(o)
}
