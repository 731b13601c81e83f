package generator

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
)

// ErrUnpinnedFork marks a fork folder of a version the patches tree has no
// pins for; *ModifiedError matches it as well as ErrModified.
var ErrUnpinnedFork = errors.New("no pins for its version")

// ErrModified marks a fork folder that is not what its series makes of
// the pinned pristine files; *ModifiedError matches it.
var ErrModified = errors.New("not what the series makes of the pinned files")

// ModifiedError says how a fork folder differs from its re-derivation.
type ModifiedError struct {
	Dir    string
	Flavor string
	Ver    string // the version the manifest claims
	File   string // the file that differs; "" when it is not about one file
	Why    string
	Err    error // ErrUnpinnedFork when the version has no pins; else nil
}

func (e *ModifiedError) Error() string {
	what := fmt.Sprintf("fork folder %q (%s %s)", e.Dir, e.Flavor, e.Ver)
	if e.File != "" {
		what += fmt.Sprintf(": %s", e.File)
	}
	return fmt.Sprintf("%s: %v: %s", what, ErrModified, e.Why)
}

// Is lets errors.Is(err, ErrModified) match.
func (e *ModifiedError) Is(target error) bool { return target == ErrModified }

// Unwrap returns the cause, if any (ErrUnpinnedFork).
func (e *ModifiedError) Unwrap() error { return e.Err }

// Verify reads the fork folder dir (as ReadFork does: no links, only
// regular files, each matching the manifest) and derives it again from the
// patches tree c instead of believing its manifest: the pristine .orig
// copies must match the pins of the manifest's flavor and version (a
// version without pins passes only with allowUnpinned), and that version's
// series applied to them must give the forked files byte for byte, with
// the usual modes. It returns the fork as read, with a *ModifiedError when
// it is not the series' fork (so that a caller may still install it as a
// modified fork), or another error when the folder cannot be read.
func Verify(dir string, c *catalog.Catalog, allowUnpinned bool) (*Fork, error) {
	f, err := ReadFork(dir)
	if err != nil {
		return nil, err
	}
	m := f.Manifest
	fail := func(file, format string, args ...any) (*Fork, error) {
		return f, &ModifiedError{Dir: dir, Flavor: m.Flavor, Ver: m.Version, File: file, Why: fmt.Sprintf(format, args...)}
	}
	if err := f.checkPins(dir, c, allowUnpinned); err != nil {
		return f, err
	}
	series, err := c.Series(m.Flavor, m.Version)
	if errors.Is(err, catalog.ErrNoSeries) {
		return fail("", "the patches tree has no series for it to derive the fork again")
	}
	if err != nil {
		return nil, err
	}
	again, err := Generate(Options{Flavor: m.Flavor, Version: m.Version, Files: f.Pristine, Series: series, Fuzz: m.fuzz()})
	if err != nil {
		return fail("", "its series does not apply to its pristine files: %v", err)
	}
	for _, n := range bucardo.Names {
		if !bytes.Equal(again.Files[n], f.Files[n]) {
			return fail(n, "differs from what the series makes of the pristine %s", n+OrigSuffix)
		}
		if out, _ := m.Output(n); out.Mode != fmt.Sprintf("%04o", modes[n]) {
			return fail(n, "mode %q in the manifest, not %04o", out.Mode, modes[n])
		}
	}
	if again.Manifest.Series != m.Series {
		return fail("", "series_sha256 %.12s in the manifest, the series is %.12s", m.Series, again.Manifest.Series)
	}
	return f, nil
}

// checkPins checks the pristine copies against the pins of the manifest's
// version: a *ModifiedError when they do not match, or when there are none
// (wrapping ErrUnpinnedFork) and allowUnpinned is false.
func (f *Fork) checkPins(dir string, c *catalog.Catalog, allowUnpinned bool) error {
	m := f.Manifest
	pins, err := c.Pins(m.Flavor, m.Version)
	switch {
	case err != nil:
		return err
	case pins == nil && allowUnpinned:
		return nil
	case pins == nil:
		return &ModifiedError{Dir: dir, Flavor: m.Flavor, Ver: m.Version, Why: "the patches tree has no pins for it", Err: ErrUnpinnedFork}
	}
	for _, n := range bucardo.Names {
		if got := SHA256(f.Pristine[n]); got != pins[n] {
			why := fmt.Sprintf("sha256 %s, pinned %s in %s", got, pins[n], filepath.ToSlash(catalog.ChecksumsPath(m.Flavor, m.Version)))
			return &ModifiedError{Dir: dir, Flavor: m.Flavor, Ver: m.Version, File: n + OrigSuffix, Why: why}
		}
	}
	return nil
}

// fuzz is the most fuzz any hunk was applied with, as generate recorded it.
func (m *Manifest) fuzz() int {
	most := 0
	for _, p := range m.Patches {
		for _, h := range p.Hunks {
			most = max(most, h.Fuzz)
		}
	}
	return most
}
