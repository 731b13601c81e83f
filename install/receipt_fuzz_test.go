package install

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/install/installtest"
	"github.com/stretchr/testify/require"
)

// FuzzReceipt feeds the receipt reader arbitrary receipts. Property: it
// never panics, and a receipt it accepts names no path outside the root,
// keeps its backups and pristine copies in the state folder, and plans an
// uninstall whose every change lies below the root.
func FuzzReceipt(f *testing.F) {
	for _, seed := range receiptSeeds(f) {
		f.Add(seed)
	}
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Options{Root: root, Now: fixedNow, FS: &recordFS{}}.withDefaults()
		require.NoError(t, err)
		l := o.layout()
		rc, err := decodeReceipt(data, l)
		if err != nil {
			return
		}
		state := l.real(l.state)
		for _, t2 := range rc.Targets {
			for _, p := range append([]string{t2.Path, t2.Diversion, tmp(t2.Path)}, t2.Made...) {
				inRoot(t, l, l.real(p))
			}
			for _, p := range []string{t2.Backup, t2.PristinePath, l.backup(t2.Path), l.replaced(t2.Path, strings.Repeat("0", 64))} {
				if p != "" && !within(l.real(p), state) {
					t.Fatalf("%q is not in the state folder %q", l.real(p), state)
				}
			}
		}
		for _, pristine := range []bool{false, true} {
			o.Pristine, o.FS = pristine, &recordFS{}
			u, err := planUninstall(context.Background(), rc, o, true)
			if err != nil {
				continue
			}
			u.run()
			for _, p := range o.FS.(*recordFS).names {
				inRoot(t, l, p)
			}
		}
	})
}

func inRoot(t *testing.T, l layout, p string) {
	t.Helper()
	if p != "" && !l.fs.Contains(p) {
		t.Fatalf("%q is outside the root %q", p, l.root)
	}
}

// receiptSeeds are a real receipt and the edits of issue 15.
func receiptSeeds(f *testing.F) [][]byte {
	root := f.TempDir()
	put(f, root, DefaultBin, origScript, 0o750)
	fork := filepath.Join(f.TempDir(), "fork")
	if err := installtest.Write(fork, "5.6.0"); err != nil {
		f.Fatal(err)
	}
	_, err := Install(context.Background(), fork, Options{Root: root, Now: fixedNow, Bcfork: "test"})
	require.NoError(f, err)
	real, err := os.ReadFile(filepath.Join(root, DefaultStateDir, "receipt.json"))
	require.NoError(f, err)
	seeds := [][]byte{real}
	for _, edit := range []func(ts []map[string]any){
		func(ts []map[string]any) { ts[0]["path"] = "/../../../tmp/x/victim" },
		func(ts []map[string]any) { ts[0]["made"] = []any{"/../../../tmp/x"} },
		func(ts []map[string]any) { ts[0]["backup"] = "/../../../etc/shadow" },
		func(ts []map[string]any) { ts[1]["pristine_path"] = "/var/lib/bcfork/pristine/../../../../etc" },
	} {
		var rc map[string]any
		require.NoError(f, json.Unmarshal(real, &rc))
		var ts []map[string]any
		for _, v := range rc["targets"].([]any) {
			ts = append(ts, v.(map[string]any))
		}
		edit(ts)
		data, err := json.Marshal(rc)
		require.NoError(f, err)
		seeds = append(seeds, data)
	}
	return seeds
}

// recordFS records the names of every change and does none.
type recordFS struct{ names []string }

func (r *recordFS) add(names ...string) error { r.names = append(r.names, names...); return nil }

func (r *recordFS) WriteFile(name string, _ []byte, _ fs.FileMode) error { return r.add(name) }
func (r *recordFS) Sync(name string) error                               { return r.add(name) }
func (r *recordFS) Rename(a, b string) error                             { return r.add(a, b) }
func (r *recordFS) Link(a, b string) error                               { return r.add(a, b) }
func (r *recordFS) Remove(name string) error                             { return r.add(name) }
func (r *recordFS) Chmod(name string, _ fs.FileMode) error               { return r.add(name) }
func (r *recordFS) Chown(name string, _, _ int) error                    { return r.add(name) }
func (r *recordFS) MkdirAll(name string, _ fs.FileMode) error            { return r.add(name) }
