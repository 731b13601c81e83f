package install

import (
	"path/filepath"
	"strings"

	"github.com/bcfork/bcfork/internal/beneath"
)

// Default paths, as on the host; --root prefixes them all.
const (
	DefaultBin      = "/usr/bin/bucardo"
	DefaultSchema   = "/usr/local/share/bucardo/bucardo.schema"
	DefaultStateDir = "/var/lib/bcfork"
)

// tmpSuffix names the temporary files install writes beside a file before
// renaming them over it. The names are fixed so a rerun finds and removes
// what an interrupted run left.
const tmpSuffix = ".bcfork-tmp"

// layout maps host paths to real ones and names the files in the state folder.
type layout struct {
	root  string       // "" is the real root
	state string       // host path of the state folder
	fs    beneath.Root // the root, below which no link is followed
}

// real returns where host path p is on this machine. A ".." in p cannot
// lead above the root.
func (l layout) real(p string) string {
	p = filepath.Clean("/" + p)
	if l.root == "" {
		return p
	}
	return filepath.Join(l.root, p)
}

func (l layout) receipt() string { return filepath.Join(l.state, "receipt.json") }
func (l layout) lock() string    { return filepath.Join(l.state, "lock") }

// backup names the copy of what target path held before the first install.
func (l layout) backup(target string) string {
	return filepath.Join(l.state, "backup", strings.TrimPrefix(target, "/"))
}

// replaced names the copy of changed content with sha256 sum at target
// path that --force replaced.
func (l layout) replaced(target, sum string) string {
	return l.backup(target) + ".replaced-" + sum[:12]
}

// pristine names the kept pristine original with sha256 sum.
func (l layout) pristine(sum string) string {
	return filepath.Join(l.state, "pristine", sum)
}

// tmp names the temporary file written beside p.
func tmp(p string) string {
	return filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+tmpSuffix)
}
