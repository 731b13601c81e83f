package rebase_test

import (
	"os"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/bcfork/bcfork/patch"
	"github.com/bcfork/bcfork/rebase"
)

// BenchmarkRebaseMaster carries the real 5.6.0 series onto upstream
// master d9919c8 (the shared fixture) in memory, as bcfork rebase does:
// Run, Verify and Files. Reading, hashing and writing are left out.
func BenchmarkRebaseMaster(b *testing.B) {
	old := pristinetest.Files(b)
	onto, err := pristinetest.ReadTop(pristinetest.Fixture(b, "Bucardo-master-d9919c8.tar.gz"), "Bucardo-master-d9919c8/", bucardo.Names...)
	if err != nil {
		b.Fatal(err)
	}
	fsys := os.DirFS("../patches")
	series, err := patch.ReadSeries(fsys, "upstream/5.6.0")
	if err != nil {
		b.Fatal(err)
	}
	text, err := os.ReadFile("../patches/upstream/5.6.0/series")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(onto[bucardo.Script]) + len(onto[bucardo.Schema])))
	b.ReportAllocs()
	for b.Loop() {
		r := &rebase.Rebase{Series: series, SeriesFile: text, Old: old, New: onto, Date: "2026-12-02",
			From: rebase.Label{Flavor: "upstream", Version: "5.6.0"}, Onto: rebase.Label{Flavor: "upstream", Version: "master"}}
		if err := r.Run(); err != nil {
			b.Fatal(err)
		}
		if err := r.Verify(); err != nil {
			b.Fatal(err)
		}
		if len(r.Files()) == 0 {
			b.Fatal("no files")
		}
	}
}
