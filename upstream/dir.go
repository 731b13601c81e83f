package upstream

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/bucardo"
)

// readDir reads the two files from a checkout or an unpacked release, or
// from a root folder (such as /) where a distribution package installed
// them (see packagedPaths). They must be regular files, not links, checked
// on the opened file (a FIFO or a device is refused without waiting on
// it), reached without following a link below dir. It returns the paths it
// read.
func readDir(dir string) (map[string][]byte, []string, error) {
	paths, err := dirPaths(dir)
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{}
	in := beneath.New(dir)
	for i, name := range bucardo.Names {
		b, _, err := in.ReadFile(paths[i], maxFileSize)
		if err != nil {
			return nil, nil, fmt.Errorf("reading folder %q: %w", dir, err)
		}
		files[name] = b
	}
	return files, paths, nil
}

// packagedPaths are where Debian's bucardo package installs the two files,
// below the root folder: the script first at the name dpkg-divert gives it
// when bcfork has installed its fork over it, then at its own.
var packagedPaths = [][]string{
	{"usr/bin/bucardo.distrib", "usr/bin/bucardo"},
	{"usr/share/bucardo/bucardo.schema"},
}

// dirPaths returns the paths of the two files in dir, in bucardo.Names
// order: at its top, or where a package installed them if dir is a root
// folder that holds no bucardo at its top.
func dirPaths(dir string) ([]string, error) {
	top := []string{filepath.Join(dir, bucardo.Script), filepath.Join(dir, bucardo.Schema)}
	if _, err := os.Lstat(top[0]); err == nil {
		return top, nil
	}
	if paths := packagedIn(dir); paths != nil {
		return paths, nil
	}
	if sub := releaseFolderIn(dir); sub != "" {
		return nil, &ReleaseFolderError{Dir: dir, Release: sub}
	}
	return top, nil
}

// packagedIn returns the paths of the packaged files under root, nil
// unless both are there.
func packagedIn(root string) []string {
	var paths []string
	for _, cands := range packagedPaths {
		for _, c := range cands {
			if _, err := os.Lstat(filepath.Join(root, c)); err == nil {
				paths = append(paths, filepath.Join(root, c))
				break
			}
		}
	}
	if len(paths) != len(packagedPaths) {
		return nil
	}
	return paths
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
