package install

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"

	"github.com/bcfork/bcfork/internal/beneath"
)

// Module is the host's Bucardo.pm, the daemon module the script must match.
type Module struct {
	Path    string // as on the host
	Version string
}

// perlDirs are where Perl finds modules on Debian, Ubuntu and Red Hat
// family hosts, in @INC order; globs allowed.
var perlDirs = []string{
	"/etc/perl",
	"/usr/local/lib/*/perl/*",
	"/usr/local/share/perl/*",
	"/usr/lib/*/perl5/*",
	"/usr/share/perl5",
	"/usr/lib/*/perl/*",
	"/usr/share/perl/*",
	"/usr/local/lib/site_perl",
	"/usr/local/lib64/perl5",
	"/usr/local/share/perl5",
	"/usr/lib64/perl5/vendor_perl",
	"/usr/share/perl5/vendor_perl",
	"/usr/lib64/perl5",
}

// FindModule looks for Bucardo.pm under root in the folders of inc (Perl's
// @INC, when known) and then the usual Perl folders, and reads its
// $VERSION. It returns nil and no error when there is none.
func FindModule(root string, inc []string) (*Module, error) {
	l := layout{root: root}
	for _, dir := range append(inc, perlDirs...) {
		if !filepath.IsAbs(dir) {
			continue // "." and the like: not the host's
		}
		matches, _ := filepath.Glob(filepath.Join(l.real(dir), "Bucardo.pm"))
		for _, m := range matches {
			v, err := FileVersion(m)
			if err != nil {
				return nil, err
			}
			host, _ := filepath.Rel(l.real("/"), m)
			return &Module{Path: "/" + host, Version: v}, nil
		}
	}
	return nil, nil
}

// ErrNoVersion is returned when a Bucardo file has no $VERSION line.
var ErrNoVersion = errors.New("no $VERSION line")

// FileVersion reads the $VERSION of a Bucardo script or module, a regular
// file (a FIFO or a device is refused without waiting on it).
func FileVersion(path string) (string, error) {
	data, err := readInput(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", wrap("reading the version of", path, err)
	}
	v := Version(data)
	if v == "" {
		return "", fmt.Errorf("%q: %w", path, ErrNoVersion)
	}
	return v, nil
}

// readInput reads the regular file path, capped at maxFile.
func readInput(path string) ([]byte, error) {
	f, _, err := beneath.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, _, err := beneath.ReadRegular(f, maxFile)
	return data, err
}

var versionLine = regexp.MustCompile(`(?m)^\s*our\s+\$VERSION\s*=\s*['"]([^'"]+)['"]`)

// Version returns the $VERSION a Bucardo script or module declares, or "".
func Version(src []byte) string {
	m := versionLine.FindSubmatch(src)
	if m == nil {
		return ""
	}
	return string(m[1])
}
