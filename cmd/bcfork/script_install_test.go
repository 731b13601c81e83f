package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/install/installtest"
	"github.com/bcfork/bcfork/internal/pristinetest"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noRaceSleep adds to GORACE what keeps every bcfork run under -race from
// sleeping a second at exit.
func noRaceSleep(gorace string) string {
	return strings.TrimSpace(gorace + " atexit_sleep_ms=0")
}

// mkfork DIR VERSION writes a fork folder of a small synthetic Bucardo
// VERSION, and its series and pins into the patches tree ./patches, which
// install needs (--patches patches) to derive the fork again.
func cmdMkfork(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkfork DIR VERSION")
	}
	ts.Check(installtest.WriteWithTree(ts.MkAbs(args[0]), ts.MkAbs("patches"), args[1]))
}

// mode PATH PERM checks the permission bits of PATH, in octal.
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode PATH PERM")
	}
	info, err := os.Lstat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := fmt.Sprintf("%04o", info.Mode().Perm())
	if (got == args[1]) == neg {
		ts.Fatalf("%s has mode %s, want %s%s", args[0], got, map[bool]string{true: "not ", false: ""}[neg], args[1])
	}
}

// receiptstate ROOT STATE sets the state of the receipt under ROOT, as an
// install killed after writing its journal leaves it.
func cmdReceiptState(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: receiptstate ROOT STATE")
	}
	path := filepath.Join(ts.MkAbs(args[0]), install.DefaultStateDir, "receipt.json")
	data, err := os.ReadFile(path)
	ts.Check(err)
	var rc map[string]any
	ts.Check(json.Unmarshal(data, &rc))
	rc["state"] = args[1]
	data, err = json.MarshalIndent(rc, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(path, data, 0o644))
}

func TestInstallHints(t *testing.T) {
	pathErr := func(errno syscall.Errno) error {
		return fmt.Errorf("installing: %w", &fs.PathError{Op: "open", Path: "/usr/bin/bucardo", Err: errno})
	}
	lost := &install.LostReceiptError{Receipt: "/var/lib/bcfork/receipt.json", Dir: "/var/lib/bcfork/backup", Backups: []string{"/var/lib/bcfork/backup/usr/bin/bucardo"}}
	for _, c := range []struct {
		err  error
		hint string
		code int
	}{
		{hostErr(pathErr(syscall.EACCES)), "run as root or use --root DIR", ExitFailure},
		{hostErr(pathErr(syscall.EPERM)), "run as root or use --root DIR", ExitFailure},
		{hostErr(pathErr(syscall.EROFS)), "read-only", ExitFailure},
		{hostErr(&install.IncompleteError{Op: "install", Err: pathErr(syscall.ENOSPC)}), "free some space", ExitFailure},
		{hostErr(&install.IncompleteError{Op: "uninstall", Err: pathErr(syscall.EIO)}), "run bcfork uninstall again", ExitFailure},
		{hostErr(fmt.Errorf("x: %w", install.ErrLocked)), "wait for the other bcfork", ExitFailure},
		{hostErr(&install.ModifiedError{Paths: []string{"/usr/bin/bucardo"}}), "--force", ExitDrift},
		{hostErr(&install.VersionError{Fork: "5.5.0", Host: "5.6.0"}), "--version 5.6.0", ExitFailure},
		{hostErr(fmt.Errorf("%w: x", install.ErrDrift)), "bcfork install finishes", ExitDrift},
		{hostErr(lost), `each backup's path below "/var/lib/bcfork/backup" is its target's`, ExitDrift},
		{hostErr(driftError{drift: []string{"x"}, lost: lost}), "put it back (from a copy of /var/lib/bcfork)", ExitDrift},
		{hostErr(driftError{drift: []string{"x"}}), "bcfork install finishes", ExitDrift},
		{hostErr(&install.ForkInPlaceError{Paths: []string{"/usr/bin/bucardo"}, Flavor: "upstream", Version: "5.6.0"}), "bcfork fetch --version 5.6.0 --out DIR", ExitDrift},
		{hostErr(&install.ForkInPlaceError{Paths: []string{"/usr/bin/bucardo"}, Flavor: "debian", Version: "5.6.0-4"}), "--force installs it all the same", ExitDrift},
		{hostErr(&install.ForkInPlaceError{Op: "uninstall", Receipt: "/var/lib/bcfork/receipt.json", Others: []string{"/usr/bin/bucardo"}}), "put it back (from a copy of /var/lib/bcfork)", ExitDrift},
		{hostErr(&install.ForkInPlaceError{Op: "uninstall", Others: []string{"/usr/bin/bucardo"}}), "apt-get install --reinstall bucardo", ExitDrift},
		{pathErr(syscall.EACCES), "", ExitFailure}, // not install's: no hint about --root
	} {
		if h := hint(c.err, call{}); (c.hint == "" && h != "") || !strings.Contains(h, c.hint) {
			t.Errorf("hint(%v) = %q, want %q", c.err, h, c.hint)
		}
		if code := exitCode(c.err); code != c.code {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, code, c.code)
		}
	}
}

// TestInstallKilledAtRandom runs bcfork install (of two versions) and
// uninstall under --root and kills each with SIGKILL after a random 0-20
// ms, 30 times without recovering in between. Each target must always be a
// whole known file; at the end install, status and uninstall converge.
func TestInstallKilledAtRandom(t *testing.T) {
	bcfork, err := exec.LookPath("bcfork") // the test binary, set up by testscript.Main
	require.NoError(t, err)
	work := t.TempDir()
	root, forkA, forkB := filepath.Join(work, "root"), filepath.Join(work, "a"), filepath.Join(work, "b")
	const script, schema = "#!/usr/bin/perl\nour $VERSION = '5.6.0';\n# packaged\n", "-- packaged schema\n"
	for path, data := range map[string]string{install.DefaultBin: script, install.DefaultSchema: schema} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, path)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, path), []byte(data), 0o750))
	}
	a, b := installtest.New("5.6.0", 1<<20), installtest.New("5.5.0", 1<<20)
	tree := filepath.Join(work, "patches")
	require.NoError(t, a.Write(forkA))
	require.NoError(t, b.Write(forkB))
	require.NoError(t, a.WriteTree(tree))
	require.NoError(t, b.WriteTree(tree))
	whole := map[string][]string{
		install.DefaultBin:    {script, string(a.Script), string(b.Script)},
		install.DefaultSchema: {schema, string(a.Schema), string(b.Schema)},
	}
	rng := rand.New(rand.NewSource(76))
	outcomes := map[string]int{}
	for i := 0; i < 30; i++ {
		args := [][]string{{"install", "--from", forkA, "--patches", tree}, {"install", "--from", forkB, "--force", "--patches", tree}, {"uninstall"}}[rng.Intn(3)]
		cmd := exec.Command(bcfork, append(args, "--root", root)...)
		cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Start())
		time.Sleep(time.Duration(rng.Intn(20_000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var exit *exec.ExitError
		switch {
		case err == nil:
			outcomes["finished"]++
		case errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled():
			outcomes["killed, "+receiptState(t, root)]++
		default:
			t.Fatalf("kill %d: bcfork %s: %v\n%s", i, strings.Join(args, " "), err, out.String())
		}
		for path, ok := range whole {
			data, err := os.ReadFile(filepath.Join(root, path))
			require.NoError(t, err)
			if !slices.Contains(ok, string(data)) {
				t.Fatalf("kill %d (bcfork %s): %s is not a whole known file (%d bytes)", i, strings.Join(args, " "), path, len(data))
			}
		}
	}
	t.Logf("30 kills: %v", outcomes)
	for _, args := range [][]string{{"install", "--from", forkA, "--force", "--patches", tree}, {"status"}, {"uninstall"}} {
		if out, err := exec.Command(bcfork, append(args, "--root", root)...).CombinedOutput(); err != nil {
			t.Fatalf("bcfork %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for path, want := range map[string]string{install.DefaultBin: script, install.DefaultSchema: schema} {
		data, err := os.ReadFile(filepath.Join(root, path))
		require.NoError(t, err)
		assert.Equal(t, want, string(data), "%s after uninstall", path)
	}
}

// receiptState is the state the receipt under root records, or "no receipt".
func receiptState(t *testing.T, root string) string {
	rc, err := install.ReadReceipt(install.Options{Root: root})
	require.NoError(t, err)
	if rc == nil {
		return "no receipt"
	}
	return rc.State
}

// TestStatusNamesRealPristine puts the real pristine 5.6.0 files at the
// targets: status names them by the pins.
func TestStatusNamesRealPristine(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{"Bucardo-5.6.0/bucardo": install.DefaultBin, "Bucardo-5.6.0/bucardo.schema": install.DefaultSchema}
	extract(t, pristinetest.Tarball(t), files, root)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bcfork", "status", "--root", root, "--json"}, &stdout, &stderr)
	require.Zero(t, code, "exit code; stderr:\n%s", &stderr)
	var r install.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &r))
	for _, ts := range r.Targets {
		assert.Equal(t, install.ContentPristine+" 5.6.0", ts.Content+" "+ts.Version, ts.Path)
	}
}

// TestInstallLostReceiptReal is the sequence that lost the original, with
// the real 5.6.0 files: install the fork of the pristine release over it,
// lose the receipt, install again. The second install backed up the fork
// over the only copy of the original; now it refuses (exit 5), and the
// backup is still the pristine script.
func TestInstallLostReceiptReal(t *testing.T) {
	const pristineScript = "eb0bc0d569f567a099fbcc363a3f701adadba159729ecaae767d232adbf0bac2"
	work := t.TempDir()
	root, fork := filepath.Join(work, "root"), filepath.Join(work, "fork")
	files := map[string]string{"Bucardo-5.6.0/bucardo": install.DefaultBin, "Bucardo-5.6.0/bucardo.schema": install.DefaultSchema,
		"Bucardo-5.6.0/Bucardo.pm": "/usr/share/perl5/Bucardo.pm"}
	extract(t, pristinetest.Tarball(t), files, root)
	bcfork := func(want int, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"bcfork"}, args...), &stdout, &stderr)
		require.Equal(t, want, code, "bcfork %s: exit code; stderr:\n%s", strings.Join(args, " "), &stderr)
		return stdout.String() + stderr.String()
	}
	bcfork(ExitOK, "generate", "--version", "5.6.0", "--from", pristinetest.Tarball(t), "--out", fork, "--no-cache")
	bcfork(ExitOK, "install", "--root", root, "--from", fork)
	backup := filepath.Join(root, install.DefaultStateDir, "backup", install.DefaultBin)
	require.Equal(t, pristineScript, fileSum(t, backup), "backup after the first install")
	require.NoError(t, os.Remove(filepath.Join(root, install.DefaultStateDir, "receipt.json")))

	out := bcfork(ExitDrift, "install", "--root", root, "--from", fork)
	assert.NotContains(t, out, "back up", "output")
	assert.Equal(t, pristineScript, fileSum(t, backup), "backup after install without the receipt")
	bcfork(ExitDrift, "uninstall", "--root", root)
	assert.Equal(t, pristineScript, fileSum(t, backup), "backup after uninstall without the receipt")
}

// TestInstallOverAnotherForkReal: with no receipt and no backups, the
// targets hold the fork of 5.5.0 (its receipt and backups lost, or copied
// by hand) and the host's Bucardo.pm is 5.6.0. Install of the 5.6.0 fork
// took the old fork for the original, and uninstall would have "restored"
// it; status called it "not bcfork's fork, nor a known release". Now
// status calls it a bcfork fork, install refuses (exit 5), and --force
// goes ahead and says so.
func TestInstallOverAnotherForkReal(t *testing.T) {
	work := t.TempDir()
	root, older, fork := filepath.Join(work, "root"), filepath.Join(work, "older"), filepath.Join(work, "fork")
	extract(t, pristinetest.Tarball(t), map[string]string{"Bucardo-5.6.0/Bucardo.pm": "/usr/share/perl5/Bucardo.pm"}, root)
	bcfork := func(want int, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"bcfork"}, args...), &stdout, &stderr)
		require.Equal(t, want, code, "bcfork %s: exit code; stderr:\n%s", strings.Join(args, " "), &stderr)
		return stdout.String() + stderr.String()
	}
	bcfork(ExitOK, "generate", "--version", "5.5.0", "--from", pristinetest.Fixture(t, "Bucardo-5.5.0.tar.gz"), "--out", older, "--no-cache")
	bcfork(ExitOK, "generate", "--version", "5.6.0", "--from", pristinetest.Tarball(t), "--out", fork, "--no-cache")
	for name, target := range map[string]string{"bucardo": install.DefaultBin, "bucardo.schema": install.DefaultSchema} {
		data, err := os.ReadFile(filepath.Join(older, name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, target)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, target), data, 0o755))
	}
	oldScript := fileSum(t, filepath.Join(older, "bucardo"))

	out := bcfork(ExitOK, "status", "--root", root)
	assert.Contains(t, out, "but a target holds a bcfork fork: its receipt was lost, or it was copied by hand", "status")
	assert.Equal(t, 2, strings.Count(out, ": a bcfork fork (no receipt)\n"), "status:\n%s", out)
	assert.NotContains(t, out, "nor a known release", "status")

	out = bcfork(ExitDrift, "install", "--root", root, "--from", fork)
	assert.Contains(t, out, `bucardo.schema" already hold another bcfork fork, but no receipt says what it replaced`, "install")
	assert.Contains(t, out, "hint: --force installs it all the same", "install")
	assert.Equal(t, oldScript, fileSum(t, filepath.Join(root, install.DefaultBin)), "install changed the script")
	assert.NoDirExists(t, filepath.Join(root, install.DefaultStateDir, "backup"))

	out = bcfork(ExitOK, "install", "--root", root, "--from", fork, "--force")
	assert.Contains(t, out, "holds a bcfork fork, and no receipt says what it replaced: kept as the original all the same (--force)", "install --force")
	assert.Equal(t, fileSum(t, filepath.Join(fork, "bucardo")), fileSum(t, filepath.Join(root, install.DefaultBin)), "install --force: the fork")
}

// extract writes the files of tarball named in files (tar name: host
// path) under root.
func extract(t *testing.T, tarball string, files map[string]string, root string) {
	t.Helper()
	f, err := os.Open(tarball)
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	for len(files) > 0 {
		h, err := tr.Next()
		require.NoError(t, err)
		target, ok := files[h.Name]
		if !ok {
			continue
		}
		delete(files, h.Name)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, target)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, target), data, 0o644))
	}
}

// fileSum is the sha256 of the file at path, in hex.
func fileSum(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return fmt.Sprintf("%x", sha256.Sum256(data))
}

// realHost is a host under a root folder that every user may traverse, with
// the original script and schema at the default targets, two fork folders,
// and a copy of the bcfork binary that every user may run.
type realHost struct {
	work, root, bin string
	forkA, forkB    string
}

func newRealHost(t *testing.T, pad int) *realHost {
	t.Helper()
	work, err := os.MkdirTemp("", "bcfork-host-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(work) })
	require.NoError(t, os.Chmod(work, 0o755))
	h := &realHost{work: work, root: filepath.Join(work, "root"), bin: filepath.Join(work, "bin", "bcfork"),
		forkA: filepath.Join(work, "a"), forkB: filepath.Join(work, "b")}
	self, err := exec.LookPath("bcfork") // the test binary, set up by testscript.Main
	require.NoError(t, err)
	data, err := os.ReadFile(self)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(h.bin), 0o755))
	require.NoError(t, os.WriteFile(h.bin, data, 0o755))
	for dir, f := range map[string]*installtest.Fork{h.forkA: installtest.New("5.6.0", 0), h.forkB: installtest.New("5.5.0", pad)} {
		require.NoError(t, f.Write(dir))
		require.NoError(t, f.WriteTree(filepath.Join(work, "patches")))
	}
	require.NoError(t, os.MkdirAll(h.root, 0o755))
	return h
}

// originals puts the files that were there before install at the targets.
func (h *realHost) originals(t *testing.T) {
	t.Helper()
	for path, data := range map[string]string{install.DefaultBin: "#!/usr/bin/perl\n# packaged\n", install.DefaultSchema: "-- packaged schema\n"} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(h.root, path)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(h.root, path), []byte(data), 0o644))
	}
}

// run runs bcfork with args and --root, as cred if not nil, and returns
// its exit code and output.
func (h *realHost) run(t *testing.T, cred *syscall.Credential, args ...string) (int, string) {
	t.Helper()
	args = append(args, "--root", h.root)
	if args[0] == "install" {
		args = append(args, "--patches", filepath.Join(h.work, "patches")) // to derive the forks again
	}
	cmd := exec.Command(h.bin, args...)
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", "HOME="+h.work)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("bcfork %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

// must runs bcfork as the test's user and fails the test unless it succeeds.
func (h *realHost) must(t *testing.T, args ...string) string {
	t.Helper()
	code, out := h.run(t, nil, args...)
	require.Zero(t, code, "bcfork %s: exit code; output:\n%s", strings.Join(args, " "), out)
	return out
}

// tree describes the host under root, but for the state folder and the
// lock, which stay after a failed first install.
func (h *realHost) tree(t *testing.T) string {
	return treeOf(t, h.root, func(rel string, d fs.DirEntry) bool {
		return d.IsDir() && strings.HasPrefix(install.DefaultStateDir, rel) || rel == install.DefaultStateDir+"/lock"
	})
}

// treeOf describes every file and folder under root, one a line: its path
// below root, mode, owner and, for a file, content sum; skip leaves paths
// out.
func treeOf(t *testing.T, root string, skip func(rel string, d fs.DirEntry) bool) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, root)
		info, err := d.Info()
		if err != nil || skip(rel, d) {
			return err
		}
		st := info.Sys().(*syscall.Stat_t)
		fmt.Fprintf(&b, "%s %v %d:%d", rel, info.Mode(), st.Uid, st.Gid)
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %x", sha256.Sum256(data))
		}
		b.WriteByte('\n')
		return nil
	}))
	return b.String()
}

// wantFailure checks that a bcfork run failed with exit code 1, that its
// output has each of want, and that the host did not change.
func (h *realHost) wantFailure(t *testing.T, before string, code int, out string, want ...string) {
	t.Helper()
	require.Equal(t, ExitFailure, code, "exit code; output:\n%s", out)
	for _, w := range want {
		assert.Contains(t, out, w, "output")
	}
	assert.Equal(t, before, h.tree(t), "the host changed")
	t.Logf("as expected:\n%s", out)
}

// TestInstallPermissionDenied runs the built bcfork as a user that may not
// write the root: nobody when the test runs as root, else the test's own
// user with the root's folders made read-only. Install and uninstall fail
// with "permission denied" on a quoted path and the hint to run as root,
// and change nothing; status works.
func TestInstallPermissionDenied(t *testing.T) {
	h := newRealHost(t, 0)
	h.originals(t)
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	} else {
		readOnlyDirs(t, h.root)
	}
	before := h.tree(t)
	code, out := h.run(t, cred, "install", "--from", h.forkA)
	h.wantFailure(t, before, code, out, "permission denied", `"`+h.root, "bcfork: hint: run as root or use --root DIR")

	if cred == nil {
		writableDirs(t, h.root)
	}
	h.must(t, "install", "--from", h.forkA)
	if cred == nil {
		readOnlyDirs(t, h.root)
	}
	before = h.tree(t)
	for _, args := range [][]string{{"install", "--from", h.forkB, "--force"}, {"uninstall"}} {
		code, out := h.run(t, cred, args...)
		h.wantFailure(t, before, code, out, "permission denied", `"`+h.root, "bcfork: hint: run as root or use --root DIR")
	}
	if code, out := h.run(t, cred, "status"); code != 0 || !strings.Contains(out, "bucardo: fork of upstream 5.6.0") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
}

// TestStatusUnreadableLock runs the built bcfork status as a user that
// may not read the lock (mode 0000): nobody when the test runs as root,
// else the test's own user. Status cannot tell whether another bcfork is
// at work, so it fails naming the lock once, with the hint to run as root.
func TestStatusUnreadableLock(t *testing.T) {
	h := newRealHost(t, 0)
	h.originals(t)
	h.must(t, "install", "--from", h.forkA)
	lock := filepath.Join(h.root, install.DefaultStateDir, "lock")
	require.NoError(t, os.Chmod(lock, 0))
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	before := h.tree(t)
	code, out := h.run(t, cred, "status")
	h.wantFailure(t, before, code, out,
		fmt.Sprintf("bcfork: asking whether another bcfork is at work: opening the lock %q: permission denied\n", lock),
		"bcfork: hint: run as root or use --root DIR")
	assert.Equal(t, 1, strings.Count(out, strconv.Quote(lock)), "the lock named once")
}

// readOnlyDirs makes the folders under root read-only, until the test ends.
func readOnlyDirs(t *testing.T, root string) {
	t.Helper()
	chmodDirs(t, root, 0o555)
	t.Cleanup(func() { chmodDirs(t, root, 0o755) })
}

func writableDirs(t *testing.T, root string) { chmodDirs(t, root, 0o755) }

func chmodDirs(t *testing.T, root string, mode os.FileMode) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chmod(p, mode)
		}
		return err
	}))
}
