package install

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/bcfork/bcfork/internal/bucardo"
)

// A receipt steers what uninstall removes and restores, as root: check
// refuses one naming anything but what install writes, so that an edited
// receipt cannot reach outside the root, the targets and the state folder.

// isSum reports whether s is a sha256 in lower-case hex.
func isSum(s string) bool {
	return len(s) == 64 && !strings.ContainsFunc(s, func(r rune) bool { return (r < '0' || r > '9') && (r < 'a' || r > 'f') })
}

// isFlavor reports whether s is a flavor name: lower-case letters, digits,
// '_' and '-', not starting with '_' or '-', at most 64 characters.
func isFlavor(s string) bool {
	return s != "" && len(s) <= 64 && s[0] != '_' && s[0] != '-' &&
		!strings.ContainsFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' && r != '-' })
}

// check refuses a receipt whose paths are not those install writes for
// the layout l.
func (r *Receipt) check(l layout) error {
	switch {
	case !isFlavor(r.Flavor):
		return fmt.Errorf("flavor %.40q is not a flavor name", r.Flavor)
	case !printable(r.Version) || r.Version == "" || len(r.Version) > 200:
		return fmt.Errorf("version %.40q is not a version", r.Version)
	case !isSum(r.Series):
		return fmt.Errorf("series_sha256 %.70q is not a sha256", r.Series)
	case len(r.Targets) != len(bucardo.Names):
		return fmt.Errorf("%d targets, want one for each of %s", len(r.Targets), strings.Join(bucardo.Names, " and "))
	}
	seen := map[string]bool{}
	for _, t := range r.Targets {
		if t == nil || !slices.Contains(bucardo.Names, t.Name) || seen[t.Name] {
			return errors.New("the targets are not one bucardo and one bucardo.schema")
		}
		seen[t.Name] = true
		if err := t.check(l); err != nil {
			return fmt.Errorf("target %s: %w", t.Name, err)
		}
	}
	if r.Targets[0].Path == r.Targets[1].Path {
		return fmt.Errorf("both targets are %q", r.Targets[0].Path)
	}
	return nil
}

// check refuses a target whose paths are not those install writes.
func (t *Target) check(l layout) error {
	if err := hostPath(t.Path); err != nil {
		return err
	}
	switch {
	case within(t.Path, l.state):
		return fmt.Errorf("path %q is in the state folder %q", t.Path, l.state)
	case t.Diversion != "" && t.Diversion != t.Path+".distrib":
		return fmt.Errorf("diversion %q is not %q", t.Diversion, t.Path+".distrib")
	case t.Backup != "" && t.Backup != l.backup(t.Path):
		return fmt.Errorf("backup %q is not %q, in the state folder", t.Backup, l.backup(t.Path))
	}
	if err := t.checkFiles(l); err != nil {
		return err
	}
	for _, dir := range t.Made {
		if hostPath(dir) != nil || !within(t.Path, dir) || dir == t.Path {
			return fmt.Errorf("folder made %q is not a folder above %q", dir, t.Path)
		}
	}
	return nil
}

// checkFiles checks the file descriptions, and that the pristine copy is
// where install keeps it.
func (t *Target) checkFiles(l layout) error {
	for what, f := range map[string]*File{"installed": &t.Installed, "before": t.Before, "pristine": t.Pristine} {
		if err := f.check(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	switch {
	case t.Pristine == nil && t.PristinePath != "":
		return fmt.Errorf("pristine_path %q without a pristine file", t.PristinePath)
	case t.Pristine != nil && t.PristinePath != l.pristine(t.Pristine.SHA256):
		return fmt.Errorf("pristine_path %q is not %q, in the state folder", t.PristinePath, l.pristine(t.Pristine.SHA256))
	}
	for _, sum := range t.Replacing {
		if !isSum(sum) {
			return fmt.Errorf("replacing %.70q is not a sha256", sum)
		}
	}
	return nil
}

// check refuses a file description install would not write; nil is fine.
func (f *File) check() error {
	if f == nil {
		return nil
	}
	if _, err := parseMode(f.Mode); err != nil {
		return err
	}
	switch {
	case !isSum(f.SHA256):
		return fmt.Errorf("sha256 %.70q is not a sha256", f.SHA256)
	case f.Size < 0 || f.UID < 0 || f.GID < 0:
		return errors.New("negative size, uid or gid")
	}
	return nil
}

// hostPath refuses a path that is not absolute and clean: no "..", no
// "//", no trailing "/", and not "/" itself.
func hostPath(p string) error {
	if !filepath.IsAbs(p) || filepath.Clean(p) != p || p == "/" || !printable(p) {
		return fmt.Errorf("path %q is not a clean absolute path", p)
	}
	return nil
}

// within reports whether the clean path p is dir or lies in it.
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// printable reports whether s holds no control characters.
func printable(s string) bool {
	return !strings.ContainsFunc(s, unicode.IsControl)
}
