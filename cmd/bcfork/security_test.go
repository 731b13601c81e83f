package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// As root, a cache folder of another user is refused, and the hint says
// how to point bcfork at another one.
func TestRootRefusesAnotherUsersCache(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	home := t.TempDir()
	if err := os.Chown(home, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BCFORK_CACHE_DIR", filepath.Join(home, ".cache", "bcfork"))
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bcfork", "versions", "--offline"}, &stdout, &stderr)
	if code != ExitFailure || !strings.Contains(stderr.String(), "is owned by uid 65534, not by root") ||
		!strings.Contains(stderr.String(), "hint: set BCFORK_CACHE_DIR to one") {
		t.Errorf("exit %d, stderr:\n%s", code, &stderr)
	}
}
