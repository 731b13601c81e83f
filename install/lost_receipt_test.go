package install

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const backupDir = "/var/lib/bcfork/backup"

// installedThenReceiptLost installs fork over the originals and removes
// the receipt, as a hand or a bad restore may.
func installedThenReceiptLost(t *testing.T, fork string) (root string, o Options) {
	t.Helper()
	root, o = hostWithOriginals(t)
	_, err := Install(context.Background(), fork, o)
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(root, DefaultStateDir, "receipt.json")))
	return root, o
}

// TestInstallWithoutReceiptKeepsBackups is the sequence that lost the
// original: install, the receipt goes, install again. The second install
// took the fork in place for the original and wrote it over the backup,
// the only copy of the original. Now install (dry run, forced or not) and
// uninstall refuse and change nothing, and status reports the backups.
func TestInstallWithoutReceiptKeepsBackups(t *testing.T) {
	ctx := context.Background()
	fork := writeFork(t, "5.6.0")
	root, o := installedThenReceiptLost(t, fork)
	before := snapshot(t, root)

	for _, v := range []struct {
		name string
		o    func(Options) Options
	}{
		{"install", func(o Options) Options { return o }},
		{"install --dry-run", func(o Options) Options { o.DryRun = true; return o }},
		{"install --force", func(o Options) Options { o.Force = true; return o }},
	} {
		_, err := Install(ctx, fork, v.o(o))
		var lost *LostReceiptError
		require.ErrorAs(t, err, &lost, v.name)
		assert.ErrorIs(t, err, ErrLostReceipt, v.name)
		assert.ErrorIs(t, err, ErrDrift, v.name)
		assert.Equal(t, filepath.Join(root, backupDir), lost.Dir, v.name)
		assert.Equal(t, []string{filepath.Join(root, backupDir, DefaultBin), filepath.Join(root, backupDir, DefaultSchema)}, lost.Backups, v.name)
		assert.Equal(t, origScript, readString(t, root, backupDir+DefaultBin), v.name+": the backup is the original")
		assert.Equal(t, before, snapshot(t, root), v.name+" changed the host")
	}
	_, err := Uninstall(ctx, o)
	assert.ErrorIs(t, err, ErrDrift, "uninstall")
	assert.Equal(t, before, snapshot(t, root), "uninstall changed the host")

	st, err := Status(ctx, o)
	require.NoError(t, err)
	require.True(t, st.Drifted(), "status: drifted")
	assert.Contains(t, strings.Join(st.Drift, "\n"), filepath.Join(root, backupDir, DefaultBin), "status names the backup")
	require.NotNil(t, st.Lost, "status: lost receipt")
	data, err := json.Marshal(st)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"lost_receipt":{"receipt_path":`, "status JSON")
}

// TestLostReceiptListsBackups: every file below the backup folder is a
// backup, a link or a special file too (never followed), but for the
// copies --force kept; a long list is cut short.
func TestLostReceiptListsBackups(t *testing.T) {
	root, o := hostWithOriginals(t)
	o, err := o.withDefaults()
	require.NoError(t, err)
	l := o.layout()
	dir := filepath.Join(root, backupDir)
	assert.NoError(t, l.lostReceipt(), "no backup folder")

	put(t, root, backupDir+DefaultBin+".replaced-0123456789ab", "kept by --force\n", 0o644)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "empty/folder"), 0o755))
	assert.NoError(t, l.lostReceipt(), "only a copy --force kept, and empty folders")

	outside := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))
	put(t, outside, "/elsewhere", "not below the root\n", 0o644)
	put(t, root, backupDir+DefaultBin+".replaced-nothex", "x\n", 0o644)
	var lost *LostReceiptError
	require.ErrorAs(t, l.lostReceipt(), &lost)
	assert.Equal(t, []string{filepath.Join(dir, "link"), filepath.Join(dir, DefaultBin+".replaced-nothex")}, lost.Backups)
	assert.False(t, lost.More, "more")

	for i := range 2 * maxListed {
		put(t, root, filepath.Join(backupDir, "many", strconv.Itoa(i)), "x\n", 0o644)
	}
	require.ErrorAs(t, l.lostReceipt(), &lost)
	assert.Len(t, lost.Backups, maxListed, "listed")
	assert.True(t, lost.More, "more")
	assert.Contains(t, lost.Error(), " and more", "message")
}

// TestInstallWithoutReceiptOverItsFork: with no receipt and no backups, a
// target that holds the very fork being installed is not kept as the
// original, unless Force says so.
func TestInstallWithoutReceiptOverItsFork(t *testing.T) {
	ctx := context.Background()
	fork := writeFork(t, "5.6.0")
	root, o := installedThenReceiptLost(t, fork)
	require.NoError(t, os.Rename(filepath.Join(root, backupDir), filepath.Join(t.TempDir(), "aside")))
	before := snapshot(t, root)

	_, err := Install(ctx, fork, o)
	var in *ForkInPlaceError
	require.ErrorAs(t, err, &in)
	assert.ErrorIs(t, err, ErrDrift)
	assert.Equal(t, []string{filepath.Join(root, DefaultBin), filepath.Join(root, DefaultSchema)}, in.Paths)
	assert.Equal(t, "5.6.0", in.Version)
	assert.Equal(t, before, snapshot(t, root), "install changed the host")
	o.DryRun = true
	_, err = Install(ctx, fork, o)
	require.ErrorAs(t, err, &in, "dry run")
	o.DryRun = false

	o.Force = true
	res, err := Install(ctx, fork, o)
	require.NoError(t, err)
	assert.Contains(t, strings.Join(res.Notes, "\n"), "already holds the fork", "notes")
	assert.Equal(t, sumOf(t, fork, "bucardo"), res.Receipt.Targets[0].Before.SHA256, "forced: the fork is what uninstall puts back")
}

// TestInstallWithoutReceiptOverAnotherFile: the backups moved aside, a
// target that holds something else than the fork is taken for the
// original, as on a first install.
func TestInstallWithoutReceiptOverAnotherFile(t *testing.T) {
	ctx := context.Background()
	fork := writeFork(t, "5.6.0")
	root, o := installedThenReceiptLost(t, fork)
	require.NoError(t, os.Rename(filepath.Join(root, backupDir), filepath.Join(t.TempDir(), "aside")))
	put(t, root, DefaultBin, origScript, 0o750)
	put(t, root, DefaultSchema, origSchema, 0o640)

	_, err := Install(ctx, fork, o)
	require.NoError(t, err)
	assert.Equal(t, origScript, readString(t, root, backupDir+DefaultBin), "backup")
}

// TestForcedCopiesDoNotBlockInstall: the copies --force kept stay after
// uninstall, with no receipt; they are no backups of an install, and a
// new install goes ahead.
func TestForcedCopiesDoNotBlockInstall(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	forkA, forkB := writeFork(t, "5.6.0"), writeFork(t, "5.5.0")
	_, err := Install(ctx, forkA, o)
	require.NoError(t, err)
	put(t, root, DefaultBin, "#!/bin/sh\necho edited by hand\n", 0o755)
	o.Force = true
	_, err = Install(ctx, forkB, o)
	require.NoError(t, err)
	o.Force = false
	_, err = Uninstall(ctx, o)
	require.NoError(t, err)
	kept, _ := filepath.Glob(filepath.Join(root, backupDir+DefaultBin+".replaced-*"))
	require.Len(t, kept, 1, "the copy --force kept stays")

	st, err := Status(ctx, o)
	require.NoError(t, err)
	assert.False(t, st.Drifted(), "status: %s", strings.Join(st.Drift, "; "))
	_, err = Install(ctx, forkA, o)
	require.NoError(t, err)
	assert.Equal(t, origScript, readString(t, root, backupDir+DefaultBin), "backup")
}

// TestLostReceiptConcurrentInstall: a first install that writes its
// receipt and backups between status's (or uninstall's) read of the
// receipt and its scan of the backup folder is no lost receipt: the
// receipt is read again after the scan.
func TestLostReceiptConcurrentInstall(t *testing.T) {
	ctx := context.Background()
	fork := writeFork(t, "5.6.0")
	for _, c := range []struct {
		name string
		run  func(Options) error
	}{
		{"status", func(o Options) error {
			st, err := Status(ctx, o)
			if err == nil && (st.Lost != nil || st.Drifted()) {
				return fmt.Errorf("lost %v, drift %q", st.Lost, st.Drift)
			}
			return err
		}},
		{"uninstall --dry-run", func(o Options) error {
			o.DryRun = true
			_, err := Uninstall(ctx, o)
			return err
		}},
		{"uninstall", func(o Options) error { _, err := Uninstall(ctx, o); return err }},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, o := hostWithOriginals(t)
			installed := false
			beforeBackupScan = func() {
				if installed {
					return // the install's own check
				}
				installed = true
				_, err := Install(ctx, fork, o)
				require.NoError(t, err, "the install alongside")
			}
			t.Cleanup(func() { beforeBackupScan = func() {} })
			require.NoError(t, c.run(o))
			require.True(t, installed, "no install ran between the receipt's read and the scan")
			assert.FileExists(t, filepath.Join(root, backupDir, DefaultBin), "the install's backup")
		})
	}
}

// markedScript is a script that holds a line the built-in series add
// (catalog.Marks): a bcfork fork of one of them, to bcfork.
const markedScript = origScript + "    ## bcfork: is this an acceptable name for a Bucardo database?\n"

// TestInstallWithoutReceiptOverAnotherFork: with no receipt and no
// backups, a target that holds a bcfork fork other than the one being
// installed (an older fork whose receipt and backups went, one copied by
// hand) is not kept as the original either, unless Force says so; status
// calls it a fork with no receipt.
func TestInstallWithoutReceiptOverAnotherFork(t *testing.T) {
	ctx := context.Background()
	fork := writeFork(t, "5.6.0")
	root, o := hostWithOriginals(t)
	put(t, root, DefaultBin, markedScript, 0o755)

	st, err := Status(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, ContentUnrecorded, st.Targets[0].Content, "status: script")
	assert.Equal(t, "a bcfork fork (no receipt)", st.Targets[0].Description, "status: script")
	assert.Equal(t, ContentUnknown, st.Targets[1].Content, "status: schema")
	assert.False(t, st.Drifted(), "status: %s", strings.Join(st.Drift, "; "))

	for _, dry := range []bool{false, true} {
		o.DryRun = dry
		_, err = Install(ctx, fork, o)
		var in *ForkInPlaceError
		require.ErrorAs(t, err, &in, "dry run %v", dry)
		assert.ErrorIs(t, err, ErrDrift)
		assert.Empty(t, in.Paths, "the very fork")
		assert.Equal(t, []string{filepath.Join(root, DefaultBin)}, in.Others, "another fork")
		assert.Contains(t, err.Error(), "bucardo\" already holds another bcfork fork, but no receipt says what it replaced")
		assert.Equal(t, markedScript, readString(t, root, DefaultBin), "install changed the script")
		assert.NoFileExists(t, filepath.Join(root, DefaultStateDir, "receipt.json"))
		assert.NoDirExists(t, filepath.Join(root, backupDir))
	}
	o.DryRun = false

	o.Force = true
	res, err := Install(ctx, fork, o)
	require.NoError(t, err)
	assert.Contains(t, strings.Join(res.Notes, "\n"), "holds a bcfork fork, and no receipt says what it replaced: kept as the original all the same (--force)", "notes")
	assert.Equal(t, markedScript, readString(t, root, backupDir+DefaultBin), "forced: the other fork is what uninstall puts back")
}

// TestStatusWithoutReceiptNoMarks: with no receipt, a file without
// the series' marks is no fork, whatever it else holds.
func TestStatusWithoutReceiptNoMarks(t *testing.T) {
	root, o := hostWithOriginals(t)
	put(t, root, DefaultBin, origScript+"# bcfork was here\n", 0o755)
	st, err := Status(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, ContentUnknown, st.Targets[0].Content, "script")
	_, err = Install(context.Background(), writeFork(t, "5.6.0"), o)
	require.NoError(t, err)
}

// TestUninstallWithoutReceiptOverAFork: with no receipt and no backups, a
// target that holds a bcfork fork (the receipt and the backups lost, or
// copied by hand) made uninstall say "nothing to do" and exit 0, the fork
// left in place. Now it refuses, dry run and Force too, naming the
// target, and changes nothing; a target without the marks is still none
// of its business.
func TestUninstallWithoutReceiptOverAFork(t *testing.T) {
	ctx := context.Background()
	root, o := hostWithOriginals(t)
	put(t, root, DefaultBin, markedScript, 0o755)
	before := snapshot(t, root)

	for _, v := range []struct {
		name string
		o    func(Options) Options
	}{
		{"uninstall", func(o Options) Options { return o }},
		{"uninstall --dry-run", func(o Options) Options { o.DryRun = true; return o }},
		{"uninstall --force", func(o Options) Options { o.Force = true; return o }},
	} {
		res, err := Uninstall(ctx, v.o(o))
		var in *ForkInPlaceError
		require.ErrorAs(t, err, &in, v.name)
		assert.Nil(t, res, v.name)
		assert.ErrorIs(t, err, ErrDrift, v.name)
		assert.Equal(t, "uninstall", in.Op, v.name)
		assert.Equal(t, []string{filepath.Join(root, DefaultBin)}, in.Others, v.name)
		assert.Empty(t, in.Paths, v.name)
		assert.Equal(t, filepath.Join(root, DefaultStateDir, "receipt.json"), in.Receipt, v.name)
		assert.Contains(t, err.Error(), "bucardo\" holds a bcfork fork, but no receipt at", v.name)
		assert.Contains(t, err.Error(), "uninstall has nothing to put back, and the fork stays", v.name)
		assert.Equal(t, before, snapshot(t, root), v.name+" changed the host")
	}

	put(t, root, DefaultSchema, "-- bcfork: the name of the Bucardo database comes from the psql variable\n", 0o644)
	_, err := Uninstall(ctx, o)
	var in *ForkInPlaceError
	require.ErrorAs(t, err, &in, "both targets")
	assert.Equal(t, []string{filepath.Join(root, DefaultBin), filepath.Join(root, DefaultSchema)}, in.Others, "both targets")
	assert.Contains(t, err.Error(), "bucardo.schema\" hold a bcfork fork", "both targets")

	put(t, root, DefaultBin, origScript, 0o750)
	put(t, root, DefaultSchema, origSchema, 0o640)
	res, err := Uninstall(ctx, o)
	require.NoError(t, err, "no marks")
	assert.True(t, res.NoOp, "no marks: nothing to do")
}
