package instance

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/internal/beneath"
)

// tree is what a folder holds: each path below it with its mode and its
// content (a link's target).
type tree map[string]string

func snapshot(t *testing.T, dir string) tree {
	t.Helper()
	out := tree{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		v := info.Mode().String()
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			to, err := os.Readlink(p)
			if err != nil {
				return err
			}
			v += " -> " + to
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(data)
		}
		out[p] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree fails the test if dir no longer holds what was.
func sameTree(t *testing.T, what string, was tree, dir string) {
	t.Helper()
	now := snapshot(t, dir)
	if maps.Equal(was, now) {
		return
	}
	for _, p := range slices.Sorted(maps.Keys(now)) {
		if was[p] != now[p] {
			t.Errorf("%s: %s changed: %q, was %q", what, p, now[p], was[p])
		}
	}
	for p := range was {
		if _, ok := now[p]; !ok {
			t.Errorf("%s: %s is gone", what, p)
		}
	}
}

// linkOut puts a link at host path p under root to a folder or file in
// outside: what p held is moved there (so it still reads as before), or
// a fresh folder (dir) or file with content is made there.
func linkOut(t *testing.T, root, outside, p string, dir bool, content string) string {
	t.Helper()
	real := filepath.Join(root, p)
	target := filepath.Join(outside, strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", "_"))
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	err := os.Rename(real, target)
	switch {
	case errors.Is(err, fs.ErrNotExist) && dir:
		err = os.Mkdir(target, 0o755)
	case errors.Is(err, fs.ErrNotExist):
		err = os.WriteFile(target, []byte(content), 0o640)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, real); err != nil {
		t.Fatal(err)
	}
	return real
}

// namedOnce fails the test unless msg names the link at path, quoted,
// once: a message that wraps the link's error names it only there.
func namedOnce(t *testing.T, what, msg, path string) {
	t.Helper()
	if n := strings.Count(msg, strconv.Quote(path)); n != 1 {
		t.Errorf("%s: %q names %s %d times, want once", what, msg, path, n)
	}
}

// linkCase is a link at host path path, to a folder (dir) or a file.
type linkCase struct {
	path    string
	dir     bool
	content string // of a file made for the link to point to
}

// emptyRecord is a record add would accept.
const emptyRecord = `{"instances": []}`

// TestAddFollowsNoLink: a link below --root at a folder add writes in, at
// a file it writes or reads, fails add with an error naming the link,
// and nothing changes, outside --root or below it.
func TestAddFollowsNoLink(t *testing.T) {
	for _, c := range []linkCase{
		{path: RCDir, dir: true},
		{path: RCPath("a"), content: "dbname = x\n"},
		{path: filepath.Dir(UnitPath), dir: true},
		{path: UnitPath, content: "[Unit]\n"},
		{path: TmpfilesDir, dir: true},
		{path: tmpfilesPath("a"), content: "d /tmp\n"},
		{path: LogrotateDir, dir: true},
		{path: logrotatePath("a"), content: "x {}\n"},
		{path: RunParent, dir: true},
		{path: LogParent, dir: true},
		{path: "/var/lib/bcfork", dir: true},
		{path: "/var/lib/bcfork/" + RecordName, content: emptyRecord},
		{path: "/etc/passwd"},
	} {
		t.Run(c.path, func(t *testing.T) {
			work, h := fakeHost(t)
			outside := filepath.Join(work, "outside")
			if err := os.Mkdir(outside, 0o755); err != nil {
				t.Fatal(err)
			}
			link := linkOut(t, h.Root, outside, c.path, c.dir, c.content)
			wasRoot, wasOut := snapshot(t, h.Root), snapshot(t, outside)
			_, err := Add(context.Background(), Options{Root: h.Root}, AddOptions{Name: "a"})
			if err == nil {
				t.Fatalf("add with a link at %s: no error", link)
			}
			namedOnce(t, "add", err.Error(), link)
			sameTree(t, "outside --root", wasOut, outside)
			sameTree(t, "below --root", wasRoot, h.Root)
		})
	}
}

// TestRemoveFollowsNoLink: an added instance whose folders or files were
// replaced by links is not removed: remove fails naming the link before
// it stops anything, and nothing changes, outside --root or below it.
func TestRemoveFollowsNoLink(t *testing.T) {
	for _, c := range []linkCase{
		{path: RCDir, dir: true},
		{path: RCPath("a")},
		{path: filepath.Dir(UnitPath), dir: true},
		{path: UnitPath},
		{path: TmpfilesDir, dir: true},
		{path: tmpfilesPath("a")},
		{path: LogrotateDir, dir: true},
		{path: logrotatePath("a")},
		{path: RunParent, dir: true},
		{path: runDir("a"), dir: true},
		{path: LogParent, dir: true},
		{path: "/var/lib/bcfork", dir: true},
		{path: "/var/lib/bcfork/" + RecordName},
	} {
		t.Run(c.path, func(t *testing.T) {
			work, h, o := hostWithA(t)
			ctx := context.Background()
			outside := filepath.Join(work, "outside")
			if err := os.Mkdir(outside, 0o755); err != nil {
				t.Fatal(err)
			}
			link := linkOut(t, h.Root, outside, c.path, c.dir, "")
			wasRoot, wasOut := snapshot(t, h.Root), snapshot(t, outside)
			_, err := Remove(ctx, o, RemoveOptions{Name: "a", DropDatabase: true})
			if err == nil {
				t.Fatalf("remove with a link at %s: no error", link)
			}
			namedOnce(t, "remove", err.Error(), link)
			sameTree(t, "outside --root", wasOut, outside)
			sameTree(t, "below --root", wasRoot, h.Root)
			if data, _ := os.ReadFile(filepath.Join(h.PG, "databases")); string(data) != "bucardo_a\n" {
				t.Errorf("the config database: %q, want bucardo_a kept", data)
			}
		})
	}
}

// TestReadsAreCapped: a record or an rc file far larger than bcfork
// writes is refused, not read whole.
func TestReadsAreCapped(t *testing.T) {
	_, h, o := hostWithA(t)
	ctx := context.Background()
	rc := filepath.Join(h.Root, RCPath("a"))
	data, err := os.ReadFile(rc)
	if err != nil {
		t.Fatal(err)
	}
	// Blank lines: the rc file still parses, whatever its size.
	if err := os.WriteFile(rc, append(data, strings.Repeat("\n", maxFile)...), 0o640); err != nil {
		t.Fatal(err)
	}
	err = Exec(ctx, o, "a", []string{"status"}, nil, nil, nil)
	if !errors.Is(err, beneath.ErrTooLarge) {
		t.Fatalf("exec with a huge rc file: %v", err)
	}
	namedOnce(t, "exec with a huge rc file", err.Error(), rc)
	record := filepath.Join(h.Root, "var/lib/bcfork", RecordName)
	if data, err = os.ReadFile(record); err != nil {
		t.Fatal(err)
	}
	// Leading blanks: the record still decodes, whatever its size.
	if err := os.WriteFile(record, append([]byte(strings.Repeat(" ", maxRecord)), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = List(o)
	if !errors.Is(err, beneath.ErrTooLarge) {
		t.Fatalf("list with a huge record: %v", err)
	}
	namedOnce(t, "list with a huge record", err.Error(), record)
}

// TestCheckFollowsNoLink: check reads the installed script's version
// without following a link to it.
func TestCheckFollowsNoLink(t *testing.T) {
	work, h := fakeHost(t)
	outside := filepath.Join(work, "outside")
	if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	link := linkOut(t, h.Root, outside, install.DefaultBin, false, "")
	_, err := Check(context.Background(), Options{Root: h.Root}, &install.Module{Path: "/usr/share/perl5/Bucardo.pm", Version: "5.6.0"})
	if !errors.Is(err, install.ErrLink) {
		t.Fatalf("check with the script a link: %v", err)
	}
	namedOnce(t, "check", err.Error(), link)
}

// TestRecordSteersNothingElse: remove deletes what the record lists, so a
// record naming what add never writes (an instance named with "..", a
// file that is none of an instance's) is refused and nothing changes.
func TestRecordSteersNothingElse(t *testing.T) {
	for what, rec := range map[string]string{
		"name": `{"instances": [{"name": "../../etc", "state": "added", "rc": "/etc/bucardo/../../etc.rc", "files": [], "dirs": []}]}`,
		"file": `{"instances": [{"name": "a", "state": "added", "rc": "/etc/bucardo/a.rc", "files": [{"path": "/etc/passwd"}], "dirs": []}]}`,
		"dir":  `{"instances": [{"name": "a", "state": "added", "rc": "/etc/bucardo/a.rc", "files": [], "dirs": ["/usr/bin"]}]}`,
	} {
		t.Run(what, func(t *testing.T) {
			_, h := fakeHost(t)
			record := filepath.Join(h.Root, "var/lib/bcfork", RecordName)
			if err := os.WriteFile(record, []byte(rec), 0o644); err != nil {
				t.Fatal(err)
			}
			was := snapshot(t, h.Root)
			var names []string
			if list, err := List(Options{Root: h.Root}); err == nil {
				for _, s := range list {
					names = append(names, s.Name)
				}
			}
			for _, name := range append(names, "a", "../../etc") {
				Remove(context.Background(), Options{Root: h.Root}, RemoveOptions{Name: name})
			}
			sameTree(t, "below --root", was, h.Root)
			if _, err := List(Options{Root: h.Root}); !errors.Is(err, ErrBadRecord) || !strings.Contains(err.Error(), record) {
				t.Errorf("list: %v, want ErrBadRecord naming %s", err, record)
			}
		})
	}
}

// TestUntrustedRecordIsRefused: remove deletes what the record lists, so a
// record, or a state folder, that others than root may write is refused
// as the install receipt is, with the reason, and nothing changes.
func TestUntrustedRecordIsRefused(t *testing.T) {
	record := filepath.Join("var/lib/bcfork", RecordName)
	cases := map[string]struct {
		change func(root string) error
		why    string
	}{
		"record writable by others": {func(root string) error {
			return os.Chmod(filepath.Join(root, record), 0o666)
		}, "group or others may write it (mode 0666)"},
		"record writable by group": {func(root string) error {
			return os.Chmod(filepath.Join(root, record), 0o664)
		}, "group or others may write it (mode 0664)"},
		"state folder writable by group": {func(root string) error {
			return os.Chmod(filepath.Join(root, "var/lib/bcfork"), 0o775)
		}, "group or others may write it (mode 0775)"},
		"record owned by someone else": {func(root string) error {
			if os.Geteuid() != 0 {
				return errors.ErrUnsupported
			}
			return os.Chown(filepath.Join(root, record), 65534, 65534)
		}, "it is owned by uid 65534, not by root"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, h, o := hostWithA(t)
			ctx := context.Background()
			if err := c.change(h.Root); errors.Is(err, errors.ErrUnsupported) {
				t.Skip("needs root")
			} else if err != nil {
				t.Fatal(err)
			}
			was := snapshot(t, h.Root)
			ops := map[string]func() error{
				"list":   func() error { _, err := List(o); return err },
				"guard":  func() error { return Guard(o) },
				"drift":  func() error { _, err := Drift(o); return err },
				"exec":   func() error { return Exec(ctx, o, "a", []string{"status"}, nil, nil, nil) },
				"add":    func() error { _, err := Add(ctx, o, AddOptions{Name: "b"}); return err },
				"remove": func() error { _, err := Remove(ctx, o, RemoveOptions{Name: "a", DropDatabase: true}); return err },
			}
			for op, f := range ops {
				err := f()
				if !errors.Is(err, install.ErrUntrusted) || !strings.Contains(err.Error(), c.why) {
					t.Errorf("%s: %v, want it refused as untrusted, saying %q", op, err, c.why)
				}
			}
			sameTree(t, "below --root", was, h.Root)
			if data, _ := os.ReadFile(filepath.Join(h.PG, "databases")); string(data) != "bucardo_a\n" {
				t.Errorf("the config database: %q, want bucardo_a kept", data)
			}
		})
	}
}
