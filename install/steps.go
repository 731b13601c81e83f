package install

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/beneath"
)

// A step is one change to the host. Plans are lists of steps, built from
// what the host holds, so a dry run can show them and a real run does them
// in order.
type step struct {
	what string // shown to the user; "" for bookkeeping
	do   func() error
}

// steps builds steps on a filesystem.
type steps struct {
	fs   FS
	root beneath.Root // to look at what is there: no link below it is followed
	list []step
}

// newSteps returns the steps of an install or uninstall with o.
func newSteps(o Options) steps { return steps{fs: o.FS, root: o.layout().fs} }

func (s *steps) add(what string, do func() error) { s.list = append(s.list, step{what: what, do: do}) }

// mkdir creates the folder dir and any parents.
func (s *steps) mkdir(dir string) {
	s.add(fmt.Sprintf("create folder %q", dir), func() error {
		return wrap("creating folder", dir, s.fs.MkdirAll(dir, 0o755))
	})
}

// write replaces path atomically with data: a temporary file beside it,
// owner, mode, fsync, rename, fsync of the folder. That is atomicfile.Write
// plus the owner, done one FS call at a time (so tests can break each) and
// through tmp(path), a fixed name that recovery after a crash finds.
func (s *steps) write(what, path string, data []byte, f File) {
	s.add(what, func() error {
		if err := s.stage(path, data, f); err != nil {
			return err
		}
		return s.commit(path)
	})
}

// stage writes data to path's temporary file, with f's owner and mode, and fsyncs it.
func (s *steps) stage(path string, data []byte, f File) error {
	t := tmp(path)
	mode, err := parseMode(f.Mode)
	if err != nil {
		return err
	}
	if err := s.fs.WriteFile(t, data, mode.Perm()); err != nil {
		return wrap("writing", t, err)
	}
	if err := s.chown(t, f.UID, f.GID); err != nil {
		return err
	}
	if err := s.fs.Chmod(t, mode); err != nil { // after chown, which clears setuid
		return wrap("setting mode of", t, err)
	}
	return wrap("syncing", t, s.fs.Sync(t))
}

// chown gives path the owner uid:gid unless it has it already.
func (s *steps) chown(path string, uid, gid int) error {
	info, err := s.root.Lstat(path)
	if err != nil {
		return wrap("reading", path, err)
	}
	if u, g, ok := beneath.Owner(info); ok && u == uid && g == gid {
		return nil
	}
	return wrap("setting owner of", path, s.fs.Chown(path, uid, gid))
}

// commit renames path's staged temporary file over it and fsyncs the folder.
func (s *steps) commit(path string) error {
	if err := s.fs.Rename(tmp(path), path); err != nil {
		return wrap("replacing", path, err)
	}
	return s.syncDir(path)
}

func (s *steps) syncDir(path string) error {
	dir := filepath.Dir(path)
	return wrap("syncing folder", dir, s.fs.Sync(dir))
}

// remove deletes path and fsyncs its folder.
func (s *steps) remove(what, path string) {
	s.add(what, func() error { return s.removeFile(path) })
}

func (s *steps) removeFile(path string) error {
	if err := s.fs.Remove(path); err != nil {
		return wrap("removing", path, err)
	}
	return s.syncDir(path)
}

// removeIfEmpty deletes the folder dir if it is empty when the step runs.
func (s *steps) removeIfEmpty(what, dir string) {
	s.add(what, func() error {
		if entries, err := s.root.ReadDir(dir); err != nil || len(entries) > 0 {
			return nil
		}
		return wrap("removing folder", dir, s.fs.Remove(dir))
	})
}

// run does the steps in order and returns the descriptions of those done.
// done is how many steps ran to completion.
func (s *steps) run() (actions []string, done int, err error) {
	for i, st := range s.list {
		if err := st.do(); err != nil {
			return actions, i, err
		}
		if st.what != "" {
			actions = append(actions, st.what)
		}
	}
	return actions, len(s.list), nil
}

// planned returns the descriptions of all steps.
func (s *steps) planned() []string {
	var out []string
	for _, st := range s.list {
		if st.what != "" {
			out = append(out, st.what)
		}
	}
	return out
}

// wrap says what failed on path, naming it once; nil stays nil.
func wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %q: %w", op, path, withoutPath(path, err))
}

// withoutPath is err said without path, for a message that names it.
func withoutPath(path string, err error) error {
	if pe, ok := err.(*fs.PathError); ok && pe.Path == path {
		err = pe.Err
	} else if le, ok := err.(*os.LinkError); ok {
		err = le.Err
	}
	return beneath.TrimPath(path, err)
}

// removeQuiet deletes path, if it still exists when the step runs.
func (s *steps) removeQuiet(path string) {
	s.add("", func() error {
		if _, err := s.root.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return wrap("removing", path, s.fs.Remove(path))
	})
}
