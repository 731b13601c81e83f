package upstream

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/bucardo"
)

// readDir reads the two files from a checkout or an unpacked release.
// They must be regular files, not links, checked on the opened file (a
// FIFO or a device is refused without waiting on it).
func readDir(dir string) (map[string][]byte, error) {
	if sub := releaseFolderIn(dir); sub != "" {
		return nil, &ReleaseFolderError{Dir: dir, Release: sub}
	}
	files := map[string][]byte{}
	in := beneath.New(dir)
	for _, name := range bucardo.Names {
		b, _, err := in.ReadFile(filepath.Join(dir, name), maxFileSize)
		if err != nil {
			return nil, fmt.Errorf("reading folder %q: %w", dir, err)
		}
		files[name] = b
	}
	return files, nil
}

// releaseFolderIn returns the one subfolder of dir holding the two files
// (an unpacked release's Bucardo-V/), when dir itself holds neither.
func releaseFolderIn(dir string) string {
	if _, err := os.Lstat(filepath.Join(dir, bucardo.Script)); err == nil {
		return ""
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*", bucardo.Script))
	if len(matches) != 1 {
		return ""
	}
	return filepath.Dir(matches[0])
}
