package install

import (
	"io/fs"

	"github.com/bcfork/bcfork/internal/beneath"
)

// FS is every call that changes the filesystem during an install or an
// uninstall. Tests replace it to inject a failure at any step.
type FS interface {
	WriteFile(name string, data []byte, perm fs.FileMode) error // a new file in name's place
	Sync(name string) error                                     // fsync a file or a folder
	Rename(oldname, newname string) error
	Link(oldname, newname string) error
	Remove(name string) error
	Chmod(name string, mode fs.FileMode) error
	Chown(name string, uid, gid int) error
	MkdirAll(name string, perm fs.FileMode) error
}

// OS is the real filesystem below Root ("" is "/"): names must lie below
// it and are resolved without following any symbolic link below it (see
// internal/beneath), so nothing outside Root is ever changed.
type OS struct {
	Root string
}

func (o OS) fs() beneath.Root { return beneath.New(o.Root) }

// WriteFile removes name and writes data to a new file there, without
// syncing (install syncs with Sync once owner and mode are set): a link or
// a hard link left at name is replaced, never written through.
func (o OS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	return o.fs().WriteFile(name, data, perm)
}

// Sync flushes name, a file or a folder, to disk.
func (o OS) Sync(name string) error { return o.fs().Sync(name) }

// Rename renames oldname to newname.
func (o OS) Rename(oldname, newname string) error { return o.fs().Rename(oldname, newname) }

// Link makes newname a hard link to oldname.
func (o OS) Link(oldname, newname string) error { return o.fs().Link(oldname, newname) }

// Remove removes a file or an empty folder.
func (o OS) Remove(name string) error { return o.fs().Remove(name) }

// Chmod sets the mode of name, which must not be a link.
func (o OS) Chmod(name string, mode fs.FileMode) error { return o.fs().Chmod(name, mode) }

// Chown sets the owner of name itself (lchown).
func (o OS) Chown(name string, uid, gid int) error { return o.fs().Chown(name, uid, gid) }

// MkdirAll creates the folder name and its missing parents.
func (o OS) MkdirAll(name string, perm fs.FileMode) error { return o.fs().MkdirAll(name, perm) }
