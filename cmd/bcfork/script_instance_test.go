package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/bcfork/bcfork/install/installtest"
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
