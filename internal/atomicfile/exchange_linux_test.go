package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestExchange(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	mustNil(t, os.Mkdir(a, 0o755))
	mustNil(t, writeOne("new", "new")(a))
	mustNil(t, os.Mkdir(b, 0o755))
	mustNil(t, writeOne("old", "old")(b))
	mustNil(t, exchange(a, b))
	checkOnly(t, b, "new")
	checkOnly(t, a, "old")
	if err := exchange(filepath.Join(root, "missing"), b); err == nil {
		t.Error("exchange with a missing name succeeded")
	}
}
