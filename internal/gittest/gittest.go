// Package gittest runs git as an oracle in tests.
package gittest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Numstat returns what git diff --no-index --numstat counts as added and
// removed lines from a to b, with git's default diff (no user config).
func Numstat(t testing.TB, a, b []byte) (added, removed int) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string][]byte{"a": a, "b": b} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("git", "diff", "--no-index", "--numstat", "a", "b")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("git diff --no-index: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) < 2 {
		return 0, 0
	}
	added, err1 := strconv.Atoi(f[0])
	removed, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		t.Fatalf("git diff --numstat: %q", out)
	}
	return added, removed
}
