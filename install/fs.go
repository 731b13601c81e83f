package install

import (
	"io/fs"
	"os"
)

// FS is every call that changes the filesystem during an install or an
// uninstall. Tests replace it to inject a failure at any step.
type FS interface {
	WriteFile(name string, data []byte, perm fs.FileMode) error // create or truncate
	Sync(name string) error                                     // fsync a file or a folder
	Rename(oldname, newname string) error
	Link(oldname, newname string) error
	Remove(name string) error
	Chmod(name string, mode fs.FileMode) error
	Chown(name string, uid, gid int) error
	MkdirAll(name string, perm fs.FileMode) error
}

// OS is the real filesystem.
type OS struct{}

// WriteFile creates or truncates name and writes data to it.
func (OS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Sync flushes name, a file or a folder, to stable storage.
func (OS) Sync(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Rename is os.Rename.
func (OS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }

// Link is os.Link.
func (OS) Link(oldname, newname string) error { return os.Link(oldname, newname) }

// Remove is os.Remove.
func (OS) Remove(name string) error { return os.Remove(name) }

// Chmod is os.Chmod.
func (OS) Chmod(name string, mode fs.FileMode) error { return os.Chmod(name, mode) }

// Chown is os.Lchown.
func (OS) Chown(name string, uid, gid int) error { return os.Lchown(name, uid, gid) }

// MkdirAll is os.MkdirAll.
func (OS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
