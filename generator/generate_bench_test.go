package generator_test

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/bcfork/bcfork/generator"
)

// BenchmarkGenerateReal generates the 5.6.0 fork in memory from the real
// pristine files (BCFORK_PRISTINE_TARBALL) and the stored series: parsing
// is done once, the loop is Apply plus the manifest's sums.
func BenchmarkGenerateReal(b *testing.B) {
	files := releaseFiles(b)
	series, err := generator.ReadSeries(os.DirFS("../patches"), "upstream/5.6.0")
	if err != nil {
		b.Fatal(err)
	}
	opt := generator.Options{
		Bcfork:  "bench",
		Flavor:  "upstream",
		Version: "5.6.0",
		Source:  generator.Source{Kind: "tarball", Location: os.Getenv("BCFORK_PRISTINE_TARBALL")},
		Files:   files,
		Series:  series,
	}
	b.SetBytes(int64(len(files[generator.Script]) + len(files[generator.Schema])))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := generator.Generate(opt); err != nil {
			b.Fatal(err)
		}
	}
}

// releaseFiles reads bucardo and bucardo.schema from the 5.6.0 release
// tarball BCFORK_PRISTINE_TARBALL names; it skips when that is unset,
// unless BCFORK_REQUIRE_PRISTINE=1.
func releaseFiles(tb testing.TB) map[string][]byte {
	tb.Helper()
	path := os.Getenv("BCFORK_PRISTINE_TARBALL")
	if path == "" {
		if os.Getenv("BCFORK_REQUIRE_PRISTINE") == "1" {
			tb.Fatal("BCFORK_REQUIRE_PRISTINE=1 but BCFORK_PRISTINE_TARBALL is unset")
		}
		tb.Skip("BCFORK_PRISTINE_TARBALL unset")
	}
	files, err := untar(path, "Bucardo-5.6.0/")
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// untar returns the files generator.Names from folder dir of a .tar.gz.
func untar(path, dir string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", path, err)
	}
	want := map[string]bool{}
	for _, n := range generator.Names {
		want[dir+n] = true
	}
	files := map[string][]byte{}
	tr := tar.NewReader(gz)
	for len(files) < len(want) {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("reading %q: %w (found %d of %d files)", path, err, len(files), len(want))
		}
		if want[h.Name] {
			if files[h.Name[len(dir):]], err = io.ReadAll(tr); err != nil {
				return nil, fmt.Errorf("reading %q: %w", path, err)
			}
		}
	}
	return files, nil
}
