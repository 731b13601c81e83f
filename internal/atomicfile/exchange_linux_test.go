package atomicfile

import (
	"path/filepath"
	"testing"
)

func TestExchange(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	folder(t, a, "new")
	folder(t, b, "old")
	mustNil(t, exchange(a, b))
	checkOnly(t, b, "new")
	checkOnly(t, a, "old")
	if err := exchange(filepath.Join(root, "missing"), b); err == nil {
		t.Error("exchange with a missing name succeeded")
	}
}
