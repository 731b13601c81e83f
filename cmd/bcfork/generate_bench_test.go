package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/pristinetest"
)

// BenchmarkGenerateRun runs the whole of bcfork generate in process, from
// the real pristine files (BCFORK_PRISTINE_TARBALL) in a folder and from
// the tarball, into a fork folder it replaces each time: what a start of
// bcfork generate costs past the runtime's own start-up.
func BenchmarkGenerateRun(b *testing.B) {
	files := pristinetest.Files(b)
	src := b.TempDir()
	for _, n := range bucardo.Names {
		if err := os.WriteFile(filepath.Join(src, n), files[n], 0o644); err != nil {
			b.Fatal(err)
		}
	}
	out := filepath.Join(b.TempDir(), "fork")
	for _, c := range []struct{ name, from string }{
		{"dir", src},
		{"tarball", os.Getenv("BCFORK_PRISTINE_TARBALL")},
	} {
		b.Run(c.name, func(b *testing.B) {
			args := []string{"bcfork", "generate", "--version", "5.6.0", "--from", c.from, "--no-cache", "--out", out, "--force"}
			b.ReportAllocs()
			for b.Loop() {
				if code := run(context.Background(), args, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
