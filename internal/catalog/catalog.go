// Package catalog reads the patches tree: which flavors and versions have a
// series, and their pins and commits.
//
// The tree is <flavor>/<version>/ holding a quilt series (series and the
// patches it lists), checksums (sha256sum lines pinning the pristine files
// the series applies to) and optionally commit (one line, the 40-hex
// upstream commit of the release). A version folder may hold only its pins:
// the release is pinned but has no series yet. Versions are listed newest
// first, as package version orders them.
package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/bcfork/bcfork/internal/version"
	"github.com/bcfork/bcfork/patch"
)

// The flavors bcfork ships series for.
const (
	Upstream = "upstream" // Bucardo's releases and refs, from bucardo/bucardo
	Debian   = "debian"   // the files of Debian's bucardo package; versions are the package's (5.6.0-4)
)

// The files of a version folder besides its patches.
const (
	SeriesFile    = patch.SeriesName // the quilt series
	ChecksumsFile = "checksums"      // sha256sum lines pinning the pristine files
	CommitFile    = "commit"         // the pinned upstream commit
)

// ErrNoSeries is matched (errors.Is) by every *NoSeriesError.
var ErrNoSeries = errors.New("no patch series")

// NoSeriesError says that a flavor has no series for a version, or none at
// all when Version is "", and which versions have one.
type NoSeriesError struct {
	Flavor  string
	Version string
	Have    []string // the versions of Flavor with a series, newest first
}

func (e *NoSeriesError) Error() string {
	have := "series exist for: " + strings.Join(e.Have, ", ")
	if len(e.Have) == 0 {
		have = fmt.Sprintf("the patches tree has no %s/VERSION/%s at all", e.Flavor, SeriesFile)
	}
	if e.Version == "" {
		return fmt.Sprintf("%v: %s", ErrNoSeries, have)
	}
	return fmt.Sprintf("%v for %s %s (%s)", ErrNoSeries, e.Flavor, e.Version, have)
}

// Is reports whether target is ErrNoSeries.
func (e *NoSeriesError) Is(target error) bool { return target == ErrNoSeries }

// Catalog reads one patches tree.
type Catalog struct {
	fsys  fs.FS
	marks marks // Marks, read once
}

// New returns the catalog of the patches tree fsys: patches.FS, or
// os.DirFS of a folder.
func New(fsys fs.FS) *Catalog { return &Catalog{fsys: fsys} }

// Entry is one version folder of a flavor.
type Entry struct {
	Version string
	Series  bool // it has a series
	Pinned  bool // it has checksums
}

// Entries lists the version folders of flavor that hold a series or pins,
// newest first; none when the tree has no folder for flavor.
func (c *Catalog) Entries(flavor string) ([]Entry, error) {
	if !validName(flavor) {
		return nil, nil
	}
	dirs, err := fs.ReadDir(c.fsys, flavor)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the patches tree: %w", err)
	}
	byVersion := map[string]Entry{}
	var versions []string
	for _, d := range dirs {
		v := d.Name()
		e := Entry{Version: v, Series: c.exists(flavor, v, SeriesFile), Pinned: c.exists(flavor, v, ChecksumsFile)}
		if validName(v) && (e.Series || e.Pinned) {
			byVersion[v] = e
			versions = append(versions, v)
		}
	}
	version.Sort(versions)
	out := make([]Entry, len(versions))
	for i, v := range versions {
		out[i] = byVersion[v]
	}
	return out, nil
}

// Versions lists the versions of flavor that have a series, newest first.
func (c *Catalog) Versions(flavor string) ([]string, error) {
	entries, err := c.Entries(flavor)
	var out []string
	for _, e := range entries {
		if e.Series {
			out = append(out, e.Version)
		}
	}
	return out, err
}

// Newest is the newest version of flavor with a series; a *NoSeriesError
// when it has none.
func (c *Catalog) Newest(flavor string) (string, error) {
	vs, err := c.Versions(flavor)
	if err != nil {
		return "", err
	}
	if len(vs) == 0 {
		return "", &NoSeriesError{Flavor: flavor}
	}
	return vs[0], nil
}

// Flavors lists the flavors that have a series or pins, by name.
func (c *Catalog) Flavors() ([]string, error) {
	dirs, err := fs.ReadDir(c.fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading the patches tree: %w", err)
	}
	var out []string
	for _, d := range dirs {
		if fi, err := fs.Stat(c.fsys, d.Name()); err != nil || !fi.IsDir() {
			continue
		}
		entries, err := c.Entries(d.Name())
		if err != nil {
			return nil, err
		}
		if len(entries) > 0 {
			out = append(out, d.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Series reads the series of flavor/version with patch.ReadSeries; a
// *NoSeriesError when there is none.
func (c *Catalog) Series(flavor, version string) (*patch.Series, error) {
	if err := c.HasSeries(flavor, version); err != nil {
		return nil, err
	}
	return patch.ReadSeries(c.fsys, path.Join(flavor, version))
}

// HasSeries returns a *NoSeriesError when flavor/version has no series
// file, nil when it has one (which Series may still find broken).
func (c *Catalog) HasSeries(flavor, version string) error {
	if validName(flavor) && validName(version) && c.exists(flavor, version, SeriesFile) {
		return nil
	}
	have, err := c.Versions(flavor)
	if err != nil {
		return err
	}
	return &NoSeriesError{Flavor: flavor, Version: version, Have: have}
}

func (c *Catalog) exists(flavor, version, name string) bool {
	_, err := fs.Stat(c.fsys, path.Join(flavor, version, name))
	return err == nil
}

// validName accepts a flavor or version that names one folder of the tree
// (a ref such as feature/x names nested folders): not hidden, not "." or
// "..", no empty part.
func validName(name string) bool {
	return name != "" && name != "." && fs.ValidPath(name) && !strings.HasPrefix(name, ".")
}

// Resolve returns the version of flavor whose series version names: itself
// when it has a series, else, for a branch such as master, its one snapshot
// folder REF-COMMIT (master-d9919c8: the branch at a pinned commit). A
// branch with several snapshots is an *AmbiguousError listing them: the
// tree records no order among them that would be safe to pick by (a
// commit's date says nothing of which series a host should run, and a new
// snapshot must not silently change what --version master installs), so
// the caller must name one. A version with no series at all is returned as
// it is, for Series to refuse.
func (c *Catalog) Resolve(flavor, version string) (string, error) {
	vs, err := c.Versions(flavor)
	if err != nil || slices.Contains(vs, version) {
		return version, err
	}
	var snaps []string
	for _, v := range vs {
		if ref, commit, ok := CutSnapshot(v); ok && ref == version && commit != "" {
			snaps = append(snaps, v)
		}
	}
	switch len(snaps) {
	case 0:
		return version, nil
	case 1:
		return snaps[0], nil
	}
	slices.Sort(snaps)
	return "", &AmbiguousError{Ref: version, Snapshots: snaps}
}

// CutSnapshot splits a snapshot folder name REF-COMMIT (master-d9919c8),
// COMMIT being 7 to 40 lower-case hex digits.
func CutSnapshot(v string) (ref, commit string, ok bool) {
	i := strings.LastIndex(v, "-")
	if i <= 0 {
		return "", "", false
	}
	ref, commit = v[:i], v[i+1:]
	if len(commit) < 7 || len(commit) > 40 || strings.Trim(commit, "0123456789abcdef") != "" {
		return "", "", false
	}
	return ref, commit, true
}

// SnapshotRef returns the branch a snapshot folder name REF-COMMIT is of.
func SnapshotRef(version string) (string, bool) {
	ref, _, ok := CutSnapshot(version)
	return ref, ok
}

// SnapshotCommit reports whether version is a snapshot folder name
// REF-COMMIT (master-d9919c8) whose pinned commit is commit: such a
// version is fetched by its commit, not by a ref of that name.
func SnapshotCommit(version, commit string) bool {
	_, short, ok := CutSnapshot(version)
	return ok && strings.HasPrefix(commit, short)
}

// ErrAmbiguous is matched (errors.Is) by every *AmbiguousError.
var ErrAmbiguous = errors.New("ambiguous version")

// AmbiguousError says that a branch has several snapshot series, and
// which, sorted by name.
type AmbiguousError struct {
	Ref       string
	Snapshots []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s is ambiguous: the patches tree has %d series of it, one for each pinned commit (%s): name one of them",
		e.Ref, len(e.Snapshots), strings.Join(e.Snapshots, ", "))
}

// Is reports whether target is ErrAmbiguous.
func (e *AmbiguousError) Is(target error) bool { return target == ErrAmbiguous }
