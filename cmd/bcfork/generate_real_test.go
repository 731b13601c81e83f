package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bcfork/bcfork/generator"
	"github.com/bcfork/bcfork/internal/bucardo"
	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// patchesDir is the patches tree in the source tree.
const patchesDir = "../../patches"

// TestGenerateReal5_6_0 checks the fork of the real pristine 5.6.0 files,
// with the built-in series.
func TestGenerateReal5_6_0(t *testing.T) {
	m := checkRealFork(t, "upstream", "5.6.0", "--from", pristinetest.Tarball(t))
	// The manifest names the tarball as anyone can find it again, not by
	// the path generate was given.
	want := generator.Source{Kind: "tarball", Location: "bucardo_5.6.0.orig.tar.gz",
		SHA256: "80ec23d2f362f41bb2cf6ab18bb3d21882a7457eb1784130135152f1786fdf01",
		Commit: m.Source.Commit}
	if m.Source != want {
		t.Errorf("manifest source %+v, want %+v", m.Source, want)
	}
}

// TestGenerateEverySeries checks the fork of every series of the patches
// tree, canonical and derived, made from the real files of its release.
func TestGenerateEverySeries(t *testing.T) {
	c := catalog.New(os.DirFS(patchesDir))
	pristinetest.EachSeries(t, c.Flavors, c.Versions, func(t *testing.T, flavor, v string) {
		checkRealFork(t, flavor, v, "--from", pristinetest.SeriesSource(t, flavor, v), "--patches", patchesDir)
	})
}

// checkRealFork generates the fork of flavor/version with the extra
// arguments args and checks it the ways the series promises: pins match,
// every hunk at offset 0, the script compiles, and GNU patch and git apply
// the same series to the same result.
func checkRealFork(t *testing.T, flavor, version string, args ...string) *generator.Manifest {
	out := filepath.Join(t.TempDir(), "fork")
	args = append([]string{"bcfork", "generate", "--flavor", flavor, "--version", version, "--out", out, "--no-cache"}, args...)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	require.Zero(t, code, "generate: exit code\nstdout:\n%s\nstderr:\n%s", &stdout, &stderr)
	m, err := generator.ReadManifest(out)
	require.NoError(t, err)
	assert.Equal(t, flavor+" "+version, m.Flavor+" "+m.Version, "the manifest's flavor and version")
	checkPins(t, m)
	checkOffsetsZero(t, m)
	checkPerlCompiles(t, filepath.Join(out, "bucardo"))
	checkExternalTools(t, out, m)
	return m
}

// checkPins requires the manifest's inputs to be the files that the
// checksums of its series pin, both of them.
func checkPins(t *testing.T, m *generator.Manifest) {
	pins, err := catalog.New(os.DirFS(patchesDir)).Pins(m.Flavor, m.Version)
	require.NoError(t, err)
	assert.Len(t, pins, len(bucardo.Names), "files the checksums pin")
	for _, n := range bucardo.Names {
		in, ok := m.Input(n)
		assert.True(t, ok, "input %s in the manifest", n)
		assert.Equal(t, pins[n], in.SHA256, "input %s: the pinned sha256", n)
	}
}

func checkOffsetsZero(t *testing.T, m *generator.Manifest) {
	require.NotEmpty(t, m.Patches, "the manifest's patches")
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

// checkExternalTools applies the series of the manifest's flavor and
// version with GNU patch and with git apply to copies of the pristine files
// and requires the exact bytes bcfork wrote.
func checkExternalTools(t *testing.T, fork string, m *generator.Manifest) {
	series := seriesPatches(t, m)
	for _, tool := range [][]string{{"patch", "-p1", "--quiet", "--no-backup-if-mismatch", "-i"}, {"git", "apply", "--whitespace=nowarn"}} {
		dir := t.TempDir()
		for _, n := range bucardo.Names {
			copyFile(t, filepath.Join(fork, n+generator.OrigSuffix), filepath.Join(dir, n))
		}
		for _, p := range series {
			cmd := exec.Command(tool[0], append(tool[1:], p)...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s %s: %v\n%s", tool[0], filepath.Base(p), err, out)
			}
		}
		for _, n := range bucardo.Names {
			want, _ := os.ReadFile(filepath.Join(fork, n))
			got, _ := os.ReadFile(filepath.Join(dir, n))
			if !bytes.Equal(got, want) {
				t.Errorf("%s: %s result differs from bcfork's", n, tool[0])
			}
		}
	}
}

// seriesPatches lists the absolute paths of the patches of the manifest's
// series, in order.
func seriesPatches(t *testing.T, m *generator.Manifest) []string {
	s, err := catalog.New(os.DirFS(patchesDir)).Series(m.Flavor, m.Version)
	require.NoError(t, err)
	var out []string
	for _, p := range s.Patches {
		abs, _ := filepath.Abs(filepath.Join(patchesDir, m.Flavor, m.Version, p.Name))
		out = append(out, abs)
	}
	return out
}

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o644))
}

// TestGenerateMasterTarball: upstream master's tarball still says $VERSION
// = '5.6.0'. Without --version it is taken for 5.6.0 and refused, with a
// hint that names the version it is; --version master names the series
// of the master commit the patches tree has.
func TestGenerateMasterTarball(t *testing.T) {
	tarball := pristinetest.Fixture(t, "Bucardo-master-d9919c8.tar.gz")
	var stdout, stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "fork")
	args := []string{"bcfork", "generate", "--patches", patchesDir, "--from", tarball, "--no-cache", "--out", out}
	require.Equal(t, ExitChecksum, run(context.Background(), args, &stdout, &stderr), "exit code; stderr:\n%s", &stderr)
	want := "bcfork: hint: these are the files of master-d9919c8, master at a commit, whose script still says $VERSION = '5.6.0': add --version master-d9919c8 (--version master names it too)\n"
	assert.True(t, strings.HasSuffix(stderr.String(), want), "stderr:\n%s\nwant it to end with\n%s", &stderr, want)
	stderr.Reset()
	require.Zero(t, run(context.Background(), append(args, "--version", "master"), &stdout, &stderr), "--version master: exit code; stderr:\n%s", &stderr)
	m, err := generator.ReadManifest(out)
	require.NoError(t, err)
	assert.Equal(t, "master-d9919c8", m.Version)
	assert.Equal(t, "d9919c804d2c84a25e9bd8895908e80932609160", m.Source.Commit)
}

// TestGenerateMasterTarballAmbiguous: with a second series of master in
// the patches tree, --version master is refused as ambiguous, so the hint
// after master's tarball taken for 5.6.0 names the series the files are
// of and does not offer --version master.
func TestGenerateMasterTarballAmbiguous(t *testing.T) {
	tarball := pristinetest.Fixture(t, "Bucardo-master-d9919c8.tar.gz")
	tree := t.TempDir()
	require.NoError(t, os.CopyFS(filepath.Join(tree, "upstream"), os.DirFS(filepath.Join(patchesDir, "upstream"))))
	other := filepath.Join(tree, "upstream", "master-1a2b3c4")
	require.NoError(t, os.CopyFS(other, os.DirFS(filepath.Join(patchesDir, "upstream", "master-d9919c8"))))
	require.NoError(t, os.WriteFile(filepath.Join(other, "commit"), []byte("1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(other, "checksums"), []byte(
		"ad480ffcb8a80f9b3dda4cae4335953455b377459c3025020a9383e4ab76e7ce  bucardo\n"+
			"4d054cc924dddb391a42edb3790dc02745629df7f22b93b11b20edf512164a1d  bucardo.schema\n"), 0o644))
	var stdout, stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "fork")
	args := []string{"bcfork", "generate", "--patches", tree, "--from", tarball, "--no-cache", "--out", out}
	require.Equal(t, ExitChecksum, run(context.Background(), args, &stdout, &stderr), "exit code; stderr:\n%s", &stderr)
	want := "bcfork: hint: these are the files of master-d9919c8, master at a commit, whose script still says $VERSION = '5.6.0': add --version master-d9919c8\n"
	assert.True(t, strings.HasSuffix(stderr.String(), want), "stderr:\n%s\nwant it to end with\n%s", &stderr, want)
	stderr.Reset()
	require.Equal(t, ExitUsage, run(context.Background(), append(args, "--version", "master"), &stdout, &stderr), "--version master: exit code; stderr:\n%s", &stderr)
	assert.Contains(t, stderr.String(), "master is ambiguous")
	stderr.Reset()
	require.Zero(t, run(context.Background(), append(args, "--version", "master-d9919c8"), &stdout, &stderr), "--version master-d9919c8: exit code; stderr:\n%s", &stderr)
}

// TestGenerateDebianFilesNamed gives Debian's real 5.6.0-4 files without
// --flavor: they fail upstream 5.6.0's pins (exit 4), the hint names them
// by the debian flavor's pins, and its command, run as printed, generates
// their fork.
func TestGenerateDebianFilesNamed(t *testing.T) {
	out := filepath.Join(t.TempDir(), "fork")
	args := []string{"bcfork", "generate", "--from", pristinetest.DebianFiles(t), "--out", out, "--no-cache"}
	var stdout, stderr bytes.Buffer
	require.Equal(t, ExitChecksum, run(context.Background(), args, &stdout, &stderr), "exit code; stderr:\n%s", &stderr)
	want := "bcfork: hint: this is Debian's 5.6.0-4 bucardo (pinned in debian/5.6.0-4/checksums), not a file of the release asked for: add --flavor debian --version 5.6.0-4: `"
	hint, ok := strings.CutPrefix(lastLine(stderr.String()), want)
	require.True(t, ok, "stderr lacks %q:\n%s", want, &stderr)
	require.False(t, strings.ContainsAny(hint, `'"\`), "quotes in the hint's command: %s", hint)
	cmd := strings.Fields(strings.TrimSuffix(hint, "`"))
	stderr.Reset()
	require.Zero(t, run(context.Background(), cmd, &stdout, &stderr), "%s: exit code; stderr:\n%s", cmd, &stderr)
	m, err := generator.ReadManifest(out)
	require.NoError(t, err)
	assert.Equal(t, "debian", m.Flavor)
	assert.Equal(t, "5.6.0-4", m.Version)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestOfflineRouteReal: without GitHub, the hint's tarball route, run as
// printed beside Debian's real orig tarball, generates the fork.
func TestOfflineRouteReal(t *testing.T) {
	tarball := pristinetest.Tarball(t)
	t.Chdir(t.TempDir())
	data, err := os.ReadFile(tarball)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile("bucardo_5.6.0.orig.tar.gz", data, 0o644))
	args := []string{"bcfork", "generate", "--version", "5.6.0", "--github-api", "http://127.0.0.1:1/", "--no-cache"}
	var stdout, stderr bytes.Buffer
	require.Equal(t, ExitFailure, run(context.Background(), args, &stdout, &stderr), "exit code; stderr:\n%s", &stderr)
	require.Contains(t, stderr.String(), "cannot reach the GitHub API")
	m := regexp.MustCompile("downloads bucardo_5.6.0.orig.tar.gz, then `([^`]*)`").FindStringSubmatch(stderr.String())
	require.NotNil(t, m, "no tarball route in the hint:\n%s", &stderr)
	stderr.Reset()
	require.Zero(t, run(context.Background(), strings.Fields(m[1]), &stdout, &stderr), "%s: exit code; stderr:\n%s", m[1], &stderr)
	_, err = generator.ReadManifest("bcfork-5.6.0")
	assert.NoError(t, err, "%s wrote no fork", m[1])
}
