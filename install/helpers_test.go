package install

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bcfork/bcfork/install/installtest"
	"github.com/stretchr/testify/require"
)

// fixedNow makes receipts reproducible.
func fixedNow() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }

// writeFork writes a synthetic fork of version into a temporary folder.
func writeFork(t testing.TB, version string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bcfork-"+version)
	require.NoError(t, installtest.Write(dir, version))
	return dir
}

// put writes a file under root with mode.
func put(t testing.TB, root, path, content string, mode fs.FileMode) {
	t.Helper()
	p := filepath.Join(root, path)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), mode))
	require.NoError(t, os.Chmod(p, mode))
}

// snapshot describes every file and folder under root: sha256, mode and owner.
func snapshot(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[rel+"/"] = "dir"
			return nil
		}
		if info.Mode().Type() == fs.ModeSymlink {
			to, err := os.Readlink(p)
			out[rel] = "-> " + to
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f := describe(data, info)
		out[rel] = f.SHA256[:16] + " " + f.Mode + " " + strconv.Itoa(f.UID) + ":" + strconv.Itoa(f.GID)
		return nil
	})
	require.NoError(t, err)
	return out
}

// sumOf returns the sha256 of the file at root+path, or "absent".
func sumOf(t testing.TB, root, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, path))
	if errors.Is(err, fs.ErrNotExist) {
		return "absent"
	}
	require.NoError(t, err)
	return sha(data)
}

// fakeDpkg keeps package owners and diversions in a JSON file, so a helper
// process sees the same state. Mutations are steps of an optional FS seam,
// so faults can be injected into them too.
type fakeDpkg struct {
	mu    sync.Mutex
	file  string
	steps interface{ step(op, name string) error }
}

type dpkgState struct {
	Owners     map[string]string    `json:"owners"`
	Diversions map[string]Diversion `json:"diversions"`
}

func newFakeDpkg(t testing.TB, owners map[string]string) *fakeDpkg {
	t.Helper()
	d := &fakeDpkg{file: filepath.Join(scratch(t), "dpkg.json")}
	require.NoError(t, d.save(dpkgState{Owners: owners, Diversions: map[string]Diversion{}}))
	return d
}

func (d *fakeDpkg) load() (dpkgState, error) {
	var s dpkgState
	data, err := os.ReadFile(d.file)
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(data, &s)
}

func (d *fakeDpkg) save(s dpkgState) error {
	data, _ := json.Marshal(s)
	if err := os.WriteFile(d.file+".tmp", data, 0o644); err != nil {
		return err
	}
	return os.Rename(d.file+".tmp", d.file)
}

func (d *fakeDpkg) Owner(_ context.Context, path string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.load()
	return s.Owners[path], err
}

func (d *fakeDpkg) Diversion(_ context.Context, path string) (Diversion, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.load()
	return s.Diversions[path], err
}

func (d *fakeDpkg) AddDiversion(_ context.Context, path, to string) error {
	return d.change("dpkg-divert --add", path, func(s *dpkgState) error {
		if old, ok := s.Diversions[path]; ok && old.To != to {
			return errors.New("fake dpkg-divert: clashing diversion")
		}
		s.Diversions[path] = Diversion{To: to, By: Local}
		return nil
	})
}

func (d *fakeDpkg) RemoveDiversion(_ context.Context, path, to string) error {
	return d.change("dpkg-divert --remove", path, func(s *dpkgState) error {
		if s.Diversions[path].To != to {
			return errors.New("fake dpkg-divert: no such diversion")
		}
		delete(s.Diversions, path)
		return nil
	})
}

func (d *fakeDpkg) change(op, path string, f func(*dpkgState) error) error {
	if d.steps != nil {
		if err := d.steps.step(op, path); err != nil {
			return err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	s, err := d.load()
	if err != nil {
		return err
	}
	if err := f(&s); err != nil {
		return err
	}
	return d.save(s)
}

func (d *fakeDpkg) diversions(t testing.TB) map[string]Diversion {
	t.Helper()
	s, err := d.load()
	require.NoError(t, err)
	return s.Diversions
}

// faultFS fails the failAt-th change (1-based). With crash it fails every
// change from then on, as if the process had died; a failing WriteFile
// leaves half the data behind, like a torn write.
type faultFS struct {
	inner  FS
	failAt int
	crash  bool
	n      int
	log    []string
}

var errInjected = syscall.EIO

func (f *faultFS) step(op, name string) error {
	f.n++
	f.log = append(f.log, op+" "+name)
	if f.failAt > 0 && (f.n == f.failAt || (f.crash && f.n > f.failAt)) {
		return &fs.PathError{Op: op, Path: name, Err: errInjected}
	}
	return nil
}

func (f *faultFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if err := f.step("write", name); err != nil {
		if f.n == f.failAt {
			_ = f.inner.WriteFile(name, data[:len(data)/2], perm)
		}
		return err
	}
	return f.inner.WriteFile(name, data, perm)
}

func (f *faultFS) Sync(name string) error {
	if err := f.step("fsync", name); err != nil {
		return err
	}
	return f.inner.Sync(name)
}

func (f *faultFS) Rename(o, n string) error {
	if err := f.step("rename", o+" -> "+n); err != nil {
		return err
	}
	return f.inner.Rename(o, n)
}

func (f *faultFS) Link(o, n string) error {
	if err := f.step("link", o+" -> "+n); err != nil {
		return err
	}
	return f.inner.Link(o, n)
}

func (f *faultFS) Remove(name string) error {
	if err := f.step("remove", name); err != nil {
		return err
	}
	return f.inner.Remove(name)
}

func (f *faultFS) Chmod(name string, mode fs.FileMode) error {
	if err := f.step("chmod", name); err != nil {
		return err
	}
	return f.inner.Chmod(name, mode)
}

func (f *faultFS) Chown(name string, uid, gid int) error {
	if err := f.step("chown", name); err != nil {
		return err
	}
	return f.inner.Chown(name, uid, gid)
}

func (f *faultFS) MkdirAll(name string, perm fs.FileMode) error {
	if err := f.step("mkdir", name); err != nil {
		return err
	}
	return f.inner.MkdirAll(name, perm)
}

// noSync is the real filesystem without fsync, to keep the many fault runs fast.
type noSync struct{ OS }

func (noSync) Sync(string) error { return nil }

func wantExists(t testing.TB, path string, want bool) {
	t.Helper()
	_, err := os.Lstat(path)
	if got := err == nil; got != want {
		t.Errorf("%q exists: %v, want %v", path, got, want)
	}
}

// withoutState drops the state folder's lock and folders, which stay after
// an uninstall, and the copies of changed files that --force replaced.
func withoutState(s map[string]string) map[string]string {
	for _, k := range []string{"var/", "var/lib/", "var/lib/bcfork/", "var/lib/bcfork/lock"} {
		delete(s, k)
	}
	for k := range s {
		if strings.Contains(k, ".replaced-") {
			delete(s, k)
		}
	}
	for k := range s {
		if strings.HasPrefix(k, "var/lib/bcfork/") && strings.HasSuffix(k, "/") && !hasUnder(s, k) {
			delete(s, k)
		}
	}
	return s
}

// hasUnder reports whether a file lies under folder dir in snapshot s.
func hasUnder(s map[string]string, dir string) bool {
	for k := range s {
		if strings.HasPrefix(k, dir) && !strings.HasSuffix(k, "/") {
			return true
		}
	}
	return false
}

// scratch returns a new folder on tmpfs when there is one: the fault tests
// run thousands of installs, and metadata changes on a disk cost
// milliseconds each.
func scratch(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "bcfork-test-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
