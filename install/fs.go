package install

import (
	"io/fs"
	"os"

	"github.com/bcfork/bcfork/internal/atomicfile"
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

// WriteFile is os.WriteFile: it creates or truncates name and writes data,
// without syncing (install syncs with Sync once owner and mode are set).
func (OS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	return os.WriteFile(name, data, perm)
}

// Sync is atomicfile.Sync: it flushes name, a file or a folder, to disk.
func (OS) Sync(name string) error { return atomicfile.Sync(name) }

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
