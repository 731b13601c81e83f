package install

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bcfork/bcfork/internal/catalog"
	"github.com/bcfork/bcfork/internal/pristinetest"
)

// packagedHost is a root whose script belongs to a package, with a fake
// dpkg that knows it. The state folder is outside the root.
func packagedHost(t *testing.T) (root string, o Options, dpkg *fakeDpkg) {
	root, o = hostWithOriginals(t)
	dpkg = newFakeDpkg(t, map[string]string{DefaultBin: "bucardo"})
	o.Dpkg = dpkg
	return root, o, dpkg
}

func TestInstallDivertsPackagedTarget(t *testing.T) {
	ctx := context.Background()
	root, o, dpkg := packagedHost(t)
	fork := writeFork(t, "5.6.0")
	res, err := Install(ctx, fork, o)
	must(t, err)
	eq(t, strings.Contains(strings.Join(res.Actions, "\n"), "divert"), true, "actions: "+strings.Join(res.Actions, "\n"))

	div := dpkg.diversions(t)
	eq(t, div[DefaultBin], Diversion{To: DefaultBin + ".distrib", By: Local}, "diversion")
	eq(t, len(div), 1, "only the packaged target is diverted")
	eq(t, readString(t, root, DefaultBin+".distrib"), origScript, "the packaged file at the diverted name")
	eq(t, sumOf(t, root, DefaultBin), sumOf(t, fork, "bucardo"), "fork")

	st, err := Status(ctx, o)
	must(t, err)
	eq(t, st.Drifted(), false, "drifted: "+strings.Join(st.Drift, "; "))
	eq(t, st.Targets[0].Diversion != nil, true, "status shows the diversion")

	// A package upgrade writes to the diverted name; the fork stays.
	put(t, root, DefaultBin+".distrib", origScript+"# 5.6.0-5\n", 0o755)
	st, err = Status(ctx, o)
	must(t, err)
	eq(t, st.Targets[0].Content, ContentFork, "fork survives a package upgrade")

	res, err = Uninstall(ctx, o)
	must(t, err)
	eq(t, readString(t, root, DefaultBin), origScript+"# 5.6.0-5\n", "uninstall puts back the package's current file")
	eq(t, strings.Contains(strings.Join(res.Notes, "\n"), "was the package upgraded?"), true, "notes: "+strings.Join(res.Notes, "\n"))
	eq(t, len(dpkg.diversions(t)), 0, "diversions left")
	wantExists(t, filepath.Join(root, DefaultBin+".distrib"), false)
}

func TestDiversionRemovedIsDrift(t *testing.T) {
	ctx := context.Background()
	_, o, dpkg := packagedHost(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	must(t, err)
	must(t, dpkg.RemoveDiversion(ctx, DefaultBin, DefaultBin+".distrib"))
	st, err := Status(ctx, o)
	must(t, err)
	eq(t, st.Drifted(), true, "drifted")
	eq(t, strings.Contains(strings.Join(st.Drift, "\n"), "diversion"), true, strings.Join(st.Drift, "\n"))

	res, err := Install(ctx, writeFork(t, "5.6.0"), o)
	must(t, err)
	eq(t, res.NoOp, false, "reinstall puts the diversion back")
	eq(t, len(dpkg.diversions(t)), 1, "diversions")
}

func TestDivertedByOtherIsRefused(t *testing.T) {
	ctx := context.Background()
	root, o, dpkg := packagedHost(t)
	must(t, dpkg.change("", "", func(s *dpkgState) error {
		s.Diversions[DefaultBin] = Diversion{To: DefaultBin + ".other", By: "other-pkg"}
		return nil
	}))
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	if err == nil || !strings.Contains(err.Error(), "already diverted") {
		t.Fatalf("want a refusal, got %v", err)
	}
	eq(t, readString(t, root, DefaultBin), origScript, "untouched")
}

func TestStatusStates(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	fork := writeFork(t, "5.6.0")
	sums := sumOf(t, fork, "bucardo.orig") + "  bucardo\n" + sumOf(t, fork, "bucardo.schema.orig") + "  bucardo.schema\n"
	pins := catalog.New(fstest.MapFS{"upstream/5.6.0/checksums": {Data: []byte(sums)}})
	o := Options{Root: root, Now: fixedNow, Pins: pins}
	contents := func() string {
		t.Helper()
		st, err := Status(ctx, o)
		must(t, err)
		var out []string
		for _, ts := range st.Targets {
			out = append(out, ts.Content)
		}
		return st.State + ": " + strings.Join(out, " ") + " drifted=" + map[bool]string{true: "yes", false: "no"}[st.Drifted()]
	}
	eq(t, contents(), "not installed: absent absent drifted=no", "empty host")

	put(t, root, DefaultBin, readString(t, fork, "bucardo.orig"), 0o755)
	put(t, root, DefaultSchema, "something else\n", 0o644)
	eq(t, contents(), "not installed: pristine unknown drifted=no", "pristine and other")

	_, err := Install(ctx, fork, o)
	must(t, err)
	eq(t, contents(), "installed: fork fork drifted=no", "installed")

	must(t, os.Remove(filepath.Join(root, DefaultSchema)))
	eq(t, contents(), "installed: fork absent drifted=yes", "schema removed")

	must(t, os.Chmod(filepath.Join(root, DefaultBin), 0o644))
	st, err := Status(ctx, o)
	must(t, err)
	eq(t, strings.Contains(strings.Join(st.Drift, "\n"), "mode 0644"), true, strings.Join(st.Drift, "\n"))

	put(t, root, DefaultBin, "#!/usr/bin/perl\n", 0o755)
	eq(t, contents(), "installed: modified absent drifted=yes", "script changed")

	o.Force = true
	_, err = Install(ctx, fork, o)
	must(t, err)
	rc, _ := ReadReceipt(filepath.Join(root, "/var/lib/bcfork/receipt.json"))
	rc.State = StateInstalling
	must(t, os.WriteFile(filepath.Join(root, "/var/lib/bcfork/receipt.json"), rc.encode(), 0o644))
	eq(t, contents(), "installing: fork fork drifted=yes", "interrupted")
}

func TestStatusKnowsDebianFiles(t *testing.T) {
	// Debian's packaged script, from the package itself (make test fetches it).
	data, err := os.ReadFile(filepath.Join(pristinetest.DebianFiles(t), "bucardo"))
	must(t, err)
	root := t.TempDir()
	put(t, root, DefaultBin, string(data), 0o755)
	st, err := Status(context.Background(), Options{Root: root})
	must(t, err)
	eq(t, st.Targets[0].Content, ContentPackaged, "content")
	eq(t, st.Targets[0].Description, "packaged file of bucardo 5.6.0-4", "description")
}
