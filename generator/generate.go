package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Script and Schema are the names of the two upstream files bcfork forks.
const (
	Script = "bucardo"
	Schema = "bucardo.schema"
)

// Names lists the forked files in a fixed order.
var Names = []string{Script, Schema}

// modes are the permissions the files get in a fork folder.
var modes = map[string]fs.FileMode{Script: 0o755, Schema: 0o644}

// Options says what to generate.
type Options struct {
	Bcfork  string            // version of bcfork, recorded in the manifest
	Flavor  string            // series flavor, e.g. "upstream"
	Version string            // upstream version or ref
	Source  Source            // where Files came from
	Files   map[string][]byte // pristine inputs, verified by the caller
	Series  *Series
	Fuzz    int // allowed fuzz per hunk; 0 refuses fuzzy placement
}

// Fork is a generated fork held in memory, ready to be written.
type Fork struct {
	Manifest Manifest
	Pristine map[string][]byte
	Files    map[string][]byte
}

// Generate applies opt.Series to opt.Files, all or nothing.
func Generate(opt Options) (*Fork, error) {
	if opt.Series == nil {
		return nil, errors.New("generating fork: no series")
	}
	for _, n := range Names {
		if _, ok := opt.Files[n]; !ok {
			return nil, fmt.Errorf("generating fork: pristine %q missing", n)
		}
	}
	out, results, err := Apply(opt.Files, opt.Series, ApplyOptions{Fuzz: opt.Fuzz, Allowed: Names})
	if err != nil {
		return nil, err
	}
	f := &Fork{Pristine: opt.Files, Files: out}
	f.Manifest = Manifest{
		Format:  ManifestFormat,
		Bcfork:  opt.Bcfork,
		Flavor:  opt.Flavor,
		Version: opt.Version,
		Source:  opt.Source,
		Series:  opt.Series.Hash(),
		Inputs:  sums(opt.Files, func(string) fs.FileMode { return 0o644 }),
		Outputs: sums(out, func(n string) fs.FileMode { return modes[n] }),
		Patches: results,
	}
	return f, nil
}

// sums lists each file's size, mode (as written to the fork folder) and sha256.
func sums(files map[string][]byte, mode func(string) fs.FileMode) []FileSum {
	var out []FileSum
	for _, n := range Names {
		b := files[n]
		out = append(out, FileSum{Name: n, Size: int64(len(b)), Mode: fmt.Sprintf("%04o", mode(n)), SHA256: SHA256(b)})
	}
	return out
}

// Diff returns the fork's unified diff against the pristine files.
func (f *Fork) Diff() []byte {
	var buf bytes.Buffer
	for _, n := range Names {
		buf.Write(Diff(n, f.Pristine[n], f.Files[n]))
	}
	return buf.Bytes()
}

// ErrExists is returned by Write when the folder exists and force is false.
var ErrExists = errors.New("output folder exists")

// Write writes the fork folder dir atomically: the files are written to a
// temporary sibling folder which is renamed into place, so dir is either
// absent, the old folder, or the complete new one. An existing dir is only
// replaced when force is set, and only if it is a folder.
func (f *Fork) Write(dir string, force bool) error {
	return writeDir(dir, force, f.writeFiles)
}

// writeDir builds a folder with fill in a temporary sibling of dir and puts
// it in dir's place; on failure nothing is left behind.
func writeDir(dir string, force bool, fill func(tmp string) error) (err error) {
	dir = filepath.Clean(dir)
	if err := checkTarget(dir, force); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	made, err := mkdirs(parent)
	if err != nil {
		return fmt.Errorf("writing %q: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		removeDirs(made)
		return fmt.Errorf("writing %q: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
			removeDirs(made)
		}
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	return replaceDir(tmp, dir)
}

func (f *Fork) writeFiles(dir string) error {
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("writing fork: %w", err)
	}
	for _, n := range Names {
		if err := writeFile(filepath.Join(dir, n), f.Files[n], modes[n]); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, n+OrigSuffix), f.Pristine[n], 0o644); err != nil {
			return err
		}
	}
	m, err := f.ManifestJSON()
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, ManifestName), m, 0o644); err != nil {
		return err
	}
	return syncDir(dir)
}

// ManifestJSON returns the manifest as written to manifest.json.
func (f *Fork) ManifestJSON() ([]byte, error) {
	m, err := json.MarshalIndent(f.Manifest, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return append(m, '\n'), nil
}

func writeFile(name string, data []byte, mode fs.FileMode) error {
	fh, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("writing fork: %w", err)
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return fmt.Errorf("writing %q: %w", name, err)
	}
	if err := fh.Chmod(mode); err != nil { // umask must not change the mode
		fh.Close()
		return fmt.Errorf("writing %q: %w", name, err)
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return fmt.Errorf("writing %q: %w", name, err)
	}
	return fh.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing %q: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %q: %w", dir, err)
	}
	return nil
}

// mkdirs creates dir and its missing parents, and returns those it created,
// deepest first.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return missing, nil
}

// removeDirs removes the folders mkdirs created, if still empty.
func removeDirs(dirs []string) {
	for _, d := range dirs {
		os.Remove(d)
	}
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
		return fmt.Errorf("writing %q: %w (use --force to replace it)", dir, ErrExists)
	case !fi.IsDir():
		return fmt.Errorf("writing %q: exists and is not a folder; not replacing it", dir)
	}
	return nil
}

// replaceDir puts tmp in dir's place. An existing dir is swapped with tmp in
// one atomic rename (RENAME_EXCHANGE), so dir is at every moment either the
// old folder or the new one, then the old one is removed.
func replaceDir(tmp, dir string) error {
	if _, err := os.Lstat(dir); err != nil {
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("writing %q: %w", dir, err)
		}
		return syncDir(filepath.Dir(dir))
	}
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE); err != nil {
		return fmt.Errorf("replacing %q: %w", dir, err)
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return err
	}
	return os.RemoveAll(tmp) // now the old folder
}

// Stat is one file's line of a diffstat.
type Stat struct {
	Name           string
	Added, Removed int
}

// Diffstat counts added and removed lines per file between pristine and fork.
func (f *Fork) Diffstat() []Stat {
	var out []Stat
	for _, n := range Names {
		a, r := LineChanges(f.Pristine[n], f.Files[n])
		out = append(out, Stat{Name: n, Added: a, Removed: r})
	}
	return out
}
