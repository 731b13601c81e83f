package upstream

import (
	"os"
	"testing"
)

// BenchmarkReadTarball reads the two files from the real 5.6.0 release
// tarball (BCFORK_PRISTINE_TARBALL).
func BenchmarkReadTarball(b *testing.B) {
	file := os.Getenv("BCFORK_PRISTINE_TARBALL")
	if file == "" {
		b.Skip("BCFORK_PRISTINE_TARBALL is not set")
	}
	b.ReportAllocs()
	for b.Loop() {
		var r Release
		if err := readTarball(&r, file, false); err != nil {
			b.Fatal(err)
		}
	}
}
