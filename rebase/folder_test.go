package rebase

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFolderOverAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	if err := writeFolder(file, map[string][]byte{"series": nil}, true); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("rebase output --force over a file: %v", err)
	}
}
