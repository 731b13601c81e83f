// Package atomicfile writes files and folders so that, even across a crash,
// a reader finds the old content or the new, never a part of it.
//
// Every function takes plain paths. Data is flushed to disk before it is
// renamed into place, and the folder holding the new name is flushed after
// the rename. Errors name the path and the operation that failed.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Write replaces name with data and mode: a temporary file in the same
// folder is written, given mode (umask does not change it), synced and
// renamed over name, then the folder is synced.
func Write(name string, data []byte, mode fs.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if err := fill(f, data, mode); err != nil {
		return fmt.Errorf("writing %q: %w", name, err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return err
	}
	return Sync(filepath.Dir(name))
}

// WriteNew writes the new file name, which must not exist, with data and
// mode (umask does not change it), and does not sync it. It is meant for
// the files of a folder that is not in place yet: WriteDir syncs them all
// at once before it puts the folder in place.
func WriteNew(name string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	err = write(f, data, mode)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %q: %w", name, err)
	}
	return nil
}

// fill writes data to f, sets its mode, syncs and closes it.
func fill(f *os.File, data []byte, mode fs.FileMode) error {
	if err := write(f, data, mode); err != nil {
		f.Close()
		return err
	}
	return syncClose(f)
}

// write writes data to f and sets its mode.
func write(f *os.File, data []byte, mode fs.FileMode) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Chmod(mode)
}

// syncClose syncs and closes f.
func syncClose(f *os.File) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Sync flushes name, a file or a folder, to disk. For a folder, that makes
// the creations, renames and removals in it durable. The error is an
// *fs.PathError.
func Sync(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	return syncClose(f)
}

// MkdirAll creates dir and its missing parents, each with mode perm
// exactly (the umask does not change it; folders that exist keep theirs),
// and returns the folders it created, deepest first, for RemoveDirs. Links
// in dir are followed.
func MkdirAll(dir string, perm fs.FileMode) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, perm); err != nil {
		return nil, err
	}
	for _, d := range missing {
		if err := os.Chmod(d, perm); err != nil {
			RemoveDirs(missing)
			return nil, err
		}
	}
	return missing, nil
}

// RemoveDirs removes the folders MkdirAll created, each only if it is
// still empty.
func RemoveDirs(dirs []string) {
	for _, d := range dirs {
		os.Remove(d)
	}
}

// ErrExists is returned by WriteDir when dir exists and force is false.
var ErrExists = errors.New("output folder exists")

// WriteDir writes the folder dir whole: fill writes the content into a
// fresh temporary sibling folder (mode 0755); every file and folder in it
// is then synced, 32 at once (SyncTree), and the folder is put in dir's
// place by ReplaceDir. An existing dir is replaced only when force
// is set, and only if it is a folder. Missing parents of dir are created.
// On failure the temporary folder and the parents made are removed again,
// and dir is as it was. fill's error is returned as it is.
func WriteDir(dir string, force bool, fill func(tmp string) error) error {
	return writeDir(dir, force, fill, SyncTree)
}

// writeDir is WriteDir with the sync of the filled folder tmp in sync.
func writeDir(dir string, force bool, fill, sync func(tmp string) error) error {
	dir = filepath.Clean(dir)
	if err := checkTarget(dir, force); err != nil {
		return err
	}
	made, err := MkdirAll(filepath.Dir(dir), 0o755)
	if err != nil {
		return fmt.Errorf("writing %q: %w", dir, err)
	}
	if err := build(dir, fill, sync); err != nil {
		RemoveDirs(made)
		return err
	}
	return nil
}

// checkTarget refuses to replace an existing dir without force, and never
// replaces anything but a folder.
func checkTarget(dir string, force bool) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("writing %q: %w", dir, err)
	case !force:
		return fmt.Errorf("writing %q: %w", dir, ErrExists)
	case !fi.IsDir():
		return fmt.Errorf("writing %q: exists and is not a folder; not replacing it", dir)
	}
	return nil
}

// build is writeDir once dir's parent exists.
func build(dir string, fill, sync func(tmp string) error) (err error) {
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("writing %q: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("writing %q: %w", dir, err)
	}
	if err := fill(tmp); err != nil {
		return err
	}
	if err := sync(tmp); err != nil {
		return fmt.Errorf("writing %q: %w", dir, err)
	}
	return ReplaceDir(tmp, dir)
}

// SyncTree flushes every file and folder in the tree dir (dir included) to
// disk, issuing up to 32 syncs at once (maxOpen) so that the filesystem
// can commit them together, and returns once all are done; the error
// joins those of every sync that failed. That is what a folder needs
// before it is renamed into place: the rename must not reach the disk
// before the data and names it makes visible. The order among those
// syncs does not matter, since nothing is visible at the final name
// before the rename.
func SyncTree(dir string) error {
	names, err := treeNames(dir)
	if err != nil {
		return err
	}
	todo := make(chan string)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range min(maxOpen, len(names)) {
		wg.Go(func() {
			for n := range todo {
				if err := syncName(n); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, n := range names {
		todo <- n
	}
	close(todo)
	wg.Wait()
	return errors.Join(errs...)
}

// treeNames lists the folders and regular files in the tree dir, dir
// first.
func treeNames(dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && (d.IsDir() || d.Type().IsRegular()) {
			names = append(names, p)
		}
		return err
	})
	return names, err
}

// syncName is Sync through syncFile.
func syncName(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	return syncFile(f)
}

// WriteFolder writes the folder dir whole, as WriteDir does, with the
// files that fill creates in it (Folder.Create): each is flushed to disk
// as soon as it is written, from the descriptor that wrote it, while fill
// goes on; the folder itself once fill is done. Only when all of those are
// done is the folder put in dir's place. At most maxOpen files are open
// at once. fill's error is returned as it is.
func WriteFolder(dir string, force bool, fill func(*Folder) error) error {
	return writeDir(dir, force, func(tmp string) error {
		d := &Folder{path: tmp, open: make(chan struct{}, maxOpen)}
		err := fill(d)
		if werr := d.wait(err == nil); err == nil && werr != nil {
			return fmt.Errorf("writing %q: %w", dir, werr)
		}
		return err
	}, func(string) error { return nil })
}

// maxOpen bounds the files of a Folder open at once, each written and
// waiting for its sync (the folder's own sync counts too): Create waits
// for one of them to be done. It bounds SyncTree's syncs at once, and its
// goroutines, too. A series of thousands of patches would otherwise hold
// a descriptor and a goroutine for each until the disk caught up, and
// could run out of descriptors (EMFILE). A fork folder's five files never
// wait.
const maxOpen = 32

// Folder is the fresh folder that WriteFolder fills.
type Folder struct {
	path string
	open chan struct{} // a token for each file open, at most maxOpen
	wg   sync.WaitGroup
	mu   sync.Mutex
	err  error // of the syncs
}

// Create writes the new file name (a name in the folder, not a path) with
// data and mode (umask does not change it), and starts flushing it to
// disk; WriteFolder waits for that before it puts the folder in place.
// When maxOpen files are being synced, Create first waits for one.
func (d *Folder) Create(name string, data []byte, mode fs.FileMode) error {
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, filepath.Separator) {
		return fmt.Errorf("writing %q in %q: not a file name", name, d.path)
	}
	p := filepath.Join(d.path, name)
	d.open <- struct{}{}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		<-d.open
		return err
	}
	if err := write(f, data, mode); err != nil {
		f.Close()
		<-d.open
		return fmt.Errorf("writing %q: %w", p, err)
	}
	d.syncClose(f)
	return nil
}

// syncFile syncs and closes a file or folder that a Folder or SyncTree
// opened; tests slow it down.
var syncFile = syncClose

// syncClose syncs and closes f in the background, and gives back its
// token.
func (d *Folder) syncClose(f *os.File) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		err := syncFile(f)
		<-d.open
		if err != nil {
			d.fail(err)
		}
	}()
}

// fail records the error of a sync.
func (d *Folder) fail(err error) {
	d.mu.Lock()
	d.err = errors.Join(d.err, err)
	d.mu.Unlock()
}

// wait syncs the folder itself when self is set, and returns once every
// sync started is done.
func (d *Folder) wait(self bool) error {
	if self {
		d.open <- struct{}{}
		if f, err := os.Open(d.path); err != nil {
			<-d.open
			d.fail(err)
		} else {
			d.syncClose(f)
		}
	}
	d.wg.Wait()
	return d.err
}

// ReplaceDir puts the folder tmp in dir's place, syncs their parent folder
// and removes the old dir. When dir does not exist, tmp is renamed to it;
// should another process create dir meanwhile, the error matches
// fs.ErrExist and tmp is left as it is. An existing dir is swapped with tmp
// in one atomic exchange where the system has one (Linux), so dir is at
// every moment the old folder or the new one. Elsewhere the old dir is
// renamed aside first: a crash between the two renames leaves no dir, the
// new folder at tmp and the old one at tmp+".old".
func ReplaceDir(tmp, dir string) error {
	old, err := swap(tmp, dir)
	if err != nil {
		return fmt.Errorf("replacing %q: %w", dir, err)
	}
	if err := Sync(filepath.Dir(dir)); err != nil {
		return fmt.Errorf("replacing %q: %w", dir, err)
	}
	if old == "" {
		return nil
	}
	if err := removeAll(old); err != nil {
		return fmt.Errorf("removing the old %q: %w", dir, err)
	}
	return nil
}

// removeBatch is how many entries removeAll reads of a folder at a time
// (and so how many unlinks run at once): a folder of millions of files
// costs no more memory than this many.
var removeBatch = 1024

// readDir reads up to n entries of the folder f; tests wrap it to see the
// batches.
var readDir = (*os.File).ReadDir

// removeAll is os.RemoveAll that unlinks the files at the top of the
// folder dir concurrently: freeing a file's blocks takes a while on some
// filesystems (half a millisecond a file on ext4 here), and unlinks of
// several files overlap. The folder is read removeBatch entries at a
// time; what is left (subfolders, files a read skipped, dir itself) goes
// to os.RemoveAll. dir is opened without following a link.
func removeAll(dir string) error {
	f, err := os.OpenFile(dir, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return os.RemoveAll(dir)
	}
	defer f.Close()
	var wg sync.WaitGroup
	fd := int(f.Fd())
	for {
		entries, err := readDir(f, removeBatch)
		for _, e := range entries {
			if !e.IsDir() {
				wg.Go(func() { unix.Unlinkat(fd, e.Name(), 0) }) // what fails is left to os.RemoveAll
			}
		}
		wg.Wait()
		if err != nil { // io.EOF, or what os.RemoveAll will meet again
			break
		}
	}
	return os.RemoveAll(dir)
}

// swap puts tmp in dir's place and returns where the old dir is now ("" if
// there was none).
func swap(tmp, dir string) (old string, err error) {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", os.Rename(tmp, dir)
	}
	err = exchange(tmp, dir)
	if !errors.Is(err, errors.ErrUnsupported) {
		return tmp, err
	}
	return renameAside(tmp, dir)
}

// renameAside is swap without an atomic exchange: dir is renamed to
// tmp+".old", then tmp to dir. If the second rename fails, the old dir is
// put back.
func renameAside(tmp, dir string) (old string, err error) {
	old = tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", errors.Join(err, os.Rename(old, dir))
	}
	return old, nil
}
