package instance

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/internal/beneath"
)

// spoiler puts something bcfork must not read where a file it reads was.
type spoiler struct {
	err    error  // what the refusal matches (errors.Is)
	phrase string // what the refusal says
	// put replaces host path p under root (work is a folder outside it)
	// and returns its real path.
	put func(t *testing.T, work, root, p string) string
}

// spoilers: a link out of --root, a FIFO and a folder.
var spoilers = map[string]spoiler{
	"link": {beneath.ErrLink, "symbolic link", func(t *testing.T, work, root, p string) string {
		outside := filepath.Join(work, "outside")
		if err := os.MkdirAll(outside, 0o755); err != nil {
			t.Fatal(err)
		}
		return linkOut(t, root, outside, p, false, "")
	}},
	"fifo": {beneath.ErrNotRegular, "not a regular file", func(t *testing.T, _, root, p string) string {
		return notRegular(t, root, p, func(real string) error { return syscall.Mkfifo(real, 0o644) })
	}},
	"folder": {beneath.ErrNotRegular, "not a regular file", func(t *testing.T, _, root, p string) string {
		return notRegular(t, root, p, func(real string) error { return os.Mkdir(real, 0o755) })
	}},
}

// notRegular puts what mk makes where host path p under root was, and
// returns its real path.
func notRegular(t *testing.T, root, p string, mk func(real string) error) string {
	t.Helper()
	real := filepath.Join(root, p)
	if err := os.RemoveAll(real); err != nil {
		t.Fatal(err)
	}
	if err := mk(real); err != nil {
		t.Fatal(err)
	}
	return real
}

// TestUnreadableRC: an rc file that is a link, a FIFO or a folder is
// refused by status (Drift), check and exec, naming it once.
func TestUnreadableRC(t *testing.T) {
	for kind, s := range spoilers {
		t.Run(kind, func(t *testing.T) {
			work, h, o := hostWithA(t)
			ctx := context.Background()
			rc := s.put(t, work, h.Root, RCPath("a"))
			drift, err := Drift(o)
			if err != nil || len(drift) != 1 || !strings.Contains(drift[0], s.phrase) {
				t.Fatalf("drift with the rc file a %s: %q, %v", kind, drift, err)
			}
			namedOnce(t, "drift", drift[0], rc)
			r, err := Check(ctx, o, nil)
			if err != nil || !strings.Contains(r.Unread["a"], s.phrase) {
				t.Fatalf("check with the rc file a %s: %+v, %v", kind, r, err)
			}
			namedOnce(t, "check", r.Unread["a"], rc)
			err = Exec(ctx, o, "a", []string{"status"}, nil, nil, nil)
			if !errors.Is(err, s.err) {
				t.Fatalf("exec with the rc file a %s: %v", kind, err)
			}
			namedOnce(t, "exec", err.Error(), rc)
		})
	}
}

// TestUnreadableRecord: a record that is a link, a FIFO or a folder is
// refused by every command that reads it, naming it once, with a
// *install.StateFileError (whose hint is not that of a target).
func TestUnreadableRecord(t *testing.T) {
	for kind, s := range spoilers {
		t.Run(kind, func(t *testing.T) {
			work, h, o := hostWithA(t)
			ctx := context.Background()
			record := s.put(t, work, h.Root, "/var/lib/bcfork/"+RecordName)
			for op, f := range map[string]func() error{
				"list":  func() error { _, err := List(o); return err },
				"guard": func() error { return Guard(o) },
				"drift": func() error { _, err := Drift(o); return err },
				"check": func() error { _, err := Check(ctx, o, nil); return err },
			} {
				err := f()
				var se *install.StateFileError
				if !errors.Is(err, s.err) || !errors.As(err, &se) || se.Path != record {
					t.Errorf("%s with the record a %s: %v, want a *install.StateFileError", op, kind, err)
					continue
				}
				namedOnce(t, op, err.Error(), record)
			}
		})
	}
}
