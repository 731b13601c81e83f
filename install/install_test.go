package install

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const (
	origScript = "#!/usr/bin/perl\n# the packaged bucardo\nour $VERSION = '5.6.0';\n"
	origSchema = "-- the schema someone put here\n"
)

// hostWithOriginals is a root with a script (mode 0750) and a schema
// (0640) at the default paths.
func hostWithOriginals(t *testing.T) (root string, o Options) {
	root = t.TempDir()
	put(t, root, DefaultBin, origScript, 0o750)
	put(t, root, DefaultSchema, origSchema, 0o640)
	return root, Options{Root: root, Now: fixedNow, Bcfork: "test"}
}

func TestInstallReplacesBothAndKeepsOriginals(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	fork := writeFork(t, "5.6.0")

	res, err := Install(ctx, fork, o)
	must(t, err)
	eq(t, res.NoOp, false, "no-op")
	eq(t, sumOf(t, root, DefaultBin), sumOf(t, fork, "bucardo"), "script")
	eq(t, sumOf(t, root, DefaultSchema), sumOf(t, fork, "bucardo.schema"), "schema")
	assertMode(t, filepath.Join(root, DefaultBin), "0755")
	assertMode(t, filepath.Join(root, DefaultSchema), "0644")

	backup := "/var/lib/bcfork/backup/usr/bin/bucardo"
	eq(t, readString(t, root, backup), origScript, "backup")
	assertMode(t, filepath.Join(root, backup), "0750")

	rc, err := ReadReceipt(filepath.Join(root, "/var/lib/bcfork/receipt.json"))
	must(t, err)
	eq(t, rc.State, StateInstalled, "state")
	eq(t, rc.Version, "5.6.0", "version")
	eq(t, rc.Targets[0].Before.Mode, "0750", "mode before")
	od, _ := o.withDefaults()
	eq(t, len(leftovers(od.layout(), rc)), 2, "no temporary files, a pristine original per target")
}

func TestReinstallIsNoOp(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	fork := writeFork(t, "5.6.0")
	_, err := Install(ctx, fork, o)
	must(t, err)
	before := snapshot(t, root)

	res, err := Install(ctx, fork, o)
	must(t, err)
	eq(t, res.NoOp, true, "no-op")
	eq(t, len(res.Actions), 0, "actions")
	eq(t, strings.Contains(strings.Join(res.Notes, "\n"), "already installed"), true, "says so")
	noDiff(t, before, snapshot(t, root), "reinstall changed")
}

func TestUpgradeKeepsOriginalBackups(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	must(t, err)
	forkB := writeFork(t, "5.5.0")
	_, err = Install(ctx, forkB, o)
	must(t, err)

	eq(t, sumOf(t, root, DefaultBin), sumOf(t, forkB, "bucardo"), "script")
	eq(t, readString(t, root, "/var/lib/bcfork/backup/usr/bin/bucardo"), origScript, "backup is the file from before the first install")
	pristines, _ := filepath.Glob(filepath.Join(root, "/var/lib/bcfork/pristine/*"))
	eq(t, len(pristines), 2, "only 5.5.0's pristine originals are kept")

	_, err = Uninstall(ctx, o)
	must(t, err)
	eq(t, readString(t, root, DefaultBin), origScript, "restored")
	assertMode(t, filepath.Join(root, DefaultBin), "0750")
}

func TestUninstallRestoresByteForByte(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	if os.Geteuid() == 0 {
		must(t, os.Lchown(filepath.Join(root, DefaultBin), 1234, 5678))
	}
	before := snapshot(t, root)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	must(t, err)
	if os.Geteuid() == 0 {
		d, _ := read(filepath.Join(root, DefaultBin))
		eq(t, d.file.UID, 1234, "the fork takes the owner of the file it replaces")
	}

	res, err := Uninstall(ctx, o)
	must(t, err)
	eq(t, len(res.Actions) > 0, true, "actions")
	noDiff(t, before, withoutState(snapshot(t, root)), "after uninstall")

	res, err = Uninstall(ctx, o)
	must(t, err)
	eq(t, res.NoOp, true, "second uninstall is a no-op")
	eq(t, strings.HasPrefix(res.Notes[0], "nothing to do"), true, res.Notes[0])
}

func TestUninstallWithNothingBefore(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	o := Options{Root: root, Now: fixedNow}
	fork := writeFork(t, "5.6.0")
	_, err := Install(ctx, fork, o)
	must(t, err)
	eq(t, sumOf(t, root, DefaultBin), sumOf(t, fork, "bucardo"), "script")

	_, err = Uninstall(ctx, o)
	must(t, err)
	eq(t, sumOf(t, root, DefaultBin), sumOf(t, fork, "bucardo.orig"), "the pristine original takes the fork's place")
	assertMode(t, filepath.Join(root, DefaultBin), "0755")
	eq(t, sumOf(t, root, DefaultSchema), sumOf(t, fork, "bucardo.schema.orig"), "schema")
	for _, p := range []string{"pristine", "backup", "receipt.json"} {
		wantExists(t, filepath.Join(root, "/var/lib/bcfork", p), false)
	}
}

func TestUninstallPurge(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "/usr/bin"), 0o755))
	o := Options{Root: root, Now: fixedNow}
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	must(t, err)
	o.Purge = true
	_, err = Uninstall(ctx, o)
	must(t, err)
	wantExists(t, filepath.Join(root, DefaultBin), false)
	wantExists(t, filepath.Join(root, "/usr/local"), false) // install created /usr/local/share/bucardo
	wantExists(t, filepath.Join(root, "/usr/bin"), true)
}

func TestModifiedTargetNeedsForce(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	must(t, err)
	const edited = "#!/bin/sh\necho edited by hand\n"
	put(t, root, DefaultBin, edited, 0o755)

	forkB := writeFork(t, "5.5.0")
	_, err = Install(ctx, forkB, o)
	var mod *ModifiedError
	if !errors.As(err, &mod) || !errors.Is(err, ErrDrift) {
		t.Fatalf("install over a changed target: %v", err)
	}
	eq(t, strings.Join(mod.Paths, " "), filepath.Join(root, DefaultBin), "paths")
	_, err = Uninstall(ctx, o)
	if !errors.As(err, &mod) {
		t.Fatalf("uninstall over a changed target: %v", err)
	}
	eq(t, readString(t, root, DefaultBin), edited, "left alone")

	st, err := Status(ctx, o)
	must(t, err)
	eq(t, st.Drifted(), true, "drifted")
	eq(t, st.Targets[0].Content, ContentModified, "content")

	o.Force = true
	_, err = Install(ctx, forkB, o)
	must(t, err)
	eq(t, sumOf(t, root, DefaultBin), sumOf(t, forkB, "bucardo"), "forced")
	kept, _ := filepath.Glob(filepath.Join(root, "/var/lib/bcfork/backup/usr/bin/bucardo.replaced-*"))
	if len(kept) != 1 {
		t.Fatalf("kept copies of the changed file: %v", kept)
	}
	eq(t, readString(t, "/", kept[0]), edited, "kept copy")
}

func TestDryRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	fork := writeFork(t, "5.6.0")
	before := snapshot(t, root)
	o.DryRun = true
	res, err := Install(ctx, fork, o)
	must(t, err)
	eq(t, strings.Contains(strings.Join(res.Actions, "\n"), "install the forked bucardo at"), true, "plan: "+strings.Join(res.Actions, "\n"))
	noDiff(t, before, snapshot(t, root), "dry-run install changed")

	o.DryRun = false
	_, err = Install(ctx, fork, o)
	must(t, err)
	before = snapshot(t, root)
	o.DryRun = true
	res, err = Uninstall(ctx, o)
	must(t, err)
	eq(t, strings.Contains(strings.Join(res.Actions, "\n"), "restore"), true, "plan: "+strings.Join(res.Actions, "\n"))
	noDiff(t, before, snapshot(t, root), "dry-run uninstall changed")
}

func TestVersionMismatch(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	put(t, root, "/usr/share/perl5/Bucardo.pm", "package Bucardo;\nour $VERSION = '5.6.0';\n", 0o644)
	m, err := FindModule(root, nil)
	must(t, err)
	eq(t, *m, Module{Path: "/usr/share/perl5/Bucardo.pm", Version: "5.6.0"}, "module")
	o.Module = m

	_, err = Install(ctx, writeFork(t, "5.5.0"), o)
	var ve *VersionError
	if !errors.As(err, &ve) {
		t.Fatalf("want a VersionError, got %v", err)
	}
	eq(t, ve.Fork, "5.5.0", "fork version")
	eq(t, readString(t, root, DefaultBin), origScript, "untouched")

	o.Force = true
	_, err = Install(ctx, writeFork(t, "5.5.0"), o)
	must(t, err)
}

func TestLockRefusesSecondProcess(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	o, _ = o.withDefaults()
	unlock, err := lock(o)
	must(t, err)
	defer unlock()
	// flock locks belong to an open file, so a second open in this process
	// contends as another process would.
	_, err = Install(ctx, writeFork(t, "5.6.0"), o)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
	eq(t, readString(t, root, DefaultBin), origScript, "untouched")
	st, err := Status(ctx, o)
	must(t, err)
	eq(t, st.Busy, false, "busy without a receipt is not reported")
}

func TestFailureBeforeRenameLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	before := snapshot(t, root)
	o.FS = &enospcFS{FS: OS{}, on: tmp(filepath.Join(root, DefaultSchema))}
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("want ENOSPC and nothing changed, got %v", err)
	}
	var inc *IncompleteError
	eq(t, errors.As(err, &inc), false, "incomplete")
	noDiff(t, before, withoutState(snapshot(t, root)), "failed install left")
}

// enospcFS fails writes of one file as a full disk would.
type enospcFS struct {
	FS
	on string
}

func (f *enospcFS) WriteFile(name string, data []byte, perm os.FileMode) error {
	if name == f.on {
		return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
	}
	return f.FS.WriteFile(name, data, perm)
}

func TestFindModule(t *testing.T) {
	root := t.TempDir()
	m, err := FindModule(root, nil)
	must(t, err)
	eq(t, m == nil, true, "nothing found")
	put(t, root, "/usr/local/share/perl/5.36.0/Bucardo.pm", "our $VERSION = '5.5.0';\n", 0o644)
	put(t, root, "/usr/share/perl5/Bucardo.pm", "our $VERSION = '5.6.0';\n", 0o644)
	m, err = FindModule(root, nil)
	must(t, err)
	eq(t, m.Version, "5.5.0", "/usr/local comes first in @INC")
	m, err = FindModule(root, []string{".", "/usr/share/perl5"})
	must(t, err)
	eq(t, m.Path, "/usr/share/perl5/Bucardo.pm", "@INC order")
}

func TestVersion(t *testing.T) {
	for src, want := range map[string]string{
		"our $VERSION = '5.6.0';":                         "5.6.0",
		"package Bucardo;\n  our $VERSION = \"5.4.1\";\n": "5.4.1",
		"# our $VERSION = '1';":                           "",
		"my $VERSION = '1';":                              "",
	} {
		eq(t, Version([]byte(src)), want, src)
	}
}

func TestParseOwner(t *testing.T) {
	out := "local diversion from: /usr/bin/bucardo\nlocal diversion to: /usr/bin/bucardo.distrib\nbucardo: /usr/bin/bucardo\n"
	eq(t, parseOwner([]byte(out), "/usr/bin/bucardo"), "bucardo", "diverted")
	eq(t, parseOwner([]byte("a, b: /x\n"), "/x"), "a", "two packages")
	eq(t, parseOwner([]byte("a: /x/y\n"), "/x"), "", "other path")
}

func TestModeRoundTrip(t *testing.T) {
	for _, s := range []string{"0755", "0644", "4755", "2750", "1777", "0000"} {
		m, err := parseMode(s)
		must(t, err)
		eq(t, modeString(m), s, "mode")
	}
	if _, err := parseMode("999"); err == nil {
		t.Error("parseMode(999): no error")
	}
}

func assertMode(t *testing.T, path, want string) {
	t.Helper()
	info, err := os.Lstat(path)
	must(t, err)
	eq(t, modeString(info.Mode()), want, path)
}

func readString(t *testing.T, root, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, path))
	must(t, err)
	return string(b)
}
