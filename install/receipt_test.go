package install

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile is a root with the fork installed over originals, and beside it
// a folder outside the root with a secret file, the victim of an edited
// receipt.
type hostile struct {
	top, root, outside string
	o                  Options
	fork               string
}

func newHostile(t *testing.T) hostile {
	t.Helper()
	h := hostile{top: t.TempDir()}
	h.root, h.outside = filepath.Join(h.top, "root"), filepath.Join(h.top, "outside")
	put(t, h.root, DefaultBin, origScript, 0o750)
	put(t, h.root, DefaultSchema, origSchema, 0o640)
	put(t, h.outside, "/secret", "the secret\n", 0o600)
	h.o = Options{Root: h.root, Now: fixedNow, Bcfork: "test"}
	h.fork = writeFork(t, "5.6.0")
	_, err := Install(context.Background(), h.fork, h.o)
	require.NoError(t, err)
	return h
}

// edit changes the receipt as a JSON object, and writes it back as bcfork does.
func (h hostile) edit(t *testing.T, f func(rc map[string]any, targets []map[string]any)) {
	t.Helper()
	path := filepath.Join(h.root, DefaultStateDir, "receipt.json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var rc map[string]any
	require.NoError(t, json.Unmarshal(data, &rc))
	var targets []map[string]any
	for _, v := range rc["targets"].([]any) {
		targets = append(targets, v.(map[string]any))
	}
	f(rc, targets)
	data, err = json.Marshal(rc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// TestEditedReceiptIsRefused edits the receipt as an attacker would, to
// reach outside the root, and checks that uninstall (with and without
// --purge and --force), status and install refuse it and touch nothing,
// and that status does not describe a file outside the root.
func TestEditedReceiptIsRefused(t *testing.T) {
	up := "/../outside" // from the root to the folder beside it
	edits := map[string]func(rc map[string]any, ts []map[string]any){
		"target path escapes":        func(_ map[string]any, ts []map[string]any) { ts[0]["path"] = up + "/secret" },
		"target path not clean":      func(_ map[string]any, ts []map[string]any) { ts[0]["path"] = "/usr/bin/../bin/bucardo" },
		"target path relative":       func(_ map[string]any, ts []map[string]any) { ts[0]["path"] = "usr/bin/bucardo" },
		"target in the state folder": func(_ map[string]any, ts []map[string]any) { ts[0]["path"] = DefaultStateDir + "/receipt.json" },
		"backup escapes":             func(_ map[string]any, ts []map[string]any) { ts[1]["backup"] = up + "/secret" },
		"backup elsewhere in root":   func(_ map[string]any, ts []map[string]any) { ts[1]["backup"] = "/etc/shadow" },
		"pristine escapes":           func(_ map[string]any, ts []map[string]any) { ts[0]["pristine_path"] = up + "/secret" },
		"made escapes": func(_ map[string]any, ts []map[string]any) {
			ts[0]["made"] = []any{up, "/.."}
		},
		"made not above the target": func(_ map[string]any, ts []map[string]any) { ts[0]["made"] = []any{"/etc"} },
		"diversion elsewhere":       func(_ map[string]any, ts []map[string]any) { ts[0]["diversion"] = up + "/secret" },
		"short sha256": func(_ map[string]any, ts []map[string]any) {
			ts[0]["installed"].(map[string]any)["sha256"] = "ab"
		},
		"a third target": func(rc map[string]any, ts []map[string]any) {
			rc["targets"] = append(rc["targets"].([]any), map[string]any{"name": "bucardo", "path": up + "/secret"})
		},
		"one target twice": func(_ map[string]any, ts []map[string]any) { ts[1]["name"] = "bucardo" },
		"odd flavor":       func(rc map[string]any, _ []map[string]any) { rc["flavor"] = "../up" },
	}
	ops := map[string]func(o Options) error{
		"uninstall":          func(o Options) error { _, err := Uninstall(context.Background(), o); return err },
		"uninstall pristine": func(o Options) error { o.Pristine = true; _, err := Uninstall(context.Background(), o); return err },
		"uninstall force":    func(o Options) error { o.Force = true; _, err := Uninstall(context.Background(), o); return err },
		"status":             func(o Options) error { _, err := Status(context.Background(), o); return err },
		"install":            nil, // needs the fork: below
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			h := newHostile(t)
			h.edit(t, edit)
			before := snapshot(t, h.top)
			ops["install"] = func(o Options) error { _, err := Install(context.Background(), h.fork, o); return err }
			for op, f := range ops {
				err := f(h.o)
				var re *ReceiptError
				if !errors.As(err, &re) || !errors.Is(err, ErrBadReceipt) {
					t.Errorf("%s: %v, want a *ReceiptError", op, err)
				}
				assert.Equal(t, before, snapshot(t, h.top), op+" changed files")
			}
		})
	}
}

// TestUntrustedReceiptIsRefused: a receipt or state folder that others may
// write is refused, with the reason.
func TestUntrustedReceiptIsRefused(t *testing.T) {
	cases := map[string]struct {
		change func(h hostile) error
		why    string
	}{
		"receipt writable by others": {func(h hostile) error {
			return os.Chmod(filepath.Join(h.root, DefaultStateDir, "receipt.json"), 0o666)
		}, "group or others may write it (mode 0666)"},
		"state folder writable by group": {func(h hostile) error {
			return os.Chmod(filepath.Join(h.root, DefaultStateDir), 0o775)
		}, "group or others may write it (mode 0775)"},
		"receipt owned by someone else": {func(h hostile) error {
			if os.Geteuid() != 0 {
				return errors.ErrUnsupported
			}
			return os.Chown(filepath.Join(h.root, DefaultStateDir, "receipt.json"), 65534, 65534)
		}, "it is owned by uid 65534, not by root"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHostile(t)
			if err := c.change(h); errors.Is(err, errors.ErrUnsupported) {
				t.Skip("needs root")
			} else {
				require.NoError(t, err)
			}
			before := snapshot(t, h.top)
			_, err := Uninstall(context.Background(), h.o)
			if !errors.Is(err, ErrUntrusted) || !errors.Is(err, ErrBadReceipt) || !strings.Contains(err.Error(), c.why) {
				t.Errorf("uninstall: %v, want ErrUntrusted saying %q", err, c.why)
			}
			_, err = Status(context.Background(), h.o)
			if !errors.Is(err, ErrUntrusted) {
				t.Errorf("status: %v, want ErrUntrusted", err)
			}
			assert.Equal(t, before, snapshot(t, h.top), "changed files")
		})
	}
}
