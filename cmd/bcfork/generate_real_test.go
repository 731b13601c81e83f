package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/bcfork/bcfork/upstream"

	"github.com/bcfork/bcfork/generator"
)

// upstreamSeries is the series folder of upstream 5.6.0, in the source tree.
const upstreamSeries = "../../patches/upstream/5.6.0"

// TestGenerateReal5_6_0 generates the fork from the real pristine 5.6.0 files
// and checks it the ways the series promises: pins match, every hunk at
// offset 0, the script compiles, and GNU patch and git apply the same series
// to the same result.
func TestGenerateReal5_6_0(t *testing.T) {
	tarball := pristinetest.Tarball(t)
	out := filepath.Join(t.TempDir(), "fork")
	var stdout, stderr bytes.Buffer
	args := []string{"bcfork", "generate", "--version", "5.6.0", "--from", tarball, "--out", out, "--no-cache"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("generate exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	m, err := generator.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	checkPins(t, m, upstreamSeries)
	checkOffsetsZero(t, m)
	checkPerlCompiles(t, filepath.Join(out, "bucardo"))
	checkExternalTools(t, out, upstreamSeries)
}

// checkPins requires the manifest's inputs to be the files the checksums
// of seriesDir pin, both of them.
func checkPins(t *testing.T, m *generator.Manifest, seriesDir string) {
	f, err := os.Open(filepath.Join(seriesDir, "checksums"))
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

func checkOffsetsZero(t *testing.T, m *generator.Manifest) {
	if len(m.Patches) == 0 {
		t.Fatal("manifest lists no patches")
	}
	for _, p := range m.Patches {
		for i, h := range p.Hunks {
			if h.Offset != 0 || h.Fuzz != 0 {
				t.Errorf("%s hunk %d (%s %s): offset %d fuzz %d, want exact", p.Name, i+1, h.File, h.Header, h.Offset, h.Fuzz)
			}
		}
	}
}

// checkPerlCompiles runs perl -c on the fork. Where DBI is not installed (a
// machine with only Go and perl), an empty DBI module stands in: the check is
// about the fork's syntax, not about its dependencies.
func checkPerlCompiles(t *testing.T, script string) {
	args := []string{"-c", script}
	if exec.Command("perl", "-MDBI", "-e1").Run() != nil {
		lib := t.TempDir()
		os.WriteFile(filepath.Join(lib, "DBI.pm"), []byte("package DBI;\n1;\n"), 0o644)
		args = append([]string{"-I", lib}, args...)
	}
	out, err := exec.Command("perl", args...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "syntax OK") {
		t.Errorf("perl %v: %v\n%s", args, err, out)
	}
}

// checkExternalTools applies the series in seriesDir with GNU patch and with
// git apply to copies of the pristine files and requires the exact bytes
// bcfork wrote.
func checkExternalTools(t *testing.T, fork, seriesDir string) {
	series := seriesPatches(t, seriesDir)
	for _, tool := range [][]string{{"patch", "-p1", "--quiet", "--no-backup-if-mismatch", "-i"}, {"git", "apply", "--whitespace=nowarn"}} {
		dir := t.TempDir()
		for _, n := range generator.Names {
			copyFile(t, filepath.Join(fork, n+generator.OrigSuffix), filepath.Join(dir, n))
		}
		for _, p := range series {
			cmd := exec.Command(tool[0], append(tool[1:], p)...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s %s: %v\n%s", tool[0], filepath.Base(p), err, out)
			}
		}
		for _, n := range generator.Names {
			want, _ := os.ReadFile(filepath.Join(fork, n))
			got, _ := os.ReadFile(filepath.Join(dir, n))
			if !bytes.Equal(got, want) {
				t.Errorf("%s: %s result differs from bcfork's", n, tool[0])
			}
		}
	}
}

func seriesPatches(t *testing.T, dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "series"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		abs, _ := filepath.Abs(filepath.Join(dir, strings.Fields(line)[0]))
		out = append(out, abs)
	}
	return out
}

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
