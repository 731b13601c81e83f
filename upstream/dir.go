package upstream

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/bucardo"
)

// readDir reads the two files from a checkout or an unpacked release.
// They must be regular files, not links.
func readDir(dir string) (map[string][]byte, error) {
	if sub := releaseFolderIn(dir); sub != "" {
		return nil, &ReleaseFolderError{Dir: dir, Release: sub}
	}
	files := map[string][]byte{}
	for _, name := range bucardo.Names {
		b, err := readRegular(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading folder %q: %w", dir, err)
		}
		files[name] = b
	}
	return files, nil
}

func readRegular(file string) ([]byte, error) {
	fi, err := os.Lstat(file)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%q is not a regular file (%v)", file, fi.Mode().Type())
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%q is %d bytes, more than %d", file, fi.Size(), maxFileSize)
	}
	return os.ReadFile(file)
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
