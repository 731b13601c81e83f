package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/pristinetest"
)

// debianSeries is the series folder of the debian flavor, in the source tree.
const debianSeries = "../../patches/debian/5.6.0-4"

// TestGenerateDebian5_6_0_4 generates the fork of the debian flavor from the
// real files of Debian's bucardo 5.6.0-4 package and checks it the ways the
// series promises: pins match, every hunk at offset 0, the script compiles,
// and GNU patch and git apply the same series to the same result.
func TestGenerateDebian5_6_0_4(t *testing.T) {
	from := pristinetest.DebianFiles(t)
	out := filepath.Join(t.TempDir(), "fork")
	var stdout, stderr bytes.Buffer
	args := []string{"bcfork", "generate", "--flavor", "debian", "--version", "5.6.0-4", "--from", from,
		"--patches", "../../patches", "--out", out, "--no-cache"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("generate exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	m, err := generator.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Flavor != "debian" || m.Version != "5.6.0-4" {
		t.Errorf("manifest says %s %s, want debian 5.6.0-4", m.Flavor, m.Version)
	}
	checkPins(t, m, debianSeries)
	checkOffsetsZero(t, m)
	checkPerlCompiles(t, filepath.Join(out, "bucardo"))
	checkExternalTools(t, out, debianSeries)
}
