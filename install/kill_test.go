package install

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The test binary doubles as a helper process that installs or uninstalls
// and is killed with SIGKILL, so that a real process dies mid-way: no
// deferred code runs, the kernel drops the lock.
func TestMain(m *testing.M) {
	if mode := os.Getenv("BCFORK_KILL_HELPER"); mode != "" {
		if err := helper(mode); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helper runs in the child process. Mode "step" runs OP once and SIGKILLs
// itself at filesystem or dpkg step KILL_AT; mode "loop" installs fork A,
// fork B and uninstalls, over and over, until killed.
func helper(mode string) error {
	ctx := context.Background()
	o := Options{Root: os.Getenv("ROOT"), Now: fixedNow, Bcfork: "test", FS: OS{}}
	var dpkg *fakeDpkg
	if f := os.Getenv("DPKG"); f != "" {
		dpkg = &fakeDpkg{file: f}
		o.Dpkg = dpkg
	}
	forks := strings.Split(os.Getenv("FORKS"), ":")
	if mode == "step" {
		at, _ := strconv.Atoi(os.Getenv("KILL_AT"))
		k := &killFS{inner: OS{}, at: at}
		o.FS = k
		if dpkg != nil {
			dpkg.steps = k
		}
		if os.Getenv("OP") == "uninstall" {
			_, err := Uninstall(ctx, o)
			return err
		}
		_, err := Install(ctx, forks[0], o)
		return err
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		var err error
		switch i % 3 {
		case 0, 1:
			_, err = Install(ctx, forks[i%3], o)
		case 2:
			_, err = Uninstall(ctx, o)
		}
		if err != nil {
			return err
		}
	}
}

// killFS kills its own process at step at; a WriteFile it kills writes half first.
type killFS struct {
	inner FS
	at, n int
}

func (k *killFS) step(op, name string) error {
	k.n++
	if k.n == k.at {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Second) // the signal is asynchronous
	}
	return nil
}

func (k *killFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if k.n+1 == k.at {
		_ = k.inner.WriteFile(name, data[:len(data)/2], perm)
	}
	k.step("write", name)
	return k.inner.WriteFile(name, data, perm)
}

func (k *killFS) Sync(name string) error   { k.step("", ""); return k.inner.Sync(name) }
func (k *killFS) Rename(a, b string) error { k.step("", ""); return k.inner.Rename(a, b) }
func (k *killFS) Link(a, b string) error   { k.step("", ""); return k.inner.Link(a, b) }
func (k *killFS) Remove(name string) error { k.step("", ""); return k.inner.Remove(name) }
func (k *killFS) Chmod(name string, m fs.FileMode) error {
	k.step("", "")
	return k.inner.Chmod(name, m)
}
func (k *killFS) Chown(name string, u, g int) error { k.step("", ""); return k.inner.Chown(name, u, g) }
func (k *killFS) MkdirAll(name string, m fs.FileMode) error {
	k.step("", "")
	return k.inner.MkdirAll(name, m)
}

// helperCmd returns the test binary run as a helper on host root.
func helperCmd(mode, root string, dpkg *fakeDpkg, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BCFORK_KILL_HELPER="+mode, "ROOT="+root, "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	if dpkg != nil {
		cmd.Env = append(cmd.Env, "DPKG="+dpkg.file)
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// killed reports whether the process ended by SIGKILL.
func killed(err error) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// TestSIGKILLAtEveryStep kills a real install or uninstall process at
// every step, then checks that each target is whole, that status reports
// the interruption, and that running the operation again ends exactly
// where an unbroken run does.
func TestSIGKILLAtEveryStep(t *testing.T) {
	forkA, forkB := writeFork(t, "5.6.0"), writeFork(t, "5.5.0")
	installed := func(t *testing.T, root string, o Options) {
		put(t, root, DefaultBin, origScript, 0o750)
		put(t, root, DefaultSchema, origSchema, 0o640)
		_, err := Install(context.Background(), forkA, o)
		require.NoError(t, err)
	}
	scenarios := []struct {
		faultScenario
		fork, opName string
	}{
		{faultScenario{name: "install over packaged", dpkg: true, setup: func(t *testing.T, root string, _ Options) {
			put(t, root, DefaultBin, origScript, 0o750)
		}, op: func(ctx context.Context, o Options) error { _, err := Install(ctx, forkA, o); return err }}, forkA, "install"},
		{faultScenario{name: "upgrade", dpkg: true, setup: installed,
			op: func(ctx context.Context, o Options) error { _, err := Install(ctx, forkB, o); return err }}, forkB, "install"},
		{faultScenario{name: "uninstall", dpkg: true, setup: installed,
			op: func(ctx context.Context, o Options) error { _, err := Uninstall(ctx, o); return err }}, "", "uninstall"},
	}
	kills := 0
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			ref := runClean(t, sc.faultScenario)
			for k := 1; k <= ref.steps; k++ {
				name := fmt.Sprintf("SIGKILL at step %d of %d (%s)", k, ref.steps, ref.log[k-1])
				root, o, dpkg := newHost(t, sc.faultScenario)
				out, err := helperCmd("step", root, dpkg, "OP="+sc.opName, "FORKS="+sc.fork, "KILL_AT="+strconv.Itoa(k)).CombinedOutput()
				if !killed(err) {
					t.Fatalf("%s: helper was not killed: %v\n%s", name, err, out)
				}
				kills++
				checkWhole(t, root, ref.targets, ref.setup, ref.final, name)
				checkInterrupted(t, o, name)
				require.NoError(t, sc.faultScenario.op(context.Background(), o), "%s: rerun", name)
				assert.Equal(t, ref.final, snapshot(t, root), name+": rerun differs from an unbroken run")
				eqDiversions(t, diversions(t, dpkg), ref.divFinal, name)
			}
		})
	}
	t.Logf("%d processes killed, each recovered", kills)
}

// TestSIGKILLAtRandom kills a process that installs two forks and
// uninstalls in a loop, at random moments, 30 times on the same host
// without recovering in between; each target must always be whole, and
// at the end install and uninstall must converge.
func TestSIGKILLAtRandom(t *testing.T) {
	forkA, forkB := writeFork(t, "5.6.0"), writeFork(t, "5.5.0")
	root := scratch(t)
	put(t, root, DefaultBin, origScript, 0o750)
	put(t, root, DefaultSchema, origSchema, 0o640)
	dpkg := newFakeDpkg(t, map[string]string{DefaultBin: "bucardo"})
	o := Options{Root: root, Now: fixedNow, Dpkg: dpkg}
	whole := map[string][]string{
		DefaultBin:    {sha([]byte(origScript)), sumOf(t, forkA, "bucardo"), sumOf(t, forkB, "bucardo")},
		DefaultSchema: {sha([]byte(origSchema)), sumOf(t, forkA, "bucardo.schema"), sumOf(t, forkB, "bucardo.schema")},
	}
	rng := rand.New(rand.NewSource(5))
	states := map[string]int{}
	for i := 0; i < 30; i++ {
		cmd := helperCmd("loop", root, dpkg, "FORKS="+forkA+":"+forkB)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
			t.Fatalf("kill %d: helper did not start: %v\n%s", i, err, stderr.String())
		}
		time.Sleep(time.Duration(rng.Intn(20_000)) * time.Microsecond)
		require.NoError(t, cmd.Process.Kill())
		if err := cmd.Wait(); !killed(err) {
			t.Fatalf("kill %d: helper ended on its own: %v\n%s", i, err, stderr.String())
		}
		for p, ok := range whole {
			if got := sumOf(t, root, p); !slices.Contains(ok, got) {
				t.Fatalf("kill %d: %s holds %.12s, not a whole known file", i, p, got)
			}
		}
		st, err := Status(context.Background(), o)
		require.NoError(t, err)
		states[st.State]++
	}
	t.Logf("states at the 30 kills: %v", states)
	_, err := Install(context.Background(), forkA, o)
	require.NoError(t, err)
	st, err := Status(context.Background(), o)
	require.NoError(t, err)
	if st.Drifted() || st.Targets[0].Content != ContentFork {
		t.Fatalf("after install: %s, drift %q", st.Targets[0].Content, st.Drift)
	}
	_, err = Uninstall(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, origScript, readString(t, root, DefaultBin), "script after uninstall")
	assert.Equal(t, origSchema, readString(t, root, DefaultSchema), "schema after uninstall")
	assert.Empty(t, dpkg.diversions(t), "diversions")
}
