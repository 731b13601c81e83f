package beneath

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// world is a root folder with a folder, a file, and beside the root an
// outside folder with a victim file, plus links from the root to it.
type world struct {
	root, outside string
	r             Root
}

func newWorld(t *testing.T) world {
	t.Helper()
	top := t.TempDir()
	w := world{root: filepath.Join(top, "root"), outside: filepath.Join(top, "outside")}
	for _, d := range []string{w.root + "/usr/bin", w.root + "/inside", w.outside} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	require.NoError(t, os.WriteFile(w.root+"/usr/bin/bucardo", []byte("script\n"), 0o755))
	require.NoError(t, os.WriteFile(w.outside+"/victim", []byte("victim\n"), 0o600))
	require.NoError(t, os.Symlink(w.outside, w.root+"/abs"))         // absolute, out of the root
	require.NoError(t, os.Symlink("../outside", w.root+"/rel"))      // relative, out of the root
	require.NoError(t, os.Symlink("usr/bin", w.root+"/bin"))         // relative, staying inside
	require.NoError(t, os.Symlink(w.outside+"/victim", w.root+"/v")) // a file link
	w.r = New(w.root)
	return w
}

// eachWalk runs f with openat2 (where there is one) and with the walk
// one folder at a time.
func eachWalk(t *testing.T, f func(t *testing.T)) {
	t.Run("fast", f)
	t.Run("walk", func(t *testing.T) {
		saved := noOpenat2.Load()
		noOpenat2.Store(true)
		t.Cleanup(func() { noOpenat2.Store(saved) })
		f(t)
	})
}

func TestLinksBelowTheRootAreRefused(t *testing.T) {
	eachWalk(t, func(t *testing.T) {
		w := newWorld(t)
		for _, dir := range []string{"abs", "rel", "bin"} {
			name := filepath.Join(w.root, dir, "victim")
			if dir == "bin" {
				name = filepath.Join(w.root, dir, "bucardo")
			}
			_, _, err := w.r.ReadFile(name, 1<<20)
			wantLink(t, err, filepath.Join(w.root, dir))
			_, err = w.r.Lstat(name)
			wantLink(t, err, filepath.Join(w.root, dir))
			wantLink(t, w.r.WriteFile(filepath.Join(w.root, dir, "new"), []byte("x"), 0o644), filepath.Join(w.root, dir))
			wantLink(t, w.r.MkdirAll(filepath.Join(w.root, dir, "sub"), 0o755), filepath.Join(w.root, dir))
			wantLink(t, w.r.Mkdir(filepath.Join(w.root, dir, "sub"), 0o755), filepath.Join(w.root, dir))
			wantLink(t, w.r.RemoveAll(filepath.Join(w.root, dir, "victim")), filepath.Join(w.root, dir))
			wantLink(t, w.r.Rename(w.root+"/usr/bin/bucardo", filepath.Join(w.root, dir, "moved")), filepath.Join(w.root, dir))
		}
		_, _, err := w.r.ReadFile(w.root+"/v", 1<<20)
		wantLink(t, err, w.root+"/v")
		wantLink(t, w.r.Chmod(w.root+"/v", 0o777), w.root+"/v")
		untouched(t, w)
	})
}

func TestDotDotAndOtherPathsAreOutside(t *testing.T) {
	w := newWorld(t)
	for _, name := range []string{w.root + "/../outside/victim", w.outside + "/victim", "/etc/passwd", "relative"} {
		if _, _, err := w.r.ReadFile(name, 1<<20); !errors.Is(err, ErrOutside) {
			t.Errorf("ReadFile(%q): %v, want ErrOutside", name, err)
		}
		if err := w.r.RemoveAll(name); !errors.Is(err, ErrOutside) {
			t.Errorf("RemoveAll(%q): %v, want ErrOutside", name, err)
		}
		if w.r.Contains(name) {
			t.Errorf("Contains(%q) = true", name)
		}
	}
	if !w.r.Contains(w.root+"/usr/../usr/bin") || !w.r.Contains(w.root) {
		t.Error("Contains refuses a name below the root")
	}
	untouched(t, w)
}

func TestLstatDescribesALinkWithoutFollowingIt(t *testing.T) {
	w := newWorld(t)
	fi, err := w.r.Lstat(w.root + "/v")
	require.NoError(t, err)
	if fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("mode %v, want a link", fi.Mode())
	}
	to, err := w.r.Readlink(w.root + "/v")
	require.NoError(t, err)
	if to != w.outside+"/victim" {
		t.Errorf("Readlink = %q", to)
	}
	fi, err = w.r.Lstat(w.root + "/usr/bin/bucardo")
	require.NoError(t, err)
	if fi.Mode() != 0o755 || fi.Size() != 7 || fi.Name() != "bucardo" {
		t.Errorf("Lstat = %v %d %q", fi.Mode(), fi.Size(), fi.Name())
	}
	os1, _ := os.Lstat(w.root + "/usr/bin/bucardo")
	if !SameFile(fi, os1) {
		t.Error("SameFile: an os FileInfo and a beneath one of the same file differ")
	}
	if uid, _, ok := Owner(fi); !ok || uid != os.Geteuid() {
		t.Errorf("Owner = %d, %v", uid, ok)
	}
}

func TestFIFOsAndDevicesAreNotReadAndDoNotBlock(t *testing.T) {
	w := newWorld(t)
	fifo := w.root + "/inside/fifo"
	require.NoError(t, unix.Mkfifo(fifo, 0o644))
	done := make(chan error, 3)
	go func() {
		_, _, err := w.r.ReadFile(fifo, 1<<20)
		done <- err
		_, _, err = OpenFile(fifo)
		done <- err
		_, _, err = OpenFile("/dev/zero")
		done <- err
	}()
	for i := 0; i < 3; i++ {
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("read %d: %v, want ErrNotRegular", i, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("reading a FIFO blocks")
		}
	}
}

func TestReadFileCapsTheSize(t *testing.T) {
	w := newWorld(t)
	_, _, err := w.r.ReadFile(w.root+"/usr/bin/bucardo", 6)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile of 7 bytes with a cap of 6: %v", err)
	}
	data, info, err := w.r.ReadFile(w.root+"/usr/bin/bucardo", 7)
	require.NoError(t, err)
	if string(data) != "script\n" || !info.Mode().IsRegular() {
		t.Errorf("ReadFile = %q, %v", data, info.Mode())
	}
}

// TestReadAllReadsPastTheStatedSize: a file that grew after fstat is read
// whole (up to the cap its reader has), into a buffer sized for it.
func TestReadAllReadsPastTheStatedSize(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789"), 1000)
	for _, size := range []int{0, 1, 9999, 10000, 10001} {
		got, err := readAll(iotest.OneByteReader(bytes.NewReader(want)), make([]byte, 0, size+1))
		require.NoError(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("stated size %d: read %d bytes, want %d", size, len(got), len(want))
		}
	}
	got, err := readAll(iotest.TimeoutReader(bytes.NewReader(want)), make([]byte, 0, 4))
	if !errors.Is(err, iotest.ErrTimeout) || len(got) == 0 {
		t.Errorf("a read error: %d bytes, %v", len(got), err)
	}
}

func TestWriteFileReplacesLinksInsteadOfWritingThrough(t *testing.T) {
	w := newWorld(t)
	hard := w.root + "/inside/hard"
	require.NoError(t, os.Link(w.outside+"/victim", hard))
	for _, name := range []string{w.root + "/v", hard} {
		require.NoError(t, w.r.WriteFile(name, []byte("new\n"), 0o644))
		fi, err := os.Lstat(name)
		require.NoError(t, err)
		if !fi.Mode().IsRegular() {
			t.Errorf("%s: %v after WriteFile", name, fi.Mode())
		}
	}
	untouched(t, w)
}

func TestChangesBelowTheRoot(t *testing.T) {
	eachWalk(t, func(t *testing.T) {
		w := newWorld(t)
		dir := w.root + "/usr/local/share/bucardo"
		require.NoError(t, w.r.MkdirAll(dir, 0o755))
		require.NoError(t, w.r.Mkdir(dir+"/sub", 0o700))
		if err := w.r.Mkdir(dir+"/sub", 0o700); !errors.Is(err, fs.ErrExist) {
			t.Errorf("Mkdir of a folder that exists: %v", err)
		}
		require.NoError(t, w.r.Remove(dir+"/sub"))
		fresh := New(w.root + "/new/root")
		require.NoError(t, fresh.MkdirAll(w.root+"/new/root/a/b", 0o755))
		f := dir + "/bucardo.schema"
		require.NoError(t, w.r.WriteFile(f, []byte("schema\n"), 0o600))
		require.NoError(t, w.r.Chmod(f, 0o640|fs.ModeSetgid))
		require.NoError(t, w.r.Chown(f, os.Geteuid(), os.Getegid()))
		require.NoError(t, w.r.Sync(f))
		require.NoError(t, w.r.Sync(dir))
		require.NoError(t, w.r.Sync(w.root))
		require.NoError(t, w.r.Link(f, f+".link"))
		require.NoError(t, w.r.Rename(f+".link", f+".moved"))
		fi, err := os.Lstat(f + ".moved")
		require.NoError(t, err)
		if fi.Mode() != 0o640|fs.ModeSetgid {
			t.Errorf("mode %v", fi.Mode())
		}
		entries, err := w.r.ReadDir(dir)
		require.NoError(t, err)
		if len(entries) != 2 {
			t.Errorf("ReadDir: %d entries", len(entries))
		}
		require.NoError(t, w.r.Remove(f))
		require.NoError(t, w.r.Remove(f+".moved"))
		require.NoError(t, w.r.Remove(dir))
		if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("folder still there: %v", err)
		}
		if err := w.r.Remove(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Remove of a missing folder: %v", err)
		}
	})
}

func TestRemoveAllRemovesLinksNotWhatTheyPointTo(t *testing.T) {
	w := newWorld(t)
	tree := w.root + "/inside/tree"
	require.NoError(t, os.MkdirAll(tree+"/a/b", 0o755))
	require.NoError(t, os.WriteFile(tree+"/a/b/f", []byte("f"), 0o644))
	require.NoError(t, os.Symlink(w.outside, tree+"/a/out"))
	require.NoError(t, w.r.RemoveAll(tree))
	if _, err := os.Lstat(tree); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("tree still there: %v", err)
	}
	require.NoError(t, w.r.RemoveAll(w.root+"/abs")) // the link itself
	if _, err := os.Lstat(w.root + "/abs"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("link still there: %v", err)
	}
	require.NoError(t, w.r.RemoveAll(tree)) // missing: no error
	untouched(t, w)
}

func TestTrusted(t *testing.T) {
	dir := t.TempDir()
	f := dir + "/f"
	require.NoError(t, os.WriteFile(f, nil, 0o644))
	check := func(name string, want bool) {
		t.Helper()
		fi, err := os.Lstat(name)
		require.NoError(t, err)
		if err := Trusted(fi); (err == nil) != want {
			t.Errorf("Trusted(%s, %v): %v, want trusted %v", name, fi.Mode(), err, want)
		} else if err != nil && !errors.Is(err, ErrUntrusted) {
			t.Errorf("error %v does not match ErrUntrusted", err)
		}
	}
	check(f, true)
	require.NoError(t, os.Chmod(f, 0o664))
	check(f, false)
	require.NoError(t, os.Chmod(f, 0o646))
	check(f, false)
	require.NoError(t, os.Chmod(dir, 0o777|fs.ModeSticky))
	check(dir, true)
	require.NoError(t, os.Chmod(dir, 0o777))
	check(dir, false)
	if os.Geteuid() != 0 {
		t.Log("not root: ownership not tried")
		return
	}
	require.NoError(t, os.Chmod(f, 0o644))
	require.NoError(t, os.Chown(f, 65534, 65534))
	check(f, false)
}

// TestTrustedFile: a state file passes when it and its folder do; a
// folder others may write fails it, named.
func TestTrustedFile(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.Chmod(root, 0o755))
	require.NoError(t, os.Mkdir(root+"/state", 0o755))
	f := root + "/state/record.json"
	require.NoError(t, os.WriteFile(f, nil, 0o644))
	r := New(root)
	check := func(want string) {
		t.Helper()
		_, info, err := r.ReadFile(f, 10)
		require.NoError(t, err)
		err = r.TrustedFile(f, info)
		switch {
		case want == "" && err != nil:
			t.Errorf("TrustedFile: %v, want nil", err)
		case want != "" && (!errors.Is(err, ErrUntrusted) || !strings.Contains(fmt.Sprint(err), want)):
			t.Errorf("TrustedFile: %v, want ErrUntrusted saying %q", err, want)
		}
	}
	check("")
	require.NoError(t, os.Chmod(f, 0o664))
	check("group or others may write it (mode 0664)")
	require.NoError(t, os.Chmod(f, 0o644))
	require.NoError(t, os.Chmod(root+"/state", 0o777))
	check(fmt.Sprintf("its folder %q: not trusted: group or others may write it (mode 0777)", root+"/state"))
}

func wantLink(t *testing.T, err error, path string) {
	t.Helper()
	var le *LinkError
	if !errors.As(err, &le) || !errors.Is(err, ErrLink) {
		t.Errorf("got %v, want a *LinkError for %q", err, path)
		return
	}
	if le.Path != path {
		t.Errorf("link error names %q, want %q", le.Path, path)
	}
}

// untouched checks that nothing outside the root changed.
func untouched(t *testing.T, w world) {
	t.Helper()
	entries, err := os.ReadDir(w.outside)
	require.NoError(t, err)
	data, err := os.ReadFile(w.outside + "/victim")
	require.NoError(t, err)
	if len(entries) != 1 || !bytes.Equal(data, []byte("victim\n")) {
		t.Errorf("outside the root: %d entries, victim %q", len(entries), data)
	}
}

// TestTrimPath: a *LinkError on the path a message names already is said
// without it, and still found by errors.As and errors.Is; a link in a
// folder above the path, or any other error, is left as it is.
func TestTrimPath(t *testing.T) {
	le := &LinkError{Path: "/r/a/b", Target: "/x", Root: "/r"}
	err := fmt.Errorf("reading %q: %w", "/r/a//b", TrimPath("/r/a//b", le))
	if got, want := err.Error(), `reading "/r/a//b": it is a symbolic link to "/x": links below "/r" are not followed`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	wantLink(t, err, "/r/a/b")
	if got := TrimPath("/r/a/b/c", le); got != le {
		t.Errorf("a link above the path: got %v, want it as is", got)
	}
	other := errors.New("other")
	if got := TrimPath("/r/a/b", other); got != other {
		t.Errorf("another error: got %v, want it as is", got)
	}
}

// TestTrimPathNotRegularTooLarge: a *NotRegularError or *TooLargeError on
// the path a message names already is said without it, and still found
// by errors.As and errors.Is; on another path it is left as it is.
func TestTrimPathNotRegularTooLarge(t *testing.T) {
	for _, c := range []struct {
		err       error
		want      string
		sentinel  error
		untrimmed string
	}{
		{&NotRegularError{Path: "/r/a/b", Mode: fs.ModeNamedPipe}, `it is not a regular file (a FIFO)`, ErrNotRegular,
			`"/r/a/b" is not a regular file (a FIFO)`},
		{&NotRegularError{Path: "/r/a/b", Mode: fs.ModeDir}, `it is not a regular file (a folder)`, ErrNotRegular,
			`"/r/a/b" is not a regular file (a folder)`},
		{&TooLargeError{Path: "/r/a/b", Size: 12, Max: 10}, `file too large: 12 bytes, more than 10`, ErrTooLarge,
			`"/r/a/b": file too large: 12 bytes, more than 10`},
		{&TooLargeError{Path: "/r/a/b", Size: -1, Max: 10}, `file too large: more than 10 bytes`, ErrTooLarge,
			`"/r/a/b": file too large: more than 10 bytes`},
	} {
		if got := c.err.Error(); got != c.untrimmed {
			t.Errorf("%#v: got %q, want %q", c.err, got, c.untrimmed)
		}
		err := fmt.Errorf("reading %q: %w", "/r/a//b", TrimPath("/r/a//b", c.err))
		if got, want := err.Error(), `reading "/r/a//b": `+c.want; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		if !errors.Is(err, c.sentinel) {
			t.Errorf("%v: not %v", err, c.sentinel)
		}
		if target := reflect.New(reflect.TypeOf(c.err)); !errors.As(err, target.Interface()) || target.Elem().Interface() != c.err {
			t.Errorf("%v: errors.As does not find %#v", err, c.err)
		}
		if got := TrimPath("/r/a", c.err); got != c.err {
			t.Errorf("another path: got %v, want it as is", got)
		}
	}
}

// TestItself: Itself tells an error about what is at a path itself (a
// link, a file that is not a regular one, one too large) from a link in a
// folder above it and from any other failure, wrapped or not.
func TestItself(t *testing.T) {
	for _, c := range []struct {
		path string
		err  error
		want bool
	}{
		{"/r/a/b", &LinkError{Path: "/r/a/b", Target: "/x", Root: "/r"}, true},
		{"/r/a//b", fmt.Errorf("reading: %w", TrimPath("/r/a/b", &NotRegularError{Path: "/r/a/b", Mode: fs.ModeNamedPipe})), true},
		{"/r/a/b", &NotRegularError{Path: "/r/a/b", Mode: fs.ModeDir}, true},
		{"/r/a/b", &TooLargeError{Path: "/r/a/b", Size: 12, Max: 10}, true},
		{"/r/a/b", &LinkError{Path: "/r/a", Target: "/x", Root: "/r"}, false},
		{"/r/a/b", &NotRegularError{Path: "/r/a/c", Mode: fs.ModeDir}, false},
		{"/r/a/b", &fs.PathError{Op: "open", Path: "/r/a/b", Err: fs.ErrPermission}, false},
		{"/r/a/b", nil, false},
	} {
		if got := Itself(c.path, c.err); got != c.want {
			t.Errorf("Itself(%q, %v) = %v, want %v", c.path, c.err, got, c.want)
		}
	}
}
