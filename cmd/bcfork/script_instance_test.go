package main

import (
	"bytes"
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
	"github.com/bcfork/bcfork/instance"
	"github.com/bcfork/bcfork/instance/instancetest"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/require"
)

// fakefork DIR writes a fork folder of Bucardo 5.6.0 whose script is
// instancetest.Bucardo, and its series and pins into ./patches, which
// install needs (--patches patches) to derive the fork again.
func cmdFakeFork(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fakefork DIR")
	}
	ts.Check(instancetest.WriteForkAndTree(ts.MkAbs(args[0]), ts.MkAbs("patches")))
}

// fakehost ROOT makes ROOT a host for instances (see instancetest.NewHost):
// an OS user bucardo, and a fake psql first on PATH whose cluster is $WORK/pg.
func cmdFakeHost(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 || args[0] != "root" {
		ts.Fatalf("usage: fakehost root")
	}
	h, err := instancetest.NewHost(ts.MkAbs("."))
	ts.Check(err)
	for k, v := range h.Env(ts.Getenv("PATH")) {
		ts.Setenv(k, v)
	}
}

// oldunit ROOT makes ROOT, where instances were added, what a bcfork
// before commit 6d4c6ef left (see instancetest.WriteOldUnit): the template
// unit without its ExecStartPost line, recorded as bcfork's.
func cmdOldUnit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: oldunit ROOT")
	}
	ts.Check(instancetest.WriteOldUnit(ts.MkAbs(args[0])))
}

// TestInstanceAddKilledAtRandom kills bcfork instance add with SIGKILL
// after a random 0-300 ms, 20 times. Each time, either nothing of the
// instance is on the host, or the record lists it and instance remove
// takes the host back to where it was (but for the logs of an instance
// that was added completely, which remove keeps).
func TestInstanceAddKilledAtRandom(t *testing.T) {
	bcfork, err := exec.LookPath("bcfork") // the test binary, set up by testscript.Main
	require.NoError(t, err)
	h := newFakeInstanceHost(t)
	before := h.tree(t)
	rng := rand.New(rand.NewSource(11))
	outcomes := map[string]int{}
	for i := 0; i < 20; i++ {
		cmd := exec.Command(bcfork, "instance", "add", "a", "--root", h.root)
		cmd.Env = h.env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Start())
		time.Sleep(time.Duration(rng.Intn(300_000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		state := recordState(t, h.root, "a")
		outcomes[state]++
		if state == "none" {
			// A write of the record killed before its rename leaves a
			// temporary file beside it, which the next write removes.
			require.Equal(t, before, withoutRecordStrays(h.tree(t)), "kill %d: no instance recorded, but the host changed", i)
			continue
		}
		rm := exec.Command(bcfork, "instance", "remove", "a", "--drop-database", "--root", h.root)
		rm.Env = h.env
		rmOut, err := rm.CombinedOutput()
		require.NoError(t, err, "kill %d (instance %s): instance remove:\n%s", i, state, rmOut)
		if state != instance.StateAdding {
			require.NoError(t, os.RemoveAll(filepath.Join(h.root, "var/log"))) // the logs of an added instance stay
		}
		require.Equal(t, before, h.tree(t), "kill %d (instance %s): after instance remove", i, state)
	}
	t.Logf("20 kills: %v", outcomes)
	for _, args := range [][]string{{"instance", "add", "a"}, {"instance", "remove", "a", "--drop-database"}} {
		cmd := exec.Command(bcfork, append(args, "--root", h.root)...)
		cmd.Env = h.env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "bcfork %s:\n%s", strings.Join(args, " "), out)
	}
	require.NoError(t, os.RemoveAll(filepath.Join(h.root, "var/log")))
	require.Equal(t, before, h.tree(t), "after a last add and remove")
}

// withoutRecordStrays drops the temporary files of the instance record from tree.
func withoutRecordStrays(tree string) string {
	var keep []string
	for _, line := range strings.SplitAfter(tree, "\n") {
		if !strings.HasPrefix(line, "/var/lib/bcfork/."+instance.RecordName+".") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}

// fakeInstanceHost is a root with the fake fork installed, an OS user
// bucardo and a fake psql, and the environment to run bcfork in.
type fakeInstanceHost struct {
	root string
	vars map[string]string // for the fakes
	env  []string          // to run the bcfork binary in
}

// tree describes the host under root but the lock.
func (h *fakeInstanceHost) tree(t *testing.T) string {
	return treeOf(t, h.root, func(rel string, _ fs.DirEntry) bool { return rel == install.DefaultStateDir+"/lock" })
}

func newFakeInstanceHost(t *testing.T) *fakeInstanceHost {
	t.Helper()
	work := t.TempDir()
	h, err := instancetest.NewHost(work)
	require.NoError(t, err)
	require.NoError(t, h.Install(work))
	f := &fakeInstanceHost{root: h.Root, vars: h.Env(os.Getenv("PATH")), env: append(os.Environ(), "GORACE=atexit_sleep_ms=0")}
	for k, v := range f.vars {
		f.env = append(f.env, k+"="+v)
	}
	return f
}

// recordState is instance name's state in the record under root, or "none".
func recordState(t *testing.T, root, name string) string {
	t.Helper()
	list, err := instance.List(instance.Options{Root: root})
	require.NoError(t, err)
	for _, s := range list {
		if s.Name == name {
			return s.State
		}
	}
	return "none"
}
