package instance

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bcfork/bcfork/internal/beneath"
)

// notRegular puts a FIFO (fifo) or an empty folder where host path p
// under root was, and returns its real path.
func notRegular(t *testing.T, root, p string, fifo bool) string {
	t.Helper()
	real := filepath.Join(root, p)
	if err := os.RemoveAll(real); err != nil {
		t.Fatal(err)
	}
	mk := func() error { return os.Mkdir(real, 0o755) }
	if fifo {
		mk = func() error { return syscall.Mkfifo(real, 0o644) }
	}
	if err := mk(); err != nil {
		t.Fatal(err)
	}
	return real
}

// kinds are the files that are not regular ones the tests put in place.
var kinds = map[string]bool{"fifo": true, "folder": false}

// TestRCNotRegularNamedOnce: an rc file that is a FIFO or a folder is
// refused by status (Drift), check and exec, naming it once.
func TestRCNotRegularNamedOnce(t *testing.T) {
	for kind, fifo := range kinds {
		t.Run(kind, func(t *testing.T) {
			_, h := fakeHost(t)
			ctx := context.Background()
			o := Options{Root: h.Root}
			if _, err := Add(ctx, o, AddOptions{Name: "a"}); err != nil {
				t.Fatal(err)
			}
			rc := notRegular(t, h.Root, RCPath("a"), fifo)
			drift, err := Drift(o)
			if err != nil || len(drift) != 1 || !strings.Contains(drift[0], "not a regular file") {
				t.Fatalf("drift with the rc file a %s: %q, %v", kind, drift, err)
			}
			namedOnce(t, "drift", drift[0], rc)
			r, err := Check(ctx, o, nil)
			if err != nil || !strings.Contains(r.Unread["a"], "not a regular file") {
				t.Fatalf("check with the rc file a %s: %+v, %v", kind, r, err)
			}
			namedOnce(t, "check", r.Unread["a"], rc)
			err = Exec(ctx, o, "a", []string{"status"}, nil, nil, nil)
			if !errors.Is(err, beneath.ErrNotRegular) {
				t.Fatalf("exec with the rc file a %s: %v", kind, err)
			}
			namedOnce(t, "exec", err.Error(), rc)
		})
	}
}

// TestRecordNotRegularNamedOnce: a record that is a FIFO or a folder is
// refused by every command that reads it, naming it once.
func TestRecordNotRegularNamedOnce(t *testing.T) {
	for kind, fifo := range kinds {
		t.Run(kind, func(t *testing.T) {
			_, h := fakeHost(t)
			ctx := context.Background()
			o := Options{Root: h.Root}
			if _, err := Add(ctx, o, AddOptions{Name: "a"}); err != nil {
				t.Fatal(err)
			}
			record := notRegular(t, h.Root, "/var/lib/bcfork/"+RecordName, fifo)
			for op, f := range map[string]func() error{
				"list":  func() error { _, err := List(o); return err },
				"guard": func() error { return Guard(o) },
				"drift": func() error { _, err := Drift(o); return err },
				"check": func() error { _, err := Check(ctx, o, nil); return err },
			} {
				err := f()
				if !errors.Is(err, beneath.ErrNotRegular) {
					t.Errorf("%s with the record a %s: %v", op, kind, err)
					continue
				}
				namedOnce(t, op, err.Error(), record)
			}
		})
	}
}
