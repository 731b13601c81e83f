package instance

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/umasktest"
)

// TestAddModesIgnoreUmask adds an instance under each umask: the folders
// and files made for it, the record and the state folder get the modes
// bcfork means; the record passes the trust check (list, a second add and
// remove read it). Not parallel: it changes the process's umask (and
// fakeHost sets the environment).
func TestAddModesIgnoreUmask(t *testing.T) {
	umasktest.Each(t, func(t *testing.T) {
		_, h := fakeHost(t)
		ctx := context.Background()
		o := Options{Root: h.Root}
		res, err := Add(ctx, o, AddOptions{Name: "a"})
		if err != nil {
			t.Fatal(err)
		}
		in := res.Instance
		if len(in.Dirs) == 0 || len(in.Files) == 0 {
			t.Fatalf("add made no folder or no file: %+v", in)
		}
		want := map[string]fs.FileMode{
			"/var/lib/bcfork":               fs.ModeDir | 0o755,
			"/var/lib/bcfork/" + RecordName: 0o644,
			UnitPath:                        0o644,
		}
		for _, d := range in.Dirs {
			want[d] = fs.ModeDir | 0o755
		}
		for _, f := range in.Files {
			want[f.Path] = 0o644
		}
		want[RCPath("a")] = 0o640
		umasktest.WantModes(t, h.Root, want)
		if _, err := List(o); err != nil {
			t.Fatalf("list: %v", err)
		}
		if _, err := Add(ctx, o, AddOptions{Name: "b"}); err != nil {
			t.Fatalf("second add: %v", err)
		}
		if _, err := Remove(ctx, o, RemoveOptions{Name: "a"}); err != nil {
			t.Fatalf("remove: %v", err)
		}
	})
}

// TestPasswordFileModesIgnoreUmask writes the password file for psql
// under each umask, those that clear the owner's bits too: its folder is
// 0700 and the file 0600, so the account can read it. TMPDIR is made
// before, under the usual umask. Not parallel: it changes the process's
// umask (and the environment).
func TestPasswordFileModesIgnoreUmask(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	r := &runner{acct: Account{Name: "bucardo", UID: os.Getuid(), GID: os.Getgid(), Home: "/var/lib/bucardo"}}
	umasktest.EachOf(t, umasktest.OwnerMasks, func(t *testing.T) {
		cleanup, err := r.withPassword("bucardo", "secret")
		if err != nil {
			t.Fatal(err)
		}
		defer cleanup()
		umasktest.WantModes(t, "", map[string]fs.FileMode{filepath.Dir(r.passfile): fs.ModeDir | 0o700, r.passfile: 0o600})
		if data, err := os.ReadFile(r.passfile); err != nil || string(data) != "*:*:*:bucardo:secret\n" {
			t.Errorf("password file: %q, %v", data, err)
		}
	})
}
