package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/bcfork/bcfork/upstream"
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
	checkDebianPins(t, m)
	checkOffsetsZero(t, m)
	checkPerlCompiles(t, filepath.Join(out, "bucardo"))
	checkToolsAgree(t, out, debianSeries)
}

func checkDebianPins(t *testing.T, m *generator.Manifest) {
	f, err := os.Open(filepath.Join(debianSeries, "checksums"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pins, err := upstream.ReadChecksums(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(pins) != len(generator.Names) {
		t.Errorf("checksums pin %d files, want %d", len(pins), len(generator.Names))
	}
	for _, n := range generator.Names {
		in, ok := m.Input(n)
		if !ok || in.SHA256 != pins[n] {
			t.Errorf("input %s: manifest sha256 %q, pin %q", n, in.SHA256, pins[n])
		}
	}
}

// checkToolsAgree is checkExternalTools for the series in dir: GNU patch
// and git apply, applied to copies of the pristine files, must produce the
// bytes bcfork wrote.
func checkToolsAgree(t *testing.T, fork, dir string) {
	series := seriesPatches(t, dir)
	for _, tool := range [][]string{{"patch", "-p1", "--quiet", "--no-backup-if-mismatch", "-i"}, {"git", "apply", "--whitespace=nowarn"}} {
		work := t.TempDir()
		for _, n := range generator.Names {
			copyFile(t, filepath.Join(fork, n+generator.OrigSuffix), filepath.Join(work, n))
		}
		for _, p := range series {
			cmd := exec.Command(tool[0], append(tool[1:], p)...)
			cmd.Dir = work
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s %s: %v\n%s", tool[0], filepath.Base(p), err, out)
			}
		}
		for _, n := range generator.Names {
			want, _ := os.ReadFile(filepath.Join(fork, n))
			got, _ := os.ReadFile(filepath.Join(work, n))
			if !bytes.Equal(got, want) {
				t.Errorf("%s: %s result differs from bcfork's", n, tool[0])
			}
		}
	}
}
