package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/upstream"
)

// inputError is a file given --from that failed its pins, with what it is
// after all: the pinned file of another flavor or version, or the fork
// bcfork installed on this host.
type inputError struct {
	err    error
	file   string           // bucardo or bucardo.schema
	pinned *catalog.File    // the pinned file it is, if any
	rc     *install.Receipt // the receipt that installed it, if it is the fork
	target *install.Target  // the receipt's target it was installed at
}

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// known reports whether the file was identified.
func (e *inputError) known() bool { return e.pinned != nil || e.target != nil }

// identifyInput names a local file that failed its pins, by the pins of
// every series in pins (the patches tree in use) and by the install
// receipt under root ("" is this host). Other errors are returned as
// they are, as is a file it cannot name.
func identifyInput(err error, pins fs.FS, root string) error {
	var ce *upstream.ChecksumError
	if !errors.As(err, &ce) || ce.Pin == "" || !(strings.HasPrefix(ce.Source, "dir ") || strings.HasPrefix(ce.Source, "tarball ")) {
		return err
	}
	ie := &inputError{err: err, file: ce.File}
	if files, _ := catalog.New(pins).Identify(ce.Got); len(files) > 0 {
		ie.pinned = &files[0]
	}
	rc, _ := install.ReadReceipt(install.Options{Root: root})
	if rc != nil {
		for _, t := range rc.Targets {
			if t.Name == ce.File && t.Installed.SHA256 == ce.Got {
				ie.rc, ie.target = rc, t
			}
		}
	}
	return ie
}

// hint says what the file is, and the command that takes it for what it is.
func (e *inputError) hint(c call) string {
	if e.target != nil {
		return e.forkHint(c)
	}
	p := e.pinned
	what := fmt.Sprintf("this is %s %s %s (pinned in %s), not a file of the release asked for", owner(p.Flavor), p.Version, p.Name, catalog.ChecksumsPath(p.Flavor, p.Version))
	if !c.has("from") || c.name() == "rebase" {
		return what
	}
	add := []string{"--version", p.Version}
	if p.Flavor != catalog.Upstream {
		add = append([]string{"--flavor", p.Flavor}, add...)
	}
	return fmt.Sprintf("%s: add %s: `%s`", what, strings.Join(add, " "), c.line([]string{"flavor", "version", "allow-unpinned"}, add...))
}

// forkHint says that the file is the fork bcfork installed, and where
// the original is.
func (e *inputError) forkHint(c call) string {
	t := e.target
	h := fmt.Sprintf("this is the fork bcfork installed at %s (fork of %s %s; bcfork status shows it), not a pristine file; ", t.Path, e.rc.Flavor, e.rc.Version)
	switch {
	case t.Diversion != "":
		h += fmt.Sprintf("Debian's original is %s", t.Diversion)
	case t.Before != nil:
		h += fmt.Sprintf("the file it replaced is kept in %s", t.Backup)
	case e.file == "bucardo.schema":
		h += "nothing was there before install; Debian's own schema is /usr/share/bucardo/bucardo.schema"
	default:
		h += "nothing was there before install"
	}
	if !c.has("from") || c.name() == "rebase" {
		return h
	}
	v := newest(catalog.Debian, "5.6.0-4")
	return h + fmt.Sprintf("\n`%s` reads Debian's packaged files where they are", fromSource(c, filesSide, v, "--flavor", catalog.Debian, "--version", v, "--from", "/"))
}

// owner names whose files a flavor's are, as a possessive.
func owner(flavor string) string {
	switch flavor {
	case catalog.Upstream:
		return "upstream's"
	case catalog.Debian:
		return "Debian's"
	}
	return "the " + flavor + " flavor's"
}
