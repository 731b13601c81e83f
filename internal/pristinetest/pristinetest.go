// Package pristinetest gives tests the real pristine Bucardo 5.6.0 files.
//
// They come from Debian's bucardo_5.6.0.orig.tar.gz (the upstream release
// tarball, top folder Bucardo-5.6.0/), which `make pristine` downloads and
// BCFORK_PRISTINE_TARBALL names. A test asking for them is skipped when the
// variable is unset, unless BCFORK_REQUIRE_PRISTINE=1 (as in CI): then it fails.
// DebianFiles gives the files of Debian's bucardo 5.6.0-4 package the same
// way, and Fixture the tarballs of other releases in the shared fixtures.
package pristinetest

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
)

// Top is the top folder of the release tarball.
const Top = "Bucardo-5.6.0/"

// Tarball returns the path of the release tarball, or skips tb.
func Tarball(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv("BCFORK_PRISTINE_TARBALL")
	if _, err := os.Stat(p); p != "" && err == nil {
		return p
	}
	if os.Getenv("BCFORK_REQUIRE_PRISTINE") == "1" {
		tb.Fatalf("BCFORK_REQUIRE_PRISTINE=1 but BCFORK_PRISTINE_TARBALL=%q is not a file (make pristine)", p)
	}
	tb.Skip("BCFORK_PRISTINE_TARBALL not set: `make test` downloads Debian's orig tarball and sets it")
	return ""
}

// DebianFiles returns the folder holding bucardo and bucardo.schema of
// Debian's bucardo package 5.6.0-4, as `make pristine` writes it
// (scripts/debian-deb.sh) and BCFORK_DEBIAN_FILES names, or skips tb. As
// for Tarball, BCFORK_REQUIRE_PRISTINE=1 makes a missing folder a failure.
func DebianFiles(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv("BCFORK_DEBIAN_FILES")
	if fi, err := os.Stat(p); p != "" && err == nil && fi.IsDir() {
		return p
	}
	if os.Getenv("BCFORK_REQUIRE_PRISTINE") == "1" {
		tb.Fatalf("BCFORK_REQUIRE_PRISTINE=1 but BCFORK_DEBIAN_FILES=%q is not a folder (make pristine)", p)
	}
	tb.Skip("BCFORK_DEBIAN_FILES not set: `make test` extracts Debian's bucardo 5.6.0-4 package and sets it")
	return ""
}

// Fixture returns the path of the file name in the shared fixtures folder
// (release-style tarballs of Bucardo 5.4.1, 5.5.0 and master, see its
// README) that `make test` names in BCFORK_FIXTURES, or skips tb. As for
// Tarball, BCFORK_REQUIRE_PRISTINE=1 makes a missing file a failure.
func Fixture(tb testing.TB, name string) string {
	tb.Helper()
	dir := os.Getenv("BCFORK_FIXTURES")
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); dir != "" && err == nil {
		return p
	}
	if os.Getenv("BCFORK_REQUIRE_PRISTINE") == "1" {
		tb.Fatalf("BCFORK_REQUIRE_PRISTINE=1 but %q is not a file (BCFORK_FIXTURES=%q; make test sets it to ../shared/fixtures)", p, dir)
	}
	tb.Skipf("%s not found: `make test` sets BCFORK_FIXTURES to the shared fixtures folder", name)
	return ""
}

// Files returns bucardo and bucardo.schema of the release, or skips tb.
func Files(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := Read(Tarball(tb), bucardo.Names...)
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// Read returns the named files of the tarball's top folder, Top.
func Read(path string, names ...string) (map[string][]byte, error) {
	return ReadTop(path, Top, names...)
}

// ReadTop returns the named files of the tarball's folder top ("DIR/"):
// the fixtures' tarballs each have their own.
func ReadTop(path, top string, names ...string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", path, err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(gz)
	for len(files) < len(names) {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("reading %q: %w (found %d of %d files)", path, err, len(files), len(names))
		}
		for _, n := range names {
			if h.Name == top+n {
				if files[n], err = io.ReadAll(tr); err != nil {
					return nil, fmt.Errorf("reading %q: %w", path, err)
				}
			}
		}
	}
	return files, nil
}

// SeriesSource returns where the real pristine files of the built-in
// series flavor/version are (a release tarball or Debian's folder, as
// bcfork generate --from takes them), or skips tb; it fails tb for a
// series whose real files are not known here.
func SeriesSource(tb testing.TB, flavor, version string) string {
	tb.Helper()
	switch {
	case flavor == "upstream" && version == "5.6.0":
		return Tarball(tb)
	case flavor == "debian" && version == "5.6.0-4":
		return DebianFiles(tb)
	case flavor == "upstream":
		return Fixture(tb, "Bucardo-"+version+".tar.gz")
	}
	tb.Fatalf("no real files known for the series %s/%s: add them to pristinetest.SeriesSource", flavor, version)
	return ""
}

// SeriesFiles returns bucardo and bucardo.schema from SeriesSource.
func SeriesFiles(tb testing.TB, flavor, version string) map[string][]byte {
	tb.Helper()
	src := SeriesSource(tb, flavor, version)
	var files map[string][]byte
	var err error
	if fi, serr := os.Stat(src); serr == nil && fi.IsDir() {
		files = map[string][]byte{}
		for _, n := range bucardo.Names {
			if files[n], err = os.ReadFile(filepath.Join(src, n)); err != nil {
				break
			}
		}
	} else {
		top := Top
		if flavor == "upstream" && version != "5.6.0" {
			top = "Bucardo-" + version + "/"
		}
		files, err = ReadTop(src, top, bucardo.Names...)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// EachSeries runs f as a subtest of t for every series of the patches
// tree that versions lists by flavor (catalog.Catalog's Flavors and
// Versions), and fails t when there are fewer than the five built in:
// upstream 5.6.0, 5.5.0, 5.4.1, master and debian 5.6.0-4.
func EachSeries(t *testing.T, flavors func() ([]string, error), versions func(string) ([]string, error), f func(t *testing.T, flavor, version string)) {
	t.Helper()
	fl, err := flavors()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, flavor := range fl {
		vs, err := versions(flavor)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			n++
			t.Run(flavor+"/"+v, func(t *testing.T) { f(t, flavor, v) })
		}
	}
	if n < 5 {
		t.Errorf("%d series, want at least upstream 5.6.0, 5.5.0, 5.4.1, master and debian 5.6.0-4", n)
	}
}
