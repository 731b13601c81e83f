package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/install/installtest"
	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// Under -race every bcfork run would sleep a second at exit.
	scriptSetups = append(scriptSetups, func(env *testscript.Env) error {
		env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
		return nil
	})
	scriptCmds["mkfork"] = cmdMkfork
	scriptCmds["mode"] = cmdMode
	scriptCmds["receiptstate"] = cmdReceiptState
}

// mkfork DIR VERSION writes a fork folder of a small synthetic Bucardo VERSION.
func cmdMkfork(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkfork DIR VERSION")
	}
	ts.Check(installtest.Write(ts.MkAbs(args[0]), args[1]))
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

func TestInstallWithoutFromNeedsGenerator(t *testing.T) {
	saved := generateFork
	generateFork = nil
	defer func() { generateFork = saved }()
	root := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bcfork", "install", "--root", root, "--version", "5.6.0"}, &stdout, &stderr)
	if code != ExitUsage || !strings.Contains(stderr.String(), "use --from DIR (see bcfork generate)") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
}

func TestInstallHints(t *testing.T) {
	pathErr := func(errno syscall.Errno) error {
		return fmt.Errorf("installing: %w", &fs.PathError{Op: "open", Path: "/usr/bin/bucardo", Err: errno})
	}
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
		{pathErr(syscall.EACCES), "", ExitFailure}, // not install's: no hint about --root
	} {
		if h := hint(c.err); (c.hint == "" && h != "") || !strings.Contains(h, c.hint) {
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
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	root, forkA, forkB := filepath.Join(work, "root"), filepath.Join(work, "a"), filepath.Join(work, "b")
	const script, schema = "#!/usr/bin/perl\nour $VERSION = '5.6.0';\n# packaged\n", "-- packaged schema\n"
	for path, data := range map[string]string{install.DefaultBin: script, install.DefaultSchema: schema} {
		mustNil(t, os.MkdirAll(filepath.Dir(filepath.Join(root, path)), 0o755))
		mustNil(t, os.WriteFile(filepath.Join(root, path), []byte(data), 0o750))
	}
	a, b := installtest.New("5.6.0", 1<<20), installtest.New("5.5.0", 1<<20)
	mustNil(t, a.Write(forkA))
	mustNil(t, b.Write(forkB))
	whole := map[string][]string{
		install.DefaultBin:    {script, string(a.Script), string(b.Script)},
		install.DefaultSchema: {schema, string(a.Schema), string(b.Schema)},
	}
	rng := rand.New(rand.NewSource(76))
	outcomes := map[string]int{}
	for i := 0; i < 30; i++ {
		args := [][]string{{"install", "--from", forkA}, {"install", "--from", forkB, "--force"}, {"uninstall"}}[rng.Intn(3)]
		cmd := exec.Command(bcfork, append(args, "--root", root)...)
		cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		mustNil(t, cmd.Start())
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
			mustNil(t, err)
			if !oneOf(ok, string(data)) {
				t.Fatalf("kill %d (bcfork %s): %s is not a whole known file (%d bytes)", i, strings.Join(args, " "), path, len(data))
			}
		}
	}
	t.Logf("30 kills: %v", outcomes)
	for _, args := range [][]string{{"install", "--from", forkA, "--force"}, {"status"}, {"uninstall"}} {
		if out, err := exec.Command(bcfork, append(args, "--root", root)...).CombinedOutput(); err != nil {
			t.Fatalf("bcfork %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for path, want := range map[string]string{install.DefaultBin: script, install.DefaultSchema: schema} {
		data, err := os.ReadFile(filepath.Join(root, path))
		mustNil(t, err)
		if string(data) != want {
			t.Errorf("%s after uninstall: %q", path, data)
		}
	}
}

// receiptState is the state the receipt under root records, or "no receipt".
func receiptState(t *testing.T, root string) string {
	rc, err := install.ReadReceipt(filepath.Join(root, install.DefaultStateDir, "receipt.json"))
	mustNil(t, err)
	if rc == nil {
		return "no receipt"
	}
	return rc.State
}

func oneOf(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestStatusNamesRealPristine puts the real pristine 5.6.0 files at the
// targets: status names them by the pins.
func TestStatusNamesRealPristine(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{"Bucardo-5.6.0/bucardo": install.DefaultBin, "Bucardo-5.6.0/bucardo.schema": install.DefaultSchema}
	f, err := os.Open(pristineTarball(t))
	mustNil(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	mustNil(t, err)
	tr := tar.NewReader(gz)
	for len(files) > 0 {
		h, err := tr.Next()
		mustNil(t, err)
		target, ok := files[h.Name]
		if !ok {
			continue
		}
		delete(files, h.Name)
		data, err := io.ReadAll(tr)
		mustNil(t, err)
		mustNil(t, os.MkdirAll(filepath.Dir(filepath.Join(root, target)), 0o755))
		mustNil(t, os.WriteFile(filepath.Join(root, target), data, 0o644))
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"bcfork", "status", "--root", root, "--json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var r install.Report
	mustNil(t, json.Unmarshal(stdout.Bytes(), &r))
	for _, ts := range r.Targets {
		if ts.Content != install.ContentPristine || ts.Version != "5.6.0" {
			t.Errorf("%s: %s %s, want pristine 5.6.0", ts.Path, ts.Content, ts.Version)
		}
	}
}
