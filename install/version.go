package install

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/bcfork/bcfork/internal/bucardo"
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
// $VERSION. It returns nil and no error when there is none. No link below
// the root is followed: a folder that is a link (Debian's
// /usr/share/perl/5.36.0, say, beside the 5.36 it points to) is passed
// over, and a Bucardo.pm that is a link is refused (ErrLink). What it reads
// is capped.
func FindModule(root string, inc []string) (*Module, error) {
	l := layout{root: root, fs: beneath.New(root)}
	for _, dir := range append(inc, perlDirs...) {
		if !filepath.IsAbs(dir) {
			continue // "." and the like: not the host's
		}
		for _, d := range l.dirs(dir) {
			m, err := l.module(filepath.Join(d, "Bucardo.pm"))
			if m != nil || err != nil {
				return m, err
			}
		}
	}
	return nil, nil
}

// module reads the Bucardo.pm at host path p; nil when it is not there,
// or a folder above it is a link.
func (l layout) module(p string) (*Module, error) {
	real := l.real(p)
	data, _, err := l.fs.ReadFile(real, maxFile)
	var le *beneath.LinkError
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.As(err, &le) && le.Path != real:
		return nil, nil
	case err != nil:
		return nil, wrap("reading the version of", real, err)
	}
	v, err := fileVersion(real, data)
	if err != nil {
		return nil, err
	}
	return &Module{Path: p, Version: v}, nil
}

// dirs expands the host folder pattern, whose parts may be globs, to the
// folders it names below the root, in order. A glob matches folders
// only, not links to them.
func (l layout) dirs(pattern string) []string {
	out := []string{"/"}
	for _, part := range strings.Split(strings.Trim(filepath.Clean(pattern), "/"), "/") {
		var next []string
		for _, d := range out {
			if !strings.ContainsAny(part, `*?[\`) {
				next = append(next, filepath.Join(d, part))
				continue
			}
			entries, _ := l.fs.ReadDir(l.real(d))
			for _, e := range entries {
				if ok, _ := filepath.Match(part, e.Name()); ok && e.IsDir() {
					next = append(next, filepath.Join(d, e.Name()))
				}
			}
		}
		out = next
	}
	return out
}

// ErrNoVersion is returned when a Bucardo file has no $VERSION line.
var ErrNoVersion = errors.New("no $VERSION line")

// HostFileVersion reads the $VERSION of the Bucardo script or module at
// host path p below root ("" is "/"): the one way bcfork reads the version
// of a file on the host. No link below the root is followed (ErrLink),
// anything but a regular file is refused without waiting on it, and the
// read is capped. A missing file is an error
// matching fs.ErrNotExist, a file without one ErrNoVersion.
func HostFileVersion(root, p string) (string, error) {
	l := layout{root: root, fs: beneath.New(root)}
	real := l.real(p)
	data, _, err := l.fs.ReadFile(real, maxFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", wrap("reading the version of", real, err)
	}
	return fileVersion(real, data)
}

// fileVersion returns the $VERSION that data, read from path, declares.
func fileVersion(path string, data []byte) (string, error) {
	v := bucardo.Version(data)
	if v == "" {
		return "", fmt.Errorf("%q: %w", path, ErrNoVersion)
	}
	return v, nil
}
