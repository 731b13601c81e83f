package install

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bcfork/bcfork/internal/beneath"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.NoError(t, err)
	assert.False(t, res.NoOp, "no-op")
	assert.Equal(t, sumOf(t, fork, "bucardo"), sumOf(t, root, DefaultBin), "script")
	assert.Equal(t, sumOf(t, fork, "bucardo.schema"), sumOf(t, root, DefaultSchema), "schema")
	assertMode(t, filepath.Join(root, DefaultBin), "0755")
	assertMode(t, filepath.Join(root, DefaultSchema), "0644")

	backup := "/var/lib/bcfork/backup/usr/bin/bucardo"
	assert.Equal(t, origScript, readString(t, root, backup), "backup")
	assertMode(t, filepath.Join(root, backup), "0750")

	rc, err := ReadReceipt(Options{Root: root})
	require.NoError(t, err)
	assert.Equal(t, StateInstalled, rc.State, "state")
	assert.Equal(t, "5.6.0", rc.Version, "version")
	assert.Equal(t, "0750", rc.Targets[0].Before.Mode, "mode before")
	od, _ := o.withDefaults()
	assert.Len(t, leftovers(od.layout(), rc), 2, "no temporary files, a pristine original per target")
}

func TestReinstallIsNoOp(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	fork := writeFork(t, "5.6.0")
	_, err := Install(ctx, fork, o)
	require.NoError(t, err)
	before := snapshot(t, root)

	res, err := Install(ctx, fork, o)
	require.NoError(t, err)
	assert.True(t, res.NoOp, "no-op")
	assert.Empty(t, res.Actions, "actions")
	assert.Contains(t, strings.Join(res.Notes, "\n"), "already installed")
	assert.Equal(t, before, snapshot(t, root), "reinstall changed")
}

func TestUpgradeKeepsOriginalBackups(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
	forkB := writeFork(t, "5.5.0")
	_, err = Install(ctx, forkB, o)
	require.NoError(t, err)

	assert.Equal(t, sumOf(t, forkB, "bucardo"), sumOf(t, root, DefaultBin), "script")
	assert.Equal(t, origScript, readString(t, root, "/var/lib/bcfork/backup/usr/bin/bucardo"), "backup is the file from before the first install")
	pristines, _ := filepath.Glob(filepath.Join(root, "/var/lib/bcfork/pristine/*"))
	assert.Len(t, pristines, 2, "only 5.5.0's pristine originals are kept")

	_, err = Uninstall(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, origScript, readString(t, root, DefaultBin), "restored")
	assertMode(t, filepath.Join(root, DefaultBin), "0750")
}

func TestUninstallRestoresByteForByte(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	if os.Geteuid() == 0 {
		require.NoError(t, os.Lchown(filepath.Join(root, DefaultBin), 1234, 5678))
	}
	before := snapshot(t, root)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
	if os.Geteuid() == 0 {
		d, _ := Options{Root: root}.layout().read(filepath.Join(root, DefaultBin))
		assert.Equal(t, 1234, d.file.UID, "the fork takes the owner of the file it replaces")
	}

	res, err := Uninstall(ctx, o)
	require.NoError(t, err)
	assert.NotEmpty(t, res.Actions, "actions")
	assert.Equal(t, before, withoutState(snapshot(t, root)), "after uninstall")

	res, err = Uninstall(ctx, o)
	require.NoError(t, err)
	assert.True(t, res.NoOp, "second uninstall is a no-op")
	assert.True(t, strings.HasPrefix(res.Notes[0], "nothing to do"), res.Notes[0])
}

func TestUninstallWithNothingBefore(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "/usr/bin"), 0o755))
	o := Options{Root: root, Now: fixedNow}
	fork := writeFork(t, "5.6.0")
	_, err := Install(ctx, fork, o)
	require.NoError(t, err)
	assert.Equal(t, sumOf(t, fork, "bucardo"), sumOf(t, root, DefaultBin), "script")

	res, err := Uninstall(ctx, o)
	require.NoError(t, err)
	wantExists(t, filepath.Join(root, DefaultBin), false)
	wantExists(t, filepath.Join(root, "/usr/local"), false) // install created /usr/local/share/bucardo
	wantExists(t, filepath.Join(root, "/usr/bin"), true)
	for _, p := range []string{"pristine", "backup", "receipt.json"} {
		wantExists(t, filepath.Join(root, "/var/lib/bcfork", p), false)
	}
	require.Len(t, res.Targets, 2, "a result per target")
	for _, u := range res.Targets {
		assert.Equal(t, UndoRemove, u.Undo, u.Path)
	}
}

func TestUninstallPristine(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	o := Options{Root: root, Now: fixedNow}
	fork := writeFork(t, "5.6.0")
	_, err := Install(ctx, fork, o)
	require.NoError(t, err)
	o.Pristine = true
	res, err := Uninstall(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, sumOf(t, fork, "bucardo.orig"), sumOf(t, root, DefaultBin), "the pristine original takes the fork's place")
	assertMode(t, filepath.Join(root, DefaultBin), "0755")
	assert.Equal(t, sumOf(t, fork, "bucardo.schema.orig"), sumOf(t, root, DefaultSchema), "schema")
	for _, p := range []string{"pristine", "backup", "receipt.json"} {
		wantExists(t, filepath.Join(root, "/var/lib/bcfork", p), false)
	}
	for _, u := range res.Targets {
		assert.Equal(t, UndoPristine, u.Undo, u.Path)
	}
}

func TestModifiedTargetNeedsForce(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
	const edited = "#!/bin/sh\necho edited by hand\n"
	put(t, root, DefaultBin, edited, 0o755)

	forkB := writeFork(t, "5.5.0")
	_, err = Install(ctx, forkB, o)
	var mod *ModifiedError
	require.ErrorAs(t, err, &mod, "install over a changed target")
	require.ErrorIs(t, err, ErrDrift, "install over a changed target")
	assert.Equal(t, []string{filepath.Join(root, DefaultBin)}, mod.Paths)
	_, err = Uninstall(ctx, o)
	require.ErrorAs(t, err, &mod, "uninstall over a changed target")
	assert.Equal(t, edited, readString(t, root, DefaultBin), "left alone")

	st, err := Status(ctx, o)
	require.NoError(t, err)
	assert.True(t, st.Drifted(), "drifted")
	assert.Equal(t, ContentModified, st.Targets[0].Content, "content")

	o.Force = true
	_, err = Install(ctx, forkB, o)
	require.NoError(t, err)
	assert.Equal(t, sumOf(t, forkB, "bucardo"), sumOf(t, root, DefaultBin), "forced")
	kept, _ := filepath.Glob(filepath.Join(root, "/var/lib/bcfork/backup/usr/bin/bucardo.replaced-*"))
	require.Len(t, kept, 1, "kept copies of the changed file")
	assert.Equal(t, edited, readString(t, "/", kept[0]), "kept copy")
}

func TestDryRunChangesNothing(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	fork := writeFork(t, "5.6.0")
	before := snapshot(t, root)
	o.DryRun = true
	res, err := Install(ctx, fork, o)
	require.NoError(t, err)
	assert.Contains(t, strings.Join(res.Actions, "\n"), "install the forked bucardo at")
	assert.Equal(t, before, snapshot(t, root), "dry-run install changed")

	o.DryRun = false
	_, err = Install(ctx, fork, o)
	require.NoError(t, err)
	before = snapshot(t, root)
	o.DryRun = true
	res, err = Uninstall(ctx, o)
	require.NoError(t, err)
	assert.Contains(t, strings.Join(res.Actions, "\n"), "restore")
	assert.Equal(t, before, snapshot(t, root), "dry-run uninstall changed")
}

func TestVersionMismatch(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	put(t, root, "/usr/share/perl5/Bucardo.pm", "package Bucardo;\nour $VERSION = '5.6.0';\n", 0o644)
	m, err := FindModule(root, nil)
	require.NoError(t, err)
	assert.Equal(t, Module{Path: "/usr/share/perl5/Bucardo.pm", Version: "5.6.0"}, *m, "module")
	o.Module = m

	_, err = Install(ctx, writeFork(t, "5.5.0"), o)
	var ve *VersionError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "5.5.0", ve.Fork, "fork version")
	assert.Equal(t, origScript, readString(t, root, DefaultBin), "untouched")

	o.Force = true
	_, err = Install(ctx, writeFork(t, "5.5.0"), o)
	require.NoError(t, err)
}

func TestLockRefusesSecondProcess(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	o, _ = o.withDefaults()
	unlock, err := lock(o)
	require.NoError(t, err)
	defer unlock()
	// flock locks belong to an open file, so a second open in this process
	// contends as another process would.
	_, err = Install(ctx, writeFork(t, "5.6.0"), o)
	require.ErrorIs(t, err, ErrLocked)
	assert.Equal(t, origScript, readString(t, root, DefaultBin), "untouched")
	st, err := Status(ctx, o)
	require.NoError(t, err)
	assert.False(t, st.Busy, "busy without a receipt is not reported")
}

func TestFailureBeforeRenameLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	before := snapshot(t, root)
	o.FS = &enospcFS{FS: OS{}, on: tmp(filepath.Join(root, DefaultSchema))}
	_, err := Install(ctx, writeFork(t, "5.6.0"), o)
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.ErrorContains(t, err, "nothing was changed")
	var inc *IncompleteError
	assert.NotErrorAs(t, err, &inc, "incomplete")
	assert.Equal(t, before, withoutState(snapshot(t, root)), "failed install left")
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
	require.NoError(t, err)
	assert.Nil(t, m, "nothing found")
	put(t, root, "/usr/local/share/perl/5.36.0/Bucardo.pm", "our $VERSION = '5.5.0';\n", 0o644)
	put(t, root, "/usr/share/perl5/Bucardo.pm", "our $VERSION = '5.6.0';\n", 0o644)
	m, err = FindModule(root, nil)
	require.NoError(t, err)
	assert.Equal(t, "5.5.0", m.Version, "/usr/local comes first in @INC")
	m, err = FindModule(root, []string{".", "/usr/share/perl5"})
	require.NoError(t, err)
	assert.Equal(t, "/usr/share/perl5/Bucardo.pm", m.Path, "@INC order")
}

// TestFindModuleFollowsNoLink: the search for Bucardo.pm follows no link
// below the root: a Perl folder (globbed or named) that is a link out of
// the root is passed over, a Bucardo.pm that is a link is refused with an
// error naming it, and what is read is capped.
func TestFindModuleFollowsNoLink(t *testing.T) {
	top := t.TempDir()
	root, outside := filepath.Join(top, "root"), filepath.Join(top, "outside")
	put(t, outside, "/perl/Bucardo.pm", "our $VERSION = '9.9.9';\n", 0o644)
	put(t, root, "/usr/share/perl5/Bucardo.pm", "our $VERSION = '5.6.0';\n", 0o644)
	require.NoError(t, os.MkdirAll(root+"/usr/local/share/perl", 0o755))
	require.NoError(t, os.MkdirAll(root+"/etc", 0o755))
	require.NoError(t, os.Symlink(outside+"/perl", root+"/usr/local/share/perl/5.36.0")) // globbed: perl/*
	require.NoError(t, os.Symlink(outside+"/perl", root+"/etc/perl"))                    // named
	m, err := FindModule(root, nil)
	require.NoError(t, err)
	assert.Equal(t, &Module{Path: "/usr/share/perl5/Bucardo.pm", Version: "5.6.0"}, m, "links to folders passed over")

	pm := root + "/usr/share/perl5/Bucardo.pm"
	require.NoError(t, os.Remove(pm))
	require.NoError(t, os.Symlink(outside+"/perl/Bucardo.pm", pm))
	_, err = FindModule(root, nil)
	assert.ErrorIs(t, err, ErrLink)
	assert.ErrorContains(t, err, `reading the version of "`+pm+`": it is a symbolic link to`)

	require.NoError(t, os.Remove(pm))
	big := "our $VERSION = '5.6.0';\n" + strings.Repeat("#\n", maxFile/2+1)
	require.NoError(t, os.WriteFile(pm, []byte(big), 0o644))
	_, err = FindModule(root, nil)
	assert.ErrorContains(t, err, "too large")
	isOnce(t, "a Bucardo.pm too large", err, beneath.ErrTooLarge, pm)
}

func TestParseOwner(t *testing.T) {
	out := "local diversion from: /usr/bin/bucardo\nlocal diversion to: /usr/bin/bucardo.distrib\nbucardo: /usr/bin/bucardo\n"
	assert.Equal(t, "bucardo", parseOwner([]byte(out), "/usr/bin/bucardo"), "diverted")
	assert.Equal(t, "a", parseOwner([]byte("a, b: /x\n"), "/x"), "two packages")
	assert.Equal(t, "", parseOwner([]byte("a: /x/y\n"), "/x"), "other path")
}

func TestModeRoundTrip(t *testing.T) {
	for _, s := range []string{"0755", "0644", "4755", "2750", "1777", "0000"} {
		m, err := parseMode(s)
		require.NoError(t, err)
		assert.Equal(t, s, modeString(m), "mode")
	}
	_, err := parseMode("999")
	assert.Error(t, err, "parseMode(999)")
}

func assertMode(t *testing.T, path, want string) {
	t.Helper()
	info, err := os.Lstat(path)
	require.NoError(t, err)
	assert.Equal(t, want, modeString(info.Mode()), path)
}

func readString(t *testing.T, root, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, path))
	require.NoError(t, err)
	return string(b)
}
