package generator_test

import (
	"os"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/bcfork/bcfork/patch"

	"github.com/bcfork/bcfork/generator"
)

// BenchmarkGenerateReal generates the 5.6.0 fork in memory from the real
// pristine files (BCFORK_PRISTINE_TARBALL) and the stored series: parsing
// is done once, the loop is Apply plus the manifest's sums.
func BenchmarkGenerateReal(b *testing.B) {
	files := pristinetest.Files(b)
	series, err := patch.ReadSeries(os.DirFS("../patches"), "upstream/5.6.0")
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
	b.SetBytes(int64(len(files[bucardo.Script]) + len(files[bucardo.Schema])))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := generator.Generate(opt); err != nil {
			b.Fatal(err)
		}
	}
}
