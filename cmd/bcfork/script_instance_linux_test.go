package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestInstanceAddReadOnlyRun: with /run read-only, add fails creating the
// run folder, says so, and leaves nothing behind. Root only (a read-only
// tmpfs); instance_add_run_denied.txtar is the same without root.
func TestInstanceAddReadOnlyRun(t *testing.T) {
	h := newFakeInstanceHost(t)
	mountTmpfs(t, filepath.Join(h.root, "run"), "64k")
	remount(t, filepath.Join(h.root, "run"), syscall.MS_RDONLY)
	for k, v := range h.vars {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bcfork", "instance", "add", "a", "--root", h.root}, &stdout, &stderr)
	if code != ExitFailure || !strings.Contains(stderr.String(), `/run/bucardo": read-only file system`) ||
		!strings.Contains(stderr.String(), "undone: nothing was left behind") {
		t.Fatalf("exit %d, want 1 and a read-only error:\n%s", code, stderr.String())
	}
	for _, p := range []string{"etc/bucardo", "var/log", "etc/systemd", "var/lib/bcfork/instances.json"} {
		if _, err := os.Stat(filepath.Join(h.root, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s left behind: %v", p, err)
		}
	}
	t.Logf("as expected:\n%s", stderr.String())
}
