package install

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faultScenario is one install or uninstall to break at every step.
type faultScenario struct {
	name    string
	dpkg    bool                                       // the script belongs to a package
	setup   func(t *testing.T, root string, o Options) // runs with a working filesystem
	op      func(ctx context.Context, o Options) error
	install bool   // op is an install; else an uninstall
	fork    string // the fork op installs, or setup installed
	force   bool   // recovering by the opposite operation needs --force
	before  string // the script before any install; "" if none
	prev    string // the fork setup installed, if any
}

// TestFaultAtEveryStep fails install and uninstall at every filesystem and
// dpkg step, once as a single error (the run may undo itself: then the host
// must be as before) and once as a crash (every later step fails too, as if
// the process died), and checks that each target is whole, old or new,
// content, mode and owner; that status reports an interrupted run; that
// running the same operation again ends exactly where an unbroken run ends,
// with a clean status; and, after a crash, that running the opposite
// operation instead converges too.
func TestFaultAtEveryStep(t *testing.T) {
	forkA, forkB := writeFork(t, "5.6.0"), writeFork(t, "5.5.0")
	install := func(fork string) func(context.Context, Options) error {
		return func(ctx context.Context, o Options) error { _, err := Install(ctx, fork, o); return err }
	}
	uninstall := func(ctx context.Context, o Options) error { _, err := Uninstall(ctx, o); return err }
	pristine := func(ctx context.Context, o Options) error { o.Pristine = true; _, err := Uninstall(ctx, o); return err }
	originals := func(t *testing.T, root string, _ Options) {
		put(t, root, DefaultBin, origScript, 0o750)
		put(t, root, DefaultSchema, origSchema, 0o640)
	}
	installed := func(more func(t *testing.T, root string)) func(*testing.T, string, Options) {
		return func(t *testing.T, root string, o Options) {
			originals(t, root, o)
			_, err := Install(context.Background(), forkA, o)
			require.NoError(t, err)
			if more != nil {
				more(t, root)
			}
		}
	}
	nothing := func(*testing.T, string, Options) {}
	installedOnNothing := func(t *testing.T, root string, o Options) {
		_, err := Install(context.Background(), forkA, o)
		require.NoError(t, err)
	}
	scenarios := []faultScenario{
		{name: "install over originals", setup: originals, op: install(forkA), install: true, fork: forkA, before: origScript},
		{name: "install over nothing", setup: nothing, op: install(forkA), install: true, fork: forkA},
		{name: "install over packaged", dpkg: true, setup: originals, op: install(forkA), install: true, fork: forkA, before: origScript},
		{name: "upgrade", dpkg: true, setup: installed(nil), op: install(forkB), install: true, fork: forkB, before: origScript},
		{name: "upgrade over nothing", setup: installedOnNothing, op: install(forkB), install: true, fork: forkB, prev: forkA},
		{name: "forced over changed", setup: installed(func(t *testing.T, root string) {
			put(t, root, DefaultBin, "edited\n", 0o755)
		}), op: func(ctx context.Context, o Options) error { o.Force = true; return install(forkB)(ctx, o) }, install: true, fork: forkB, before: origScript, force: true},
		{name: "uninstall packaged", dpkg: true, setup: installed(nil), op: uninstall, fork: forkA},
		{name: "uninstall after package upgrade", dpkg: true, setup: installed(func(t *testing.T, root string) {
			put(t, root, DefaultBin+".distrib", origScript+"# newer package\n", 0o755)
		}), op: uninstall, fork: forkA},
		{name: "uninstall to nothing", setup: installedOnNothing, op: uninstall, fork: forkA},
		{name: "uninstall to pristine", setup: installedOnNothing, op: pristine, fork: forkA},
	}
	var total atomic.Int64
	t.Cleanup(func() { t.Logf("%d broken runs, each recovered", total.Load()) })
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			ref := runClean(t, sc)
			for _, crash := range []bool{false, true} {
				for k := 1; k <= ref.steps; k++ {
					name := fmt.Sprintf("%s at step %d of %d (%s)", map[bool]string{false: "error", true: "crash"}[crash], k, ref.steps, ref.log[k-1])
					checkFault(t, sc, ref, k, crash, true, name)
					total.Add(1)
					if crash { // an error mostly undoes itself: nothing opposite to recover
						checkFault(t, sc, ref, k, crash, false, name)
						total.Add(1)
					}
				}
			}
			t.Logf("%s: %d steps: %s", sc.name, ref.steps, strings.Join(ref.log, "; "))
		})
	}
}

// reference is an unbroken run of a scenario.
type reference struct {
	steps    int
	log      []string
	setup    map[string]string // snapshot after setup
	final    map[string]string // snapshot after the operation
	divSetup map[string]Diversion
	divFinal map[string]Diversion
	targets  []string
}

func newHost(t *testing.T, sc faultScenario) (root string, o Options, dpkg *fakeDpkg) {
	root = scratch(t)
	o = Options{Root: root, Now: fixedNow, Bcfork: "test", FS: noSync{}}
	if sc.dpkg {
		dpkg = newFakeDpkg(t, map[string]string{DefaultBin: "bucardo"})
		o.Dpkg = dpkg
	}
	sc.setup(t, root, o)
	return root, o, dpkg
}

func diversions(t *testing.T, d *fakeDpkg) map[string]Diversion {
	if d == nil {
		return nil
	}
	return d.diversions(t)
}

func runClean(t *testing.T, sc faultScenario) reference {
	ctx := context.Background()
	root, o, dpkg := newHost(t, sc)
	ref := reference{setup: snapshot(t, root), divSetup: diversions(t, dpkg), targets: []string{DefaultBin, DefaultSchema}}
	f := &faultFS{inner: noSync{}}
	o.FS = f
	if dpkg != nil {
		dpkg.steps = f
	}
	require.NoError(t, sc.op(ctx, o))
	ref.steps, ref.log = f.n, f.log
	ref.final, ref.divFinal = snapshot(t, root), diversions(t, dpkg)
	return ref
}

// checkFault breaks the scenario at step k, checks every target is whole,
// then recovers by running the same operation again (same) or the opposite one.
func checkFault(t *testing.T, sc faultScenario, ref reference, k int, crash, same bool, name string) {
	t.Helper()
	ctx := context.Background()
	root, o, dpkg := newHost(t, sc)
	f := &faultFS{inner: noSync{}, failAt: k, crash: crash}
	o.FS = f
	if dpkg != nil {
		dpkg.steps = f
	}
	err := sc.op(ctx, o)
	if err == nil && !(sc.install && committed(t, root)) { // a failure tidying up after an install is only noted
		t.Fatalf("%s: no error", name)
	}
	if err != nil {
		require.ErrorIs(t, err, errInjected, name)
	}
	checkWhole(t, root, ref.targets, ref.setup, ref.final, name)
	checkInterrupted(t, o, name)
	var inc *IncompleteError
	if !crash && err != nil && !errors.As(err, &inc) {
		// The run undid itself: the host is as it was.
		assert.Equal(t, withoutState(ref.setup), withoutState(snapshot(t, root)), name+": after undo")
	}
	o.FS = noSync{}
	if dpkg != nil {
		dpkg.steps = nil
	}
	if same {
		require.NoError(t, sc.op(ctx, o), "%s: rerun", name)
		assert.Equal(t, ref.final, snapshot(t, root), name+": rerun differs from an unbroken run")
		eqDiversions(t, diversions(t, dpkg), ref.divFinal, name)
	} else {
		recoverOpposite(t, sc, root, o, name)
	}
	st, err := Status(ctx, o)
	require.NoError(t, err)
	require.False(t, st.Drifted(), "%s: status after recovery: %s", name, strings.Join(st.Drift, "; "))
}

// recoverOpposite uninstalls after a broken install, or installs after a
// broken uninstall, and checks the targets.
func recoverOpposite(t *testing.T, sc faultScenario, root string, o Options, name string) {
	ctx := context.Background()
	o.Force = sc.force
	if !sc.install {
		_, err := Install(ctx, sc.fork, o)
		require.NoError(t, err, "%s: install after broken uninstall", name)
		assert.Equal(t, sumOf(t, sc.fork, "bucardo"), sumOf(t, root, DefaultBin), name+": script")
		assert.Equal(t, sumOf(t, sc.fork, "bucardo.schema"), sumOf(t, root, DefaultSchema), name+": schema")
		return
	}
	_, err := Uninstall(ctx, o)
	require.NoError(t, err, "%s: uninstall after broken install", name)
	assert.Equal(t, map[string]string{}, withoutState(stateOf(t, root)), name+": state after uninstall")
	if d, ok := o.Dpkg.(*fakeDpkg); ok {
		assert.Empty(t, d.diversions(t), name+": diversions")
	}
	got := sumOf(t, root, DefaultBin)
	if sc.before != "" {
		assert.Equal(t, sha([]byte(sc.before)), got, name+": script after uninstall")
		assertMode(t, filepath.Join(root, DefaultBin), "0750")
	} else if got != "absent" && got != sumOf(t, sc.fork, "bucardo.orig") && (sc.prev == "" || got != sumOf(t, sc.prev, "bucardo.orig")) {
		t.Errorf("%s: script after uninstall is %.12s, neither absent nor pristine", name, got)
	}
}

// checkWhole checks that each target is exactly as in snapshot old or
// snapshot new: content, mode and owner.
func checkWhole(t *testing.T, root string, targets []string, old, new map[string]string, name string) {
	t.Helper()
	now := snapshot(t, root)
	for _, p := range targets {
		k := strings.TrimPrefix(p, "/")
		if now[k] != old[k] && now[k] != new[k] {
			t.Fatalf("%s: %s is neither old %q nor new %q but %q", name, p, old[k], new[k], now[k])
		}
	}
}

// checkInterrupted checks that status reports an interrupted run when the
// receipt says one stopped.
func checkInterrupted(t *testing.T, o Options, name string) {
	t.Helper()
	o.FS = nil
	st, err := Status(context.Background(), o)
	require.NoError(t, err)
	if st.State != StateInstalled && st.State != NotInstalled && (!st.Drifted() || !strings.Contains(st.Drift[0], "interrupted")) {
		t.Fatalf("%s: status in state %s: drift %q", name, st.State, st.Drift)
	}
}

func eqDiversions(t *testing.T, got, want map[string]Diversion, name string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: diversions %v, want %v", name, got, want)
	}
}

// committed reports whether the receipt under root says installed.
func committed(t *testing.T, root string) bool {
	rc, err := ReadReceipt(Options{Root: root})
	require.NoError(t, err)
	return rc != nil && rc.State == StateInstalled
}

// stateOf is the snapshot of the state folder under root, paths relative to root.
func stateOf(t *testing.T, root string) map[string]string {
	out := map[string]string{}
	for k, v := range snapshot(t, root) {
		if strings.HasPrefix(k, "var/") {
			out[k] = v
		}
	}
	return out
}
