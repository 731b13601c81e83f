package install

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealDpkgDivert installs a dummy package with dpkg, installs a fork
// over its files (diverting them), upgrades the package and checks that
// the fork survives, uninstalls, and purges the package.
func TestRealDpkgDivert(t *testing.T) {
	if os.Geteuid() != 0 || os.Getenv("BCFORK_DPKG_TEST") != "1" {
		t.Skip("needs root and BCFORK_DPKG_TEST=1: it installs a dummy package with dpkg -i on this host's real root and diverts its files with dpkg-divert (CI e2e sets it)")
	}
	for _, tool := range []string{"dpkg", "dpkg-deb", "dpkg-divert"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("BCFORK_DPKG_TEST=1 but %s is missing: %v", tool, err)
		}
	}
	const (
		pkg    = "bcfork-dpkg-test"
		dir    = "/opt/bcfork-dpkg-test"
		bin    = dir + "/bucardo"
		schema = dir + "/bucardo.schema"
	)
	ctx := context.Background()
	work := t.TempDir()
	deb1 := buildDeb(t, work, pkg, "1.0", "#!/bin/sh\n# dummy bucardo 1.0\n")
	deb2 := buildDeb(t, work, pkg, "2.0", "#!/bin/sh\n# dummy bucardo 2.0\n")
	t.Cleanup(func() {
		for _, p := range []string{bin, schema} {
			exec.Command("dpkg-divert", "--local", "--no-rename", "--remove", p).Run()
		}
		exec.Command("dpkg", "--purge", pkg).Run()
		os.RemoveAll(dir)
	})
	run(t, "dpkg", "-i", deb1)

	dpkg, err := NewDpkg()
	require.NoError(t, err)
	o := Options{StateDir: filepath.Join(work, "state"), Bin: bin, Schema: schema, Dpkg: dpkg, Now: fixedNow}
	fork := writeFork(t, "5.6.0")
	_, err = Install(ctx, fork, o)
	require.NoError(t, err)
	list := run(t, "dpkg-divert", "--list")
	for _, p := range []string{bin, schema} {
		if !strings.Contains(list, "local diversion of "+p+" to "+p+".distrib") {
			t.Fatalf("dpkg-divert --list lacks %s:\n%s", p, list)
		}
	}
	assert.Equal(t, sumOf(t, fork, "bucardo"), sumOf(t, "/", bin), "fork installed")
	assert.Equal(t, "#!/bin/sh\n# dummy bucardo 1.0\n", readString(t, "/", bin+".distrib"), "packaged file diverted")
	assertClean(t, o)

	run(t, "dpkg", "-i", deb2)
	assert.Equal(t, sumOf(t, fork, "bucardo"), sumOf(t, "/", bin), "fork survives the package upgrade")
	assert.Equal(t, "#!/bin/sh\n# dummy bucardo 2.0\n", readString(t, "/", bin+".distrib"), "upgrade went to the diverted name")
	assertClean(t, o)

	_, err = Uninstall(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, "#!/bin/sh\n# dummy bucardo 2.0\n", readString(t, "/", bin), "the package's current file is back")
	if list := run(t, "dpkg-divert", "--list"); strings.Contains(list, dir) {
		t.Fatalf("diversions left:\n%s", list)
	}
	st, err := Status(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, ContentPackaged, st.Targets[0].Content, "status of the restored file")
	assert.Equal(t, pkg, st.Targets[0].Package, "package")

	run(t, "dpkg", "--purge", pkg)
	wantExists(t, bin, false)
}

func assertClean(t *testing.T, o Options) {
	t.Helper()
	st, err := Status(context.Background(), o)
	require.NoError(t, err)
	if st.Drifted() || st.Targets[0].Diversion == nil || st.Targets[0].Diversion.By != Local {
		t.Fatalf("status: drift %q, diversion %v", st.Drift, st.Targets[0].Diversion)
	}
}

// buildDeb builds a package that ships bucardo and bucardo.schema in /opt/bcfork-dpkg-test.
func buildDeb(t *testing.T, work, pkg, version, script string) string {
	t.Helper()
	root := filepath.Join(work, pkg+"-"+version)
	put(t, root, "/DEBIAN/control", "Package: "+pkg+"\nVersion: "+version+"\nArchitecture: all\nMaintainer: bcfork tests <tests@invalid>\nDescription: dummy package for bcfork's dpkg-divert test\n", 0o644)
	put(t, root, "/opt/bcfork-dpkg-test/bucardo", script, 0o755)
	put(t, root, "/opt/bcfork-dpkg-test/bucardo.schema", "-- dummy schema "+version+"\n", 0o644)
	deb := root + ".deb"
	run(t, "dpkg-deb", "--root-owner-group", "--build", root, deb)
	return deb
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
