package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bcfork/bcfork/install/installtest"
	"github.com/bcfork/bcfork/instance"
	"github.com/rogpeppe/go-internal/testscript"
)

// fakeBucardo stands in for the fork's bucardo script in the instance
// scripts: it logs how it was run (never the password) and keeps a fake
// cluster's databases in $FAKE_PG/databases. Files in $FAKE_PG make it
// fail: fail-install, fail-set. start runs a sleep as the daemon and
// writes its pid to the piddir of the rc file (under $FAKE_ROOT); stop
// ends it.
const fakeBucardo = `#!/bin/sh
[ "$1" = --bucardorc ] || { echo "fake bucardo: run without --bucardorc" >&2; exit 9; }
rc=$2; shift 2
get() { sed -n "s/^$1 = //p" "$rc"; }
echo "bucardo $* | rc=$rc cwd=$(pwd) PGPASSFILE=${PGPASSFILE:+set} HOME=$HOME" >>"$FAKE_PG/bucardo.log"
pidfile=$FAKE_ROOT$(get piddir)/bucardo.mcp.pid
case $1 in
install)
	[ -e "$FAKE_PG/fail-install" ] && { echo "INSTALLATION FAILED! (plperlu is missing)" >&2; exit 1; }
	get dbname >>"$FAKE_PG/databases" ;;
set)
	[ -e "$FAKE_PG/fail-set" ] && { echo "DBD::Pg::db do failed: connection lost" >&2; exit 1; }
	shift; printf '%s\n' "$@" >"$FAKE_PG/$(get dbname).settings" ;;
start)
	sleep 120 >/dev/null 2>&1 &
	echo $! >"$pidfile"
	echo "Starting Bucardo" ;;
stop)
	[ -e "$pidfile" ] && kill "$(cat "$pidfile")" && rm -f "$pidfile"
	echo "Creating $(get piddir)/fullstopbucardo ... Done" ;;
status)
	echo "status of $(get dbname): extra name $(get extraname)" ;;
fail)
	echo "failing as asked" >&2; exit 7 ;;
esac
exit 0
our $VERSION = '5.6.0';
`

// fakePsql is psql against the fake cluster in $FAKE_PG: "down" in it
// makes every connection fail as psql does (exit 2); databases lists the
// databases; NAME.json is what instance NAME's bucardo.db holds.
const fakePsql = `#!/bin/sh
echo "psql $* | PGPASSFILE=${PGPASSFILE:+set}" >>"$FAKE_PG/psql.log"
[ -n "$PGPASSFILE" ] && cat "$PGPASSFILE" >>"$FAKE_PG/pgpass.seen"
if [ -e "$FAKE_PG/down" ]; then
	echo 'psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or directory' >&2
	exit 2
fi
db= sql=
while [ $# -gt 0 ]; do
	case $1 in -d) db=$2; shift ;; -c) sql=$2; shift ;; esac
	shift
done
touch "$FAKE_PG/databases"
case $sql in
"SELECT count(*) FROM pg_database WHERE datname = '"*)
	name=${sql#*datname = \'}; grep -cx "${name%\'}" "$FAKE_PG/databases" || true ;;
"DROP DATABASE IF EXISTS "*)
	name=${sql#*EXISTS \"}; name=${name%\"}
	grep -vx "$name" "$FAKE_PG/databases" >"$FAKE_PG/databases.new"; mv "$FAKE_PG/databases.new" "$FAKE_PG/databases" ;;
"SELECT coalesce(json_agg"*)
	grep -qx "$db" "$FAKE_PG/databases" || { echo "psql: error: FATAL:  database \"$db\" does not exist" >&2; exit 2; }
	cat "$FAKE_PG/$db.json" 2>/dev/null || echo '[]' ;;
*)
	echo "fake psql: unexpected SQL: $sql" >&2; exit 3 ;;
esac
`

// fakefork DIR writes a fork folder of Bucardo 5.6.0 whose script is fakeBucardo.
func cmdFakeFork(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fakefork DIR")
	}
	f := installtest.New("5.6.0", 0)
	f.Script = []byte(fakeBucardo)
	ts.Check(f.Write(ts.MkAbs(args[0])))
}

// fakehost ROOT makes ROOT a host for instances: an OS user bucardo (the
// test's own user, which bcfork need not switch from) in ROOT/etc/passwd,
// and a fake psql first on PATH, whose cluster is $WORK/pg.
func cmdFakeHost(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fakehost ROOT")
	}
	root := ts.MkAbs(args[0])
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/bin/sh\nbucardo:x:%d:%d:bucardo:/var/lib/bucardo:/bin/sh\n", os.Getuid(), os.Getgid())
	write(ts, filepath.Join(root, "etc/passwd"), passwd, 0o644)
	bin := ts.MkAbs(".fakebin")
	write(ts, filepath.Join(bin, "psql"), fakePsql, 0o755)
	pg := ts.MkAbs("pg")
	ts.Check(os.MkdirAll(pg, 0o755))
	ts.Setenv("PATH", bin+string(os.PathListSeparator)+ts.Getenv("PATH"))
	ts.Setenv("FAKE_PG", pg)
	ts.Setenv("FAKE_ROOT", root)
}

func write(ts *testscript.TestScript, path, data string, mode os.FileMode) {
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
	ts.Check(os.WriteFile(path, []byte(strings.TrimLeft(data, "\n")), mode))
}

// TestInstanceAddReadOnlyRun: with /run read-only, add fails creating the
// run folder, says so, and leaves nothing behind. Root only (a read-only
// tmpfs); instance_add_run_denied.txtar is the same without root.
func TestInstanceAddReadOnlyRun(t *testing.T) {
	root := t.TempDir()
	mountTmpfs(t, filepath.Join(root, "run"), "64k")
	remount(t, filepath.Join(root, "run"), syscall.MS_RDONLY)
	fork := filepath.Join(t.TempDir(), "fork")
	f := installtest.New("5.6.0", 0)
	f.Script = []byte(fakeBucardo)
	mustNil(t, f.Write(fork))
	pg, bin := t.TempDir(), t.TempDir()
	mustNil(t, os.WriteFile(filepath.Join(bin, "psql"), []byte(fakePsql), 0o755))
	mustNil(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	mustNil(t, os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("bucardo:x:0:0::/var/lib/bucardo:/bin/sh\n"), 0o644))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_PG", pg)
	t.Setenv("FAKE_ROOT", root)
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"bcfork", "install", "--root", root, "--from", fork}, &stdout, &stderr); code != 0 {
		t.Fatalf("install: exit %d\n%s", code, stderr.String())
	}
	stdout.Reset()
	code := run(context.Background(), []string{"bcfork", "instance", "add", "a", "--root", root}, &stdout, &stderr)
	if code != ExitFailure || !strings.Contains(stderr.String(), `/run/bucardo": read-only file system`) ||
		!strings.Contains(stderr.String(), "undone: nothing was left behind") {
		t.Fatalf("exit %d, want 1 and a read-only error:\n%s", code, stderr.String())
	}
	for _, p := range []string{"etc/bucardo", "var/log", "etc/systemd", "var/lib/bcfork/instances.json"} {
		if _, err := os.Stat(filepath.Join(root, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s left behind: %v", p, err)
		}
	}
	t.Logf("as expected:\n%s", stderr.String())
}

// TestInstanceAddKilledAtRandom kills bcfork instance add with SIGKILL
// after a random 0-300 ms, 20 times. Each time, either nothing of the
// instance is on the host, or the record lists it and instance remove
// takes the host back to where it was (but for the logs of an instance
// that was added completely, which remove keeps).
func TestInstanceAddKilledAtRandom(t *testing.T) {
	bcfork, err := exec.LookPath("bcfork") // the test binary, set up by testscript.Main
	mustNil(t, err)
	h := newFakeInstanceHost(t)
	before := treeOf(t, h.root)
	rng := rand.New(rand.NewSource(11))
	outcomes := map[string]int{}
	for i := 0; i < 20; i++ {
		cmd := exec.Command(bcfork, "instance", "add", "a", "--root", h.root)
		cmd.Env = h.env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		mustNil(t, cmd.Start())
		time.Sleep(time.Duration(rng.Intn(300_000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		state := recordState(t, h.root, "a")
		outcomes[state]++
		if state == "none" {
			// A write of the record killed before its rename leaves a
			// temporary file beside it, which the next write removes.
			if after := withoutRecordStrays(treeOf(t, h.root)); after != before {
				t.Fatalf("kill %d: no instance recorded, but the host changed:\nbefore:\n%s\nafter:\n%s", i, before, after)
			}
			continue
		}
		rm := exec.Command(bcfork, "instance", "remove", "a", "--drop-database", "--root", h.root)
		rm.Env = h.env
		if out, err := rm.CombinedOutput(); err != nil {
			t.Fatalf("kill %d (instance %s): instance remove: %v\n%s", i, state, err, out)
		}
		if state != instance.StateAdding {
			mustNil(t, os.RemoveAll(filepath.Join(h.root, "var/log"))) // the logs of an added instance stay
		}
		if after := treeOf(t, h.root); after != before {
			t.Fatalf("kill %d (instance %s): after instance remove the host differs:\nbefore:\n%s\nafter:\n%s", i, state, before, after)
		}
	}
	t.Logf("20 kills: %v", outcomes)
	for _, args := range [][]string{{"instance", "add", "a"}, {"instance", "remove", "a", "--drop-database"}} {
		cmd := exec.Command(bcfork, append(args, "--root", h.root)...)
		cmd.Env = h.env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("bcfork %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	mustNil(t, os.RemoveAll(filepath.Join(h.root, "var/log")))
	if after := treeOf(t, h.root); after != before {
		t.Fatalf("after a last add and remove the host differs:\nbefore:\n%s\nafter:\n%s", before, after)
	}
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
	env  []string
}

func newFakeInstanceHost(t *testing.T) *fakeInstanceHost {
	t.Helper()
	work := t.TempDir()
	h := &fakeInstanceHost{root: filepath.Join(work, "root")}
	fork := filepath.Join(work, "fork")
	f := installtest.New("5.6.0", 0)
	f.Script = []byte(fakeBucardo)
	mustNil(t, f.Write(fork))
	bin, pg := filepath.Join(work, "bin"), filepath.Join(work, "pg")
	mustNil(t, os.MkdirAll(bin, 0o755))
	mustNil(t, os.MkdirAll(pg, 0o755))
	mustNil(t, os.WriteFile(filepath.Join(bin, "psql"), []byte(fakePsql), 0o755))
	mustNil(t, os.MkdirAll(filepath.Join(h.root, "etc"), 0o755))
	passwd := fmt.Sprintf("bucardo:x:%d:%d::/var/lib/bucardo:/bin/sh\n", os.Getuid(), os.Getgid())
	mustNil(t, os.WriteFile(filepath.Join(h.root, "etc/passwd"), []byte(passwd), 0o644))
	h.env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", "FAKE_PG="+pg, "FAKE_ROOT="+h.root,
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"bcfork", "install", "--root", h.root, "--from", fork}, &stdout, &stderr); code != 0 {
		t.Fatalf("install: exit %d\n%s", code, stderr.String())
	}
	return h
}

// recordState is instance name's state in the record under root, or "none".
func recordState(t *testing.T, root, name string) string {
	t.Helper()
	list, err := instance.List(instance.Options{Root: root})
	mustNil(t, err)
	for _, s := range list {
		if s.Name == name {
			return s.State
		}
	}
	return "none"
}

// treeOf describes every file and folder under root but the lock: path,
// mode, and content sum.
func treeOf(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	mustNil(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || strings.HasSuffix(p, "/var/lib/bcfork/lock") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v", strings.TrimPrefix(p, root), info.Mode())
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
