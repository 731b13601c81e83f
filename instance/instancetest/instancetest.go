// Package instancetest makes fake hosts for tests of package instance and of
// bcfork instance: a root folder with the fork of a fake bucardo installed,
// an OS user bucardo, and a fake psql with a fake cluster.
package instancetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bcfork/bcfork/install"
	"github.com/bcfork/bcfork/install/installtest"
)

// Bucardo stands in for the fork's bucardo script in the instance
// scripts: it logs how it was run (never the password) and keeps a fake
// cluster's databases in $FAKE_PG/databases. Files in $FAKE_PG make it
// fail: fail-install, fail-set. start runs a sleep as the daemon and
// writes its pid to the piddir of the rc file (under $FAKE_ROOT); stop
// ends it.
const Bucardo = `#!/bin/sh
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

// Psql is psql against the fake cluster in $FAKE_PG: "down" in it
// makes every connection fail as psql does (exit 2); databases lists the
// databases; NAME.json is what instance NAME's bucardo.db holds.
const Psql = `#!/bin/sh
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

// WriteFork writes a fork folder of Bucardo 5.6.0 whose script is Bucardo.
func WriteFork(dir string) error { return fork().Write(dir) }

// WriteForkAndTree is WriteFork, and adds the series and pins that make
// that fork to the patches tree in folder tree, which bcfork install --from
// needs (--patches) to derive the fork again.
func WriteForkAndTree(dir, tree string) error {
	f := fork()
	if err := f.Write(dir); err != nil {
		return err
	}
	return f.WriteTree(tree)
}

func fork() *installtest.Fork {
	f := installtest.New("5.6.0", 0)
	f.Script = []byte(Bucardo)
	return f
}

// Host is a fake host under Root, with psql in Bin and its cluster in PG.
type Host struct {
	Root, Bin, PG string
}

// NewHost makes a fake host in folder work: the OS user bucardo (the
// caller's own user, so bcfork need not switch users) in Root/etc/passwd,
// and the fake psql. Install puts the fake fork on it too.
func NewHost(work string) (*Host, error) {
	h := &Host{Root: filepath.Join(work, "root"), Bin: filepath.Join(work, ".fakebin"), PG: filepath.Join(work, "pg")}
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/bin/sh\nbucardo:x:%d:%d:bucardo:/var/lib/bucardo:/bin/sh\n", os.Getuid(), os.Getgid())
	for _, f := range []struct {
		path, data string
		mode       os.FileMode
	}{
		{filepath.Join(h.Root, "etc/passwd"), passwd, 0o644},
		{filepath.Join(h.Bin, "psql"), Psql, 0o755},
	} {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(f.path, []byte(f.data), f.mode); err != nil {
			return nil, err
		}
	}
	return h, os.MkdirAll(h.PG, 0o755)
}

// Install installs the fake fork on the host (writing it to work/fork).
func (h *Host) Install(work string) error {
	fork := filepath.Join(work, "fork")
	if err := WriteFork(fork); err != nil {
		return err
	}
	_, err := install.Install(context.Background(), fork, install.Options{Root: h.Root, Bcfork: "test"})
	return err
}

// Env is what the fakes need in the environment: PATH with the fake psql
// first, FAKE_PG and FAKE_ROOT.
func (h *Host) Env(path string) map[string]string {
	return map[string]string{"PATH": h.Bin + string(os.PathListSeparator) + path, "FAKE_PG": h.PG, "FAKE_ROOT": h.Root}
}
