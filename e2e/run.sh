#!/bin/bash
# e2e/run.sh — the proof: two real Bucardo daemons, each with its own config
# database, replicating at the same time on this host with the fork that
# bcfork generated and installed; stopping one leaves the other running.
#
# Driven only through the built bcfork binary and the fork it installs, on the
# REAL default targets (/usr/bin/bucardo over Debian's packaged file, diverted
# with dpkg-divert). Needs root on a throwaway Debian machine; installs what it
# lacks (postgresql-15, postgresql-plperl-15, Debian's bucardo). Everything it
# changes is undone on exit, on failure too.
#
#   e2e/run.sh            the test (make e2e)
#   DEMO=1 e2e/run.sh     the same, narrated for a person (make demo)
#
# Environment: BCFORK (binary, default bin/bcfork), BCFORK_PRISTINE_TARBALL
# (Debian's bucardo_5.6.0.orig.tar.gz), E2E_PORT (default 55432), E2E_KEEP=1
# keeps the work folder.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BCFORK=${BCFORK:-$ROOT/bin/bcfork}
TARBALL=${BCFORK_PRISTINE_TARBALL:-$ROOT/.cache/bucardo_5.6.0.orig.tar.gz}
PORT=${E2E_PORT:-55432}
DEMO=${DEMO:-}
PGBIN=/usr/lib/postgresql/15/bin
T0=$(date +%s%N)
PHASE_T=$T0
PHASE=start

# ---------------------------------------------------------------- output
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
phase() {   # phase NAME: close the previous phase with its time, open the next
	[ "$PHASE" = start ] || printf '== %-28s %6d ms\n' "$PHASE" "$(ms "$PHASE_T")"
	PHASE=$1 PHASE_T=$(date +%s%N)
	[ -z "$DEMO" ] || printf '\n\033[1m### %s\033[0m\n' "$1"
}
say() { if [ -n "$DEMO" ]; then printf '\033[36m> %s\033[0m\n' "$*"; else printf '   %s\n' "$*"; fi; }
fail() { echo "E2E FAIL: $*" >&2; exit 1; }
run() { [ -z "$DEMO" ] || printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }

[ "$(id -u)" = 0 ] || fail "run as root on a throwaway machine: this installs packages and replaces /usr/bin/bucardo"
[ -x "$BCFORK" ] || fail "no bcfork binary at $BCFORK (make build)"
[ -f "$TARBALL" ] || fail "no pristine tarball at $TARBALL (make pristine)"

W=$(mktemp -d /tmp/bcfork-e2e.XXXXXX)
chmod 0755 "$W"
SOCK=$W/sock
export PGHOST=$SOCK PGPORT=$PORT PGUSER=postgres

# ---------------------------------------------------------------- cleanup
cleanup() {
	rc=$?
	set +e
	[ "$PHASE" = "done" ] || printf '== %-28s %6d ms (interrupted)\n' "$PHASE" "$(ms "$PHASE_T")"
	for I in a b d; do stop_instance "$I" >/dev/null 2>&1; done
	pkill -u bucardo -f 'Bucardo' >/dev/null 2>&1
	if [ $rc -ne 0 ]; then
		echo "---- logs (failure) ----"
		for f in /var/log/bucardo/bucardo_[abd]/log.bucardo*; do
			[ -f "$f" ] && { echo "--- $f (last 40 lines)"; tail -n 40 "$f"; }
		done
		[ -f "$W/pg.log" ] && { echo "--- postgres log (last 20 lines)"; tail -n 20 "$W/pg.log"; }
	fi
	if [ -n "${E2E_ARTIFACTS:-}" ]; then
		mkdir -p "$E2E_ARTIFACTS"
		for I in a b d; do cp /var/log/bucardo/bucardo_$I/log.bucardo "$E2E_ARTIFACTS/log.bucardo_$I" 2>/dev/null; done
		cp "$W/pg.log" "$E2E_ARTIFACTS/postgresql.log" 2>/dev/null
	fi
	if [ -f /var/lib/bcfork/receipt.json ]; then
		"$BCFORK" uninstall --force >/dev/null 2>&1 || echo "cleanup: bcfork uninstall failed; /usr/bin/bucardo may still be the fork" >&2
	fi
	[ -d "$W/pg/data" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf /var/run/bucardo/bucardo_[abd] /var/log/bucardo/bucardo_[abd]
	[ -n "${E2E_KEEP:-}" ] || rm -rf "$W"
	printf '== total %29d ms, exit %d\n' "$(ms "$T0")" "$rc"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- phases
deps() {
	phase "dependencies"
	local missing=()
	for p in postgresql-15 postgresql-plperl-15 bucardo; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		say "installing ${missing[*]} with apt"
		export DEBIAN_FRONTEND=noninteractive
		apt-get -q update >/dev/null
		apt-get -q install -y --no-install-recommends "${missing[@]}" >/dev/null
	fi
	id bucardo >/dev/null 2>&1 || fail "OS user bucardo missing (Debian's bucardo package creates it)"
	# Debian's init script creates /run/bucardo only when it starts the default
	# instance; the per-instance folders /run/bucardo/NAME are made by the fork.
	install -d -o bucardo -g bucardo /var/run/bucardo /var/log/bucardo
	[ -f /usr/share/perl5/Bucardo.pm ] || fail "Debian's Bucardo.pm missing"
	# The divert-and-reinstall proof needs Debian's files as they came.
	dpkg --verify bucardo || fail "Debian's bucardo package is modified on this host before the test"
	cp /usr/bin/bucardo "$W/debian-bucardo"
	SCHEMA_BEFORE=
	if [ -f /usr/local/share/bucardo/bucardo.schema ]; then
		SCHEMA_BEFORE=$W/schema-before
		cp /usr/local/share/bucardo/bucardo.schema "$SCHEMA_BEFORE"
	fi
	say "Bucardo.pm $(perl -MBucardo -e 'print $Bucardo::VERSION'), Debian's /usr/bin/bucardo sha256 $(sha256sum </usr/bin/bucardo | cut -c1-12)…"
}

rebase_debian() {
	phase "rebase onto Debian's files"
	# A maintainer's loop on real files: carry the 5.6.0 series onto Debian's
	# 5.6.0-4 script and schema. Debian changed the schema's "\c bucardo"
	# line, which patch 0001 changes too: a real conflict, resolved here as a
	# maintainer would, then --continue, then a fork generated from the result.
	local R=$W/rebase rc=0
	mkdir -p "$R/deb"
	cp /usr/bin/bucardo /usr/share/bucardo/bucardo.schema "$R/deb/"
	"$BCFORK" rebase --version 5.6.0 --from-old "$TARBALL" --onto debian-5.6.0-4 --from "$R/deb" \
		--allow-unpinned --no-cache --out "$R/series/upstream/debian-5.6.0-4" --work "$R/work" >"$R/out" 2>&1 || rc=$?
	if [ $rc -ne 3 ] || ! grep -q 'CONFLICT in bucardo.schema' "$R/out"; then
		cat "$R/out"
		fail "rebase onto Debian's files: want exit 3 and a conflict in bucardo.schema, got exit $rc"
	fi
	say "$(grep CONFLICT "$R/out")"
	! "$BCFORK" rebase --continue --work "$R/work" >/dev/null 2>&1 || fail "rebase --continue accepted a file with conflict markers"
	awk '/^<<<<<<< ours$/ { skip = 1; print "\\c :\"bucardo_dbname\""; print "SET SESSION AUTHORIZATION bucardo;"; next }
		/^>>>>>>> theirs$/ { skip = 0; next } !skip' "$R/work/bucardo.schema" >"$R/resolved"
	cp "$R/resolved" "$R/work/bucardo.schema"
	run "$BCFORK" rebase --continue --work "$R/work"
	run "$BCFORK" generate --patches "$R/series" --version debian-5.6.0-4 --from "$R/deb" --no-cache --out "$R/fork" >/dev/null
	perl -c "$R/fork/bucardo" 2>&1 | grep -q 'syntax OK' || fail "the fork of Debian's script does not compile"
	say "series carried onto Debian 5.6.0-4 (one conflict resolved), fork generated, perl -c OK"
}

generate() {
	phase "generate the fork"
	run "$BCFORK" generate --version 5.6.0 --from "$TARBALL" --out "$W/fork" --no-cache
	[ -z "$DEMO" ] || { say "the fork's diff, first lines:"; "$BCFORK" diff --version 5.6.0 --from "$TARBALL" --no-cache | head -n 30; }
}

install_fork() {
	phase "install (dpkg-divert)"
	run "$BCFORK" install --from "$W/fork"
	cmp -s /usr/bin/bucardo "$W/fork/bucardo" || fail "/usr/bin/bucardo is not the fork after install"
	cmp -s /usr/local/share/bucardo/bucardo.schema "$W/fork/bucardo.schema" || fail "schema target is not the fork"
	dpkg-divert --list /usr/bin/bucardo | grep -q 'local diversion' || fail "no dpkg diversion of /usr/bin/bucardo"
	say "$(dpkg-divert --list /usr/bin/bucardo)"
	phase "apt reinstall keeps the fork"
	apt-get -q install --reinstall -y bucardo >/dev/null 2>&1 || apt-get -q install --reinstall -y bucardo
	cmp -s /usr/bin/bucardo "$W/fork/bucardo" || fail "apt-get install --reinstall bucardo overwrote the fork: the diversion did not hold"
	say "after apt-get install --reinstall bucardo, /usr/bin/bucardo is still the fork"
	run "$BCFORK" status
}

cluster() {
	phase "throwaway PostgreSQL"
	mkdir -p "$W/pg" "$SOCK"
	chown postgres:postgres "$W/pg" "$SOCK"
	runuser -u postgres -- "$PGBIN/initdb" -D "$W/pg/data" -A trust -U postgres >/dev/null
	touch "$W/pg.log" && chown postgres "$W/pg.log"
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg/data" -l "$W/pg.log" -w \
		-o "-p $PORT -k $SOCK -c listen_addresses=''" start >/dev/null
	sql postgres "CREATE ROLE bucardo SUPERUSER LOGIN"
	for I in a b; do
		for d in src_$I dst_$I; do
			sql postgres "CREATE DATABASE $d"
			sql "$d" "CREATE TABLE t (id int PRIMARY KEY, v text)"
		done
	done
	say "cluster on port $PORT, socket $SOCK; databases src_a dst_a src_b dst_b"
}

# alive PID: running and not a zombie (PID 1 of a container may not reap).
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }
bucardo_procs() { ps -u bucardo -o pid=,stat=,args= 2>/dev/null | awk '$2 !~ /^Z/' || true; }

sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
rows() { psql -X -Atq -d "$1" -c 'SELECT count(*) FROM t'; }

# B I ARGS: run the installed fork as OS user bucardo for instance I, passing
# only --dbname (and --no-bucardorc: Debian's /etc/bucardorc sets dbname=bucardo).
B() {
	local I=$1
	shift
	[ -z "$DEMO" ] || printf '\033[2m$ bucardo --no-bucardorc --dbname bucardo_%s %s   (as OS user bucardo)\033[0m\n' "$I" "$*"
	(cd "$W/run" && runuser -u bucardo -- env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=bucardo \
		/usr/bin/bucardo --no-bucardorc --dbname "bucardo_$I" "$@")
}
mcp_pid() { echo "/var/run/bucardo/bucardo_$1/bucardo.mcp.pid"; }

stop_instance() { B "$1" stop && wait_gone "$(mcp_pid "$1")"; }

wait_rows() {   # wait_rows DB N: bounded wait (10 s) for N rows in DB.t
	for _ in $(seq 1 100); do
		[ "$(rows "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	fail "timeout: $1 has $(rows "$1") rows, want $2"
}
wait_gone() {   # wait_gone FILE: bounded wait (15 s) for a pid file to vanish
	for _ in $(seq 1 150); do
		[ -e "$1" ] || return 0
		sleep 0.1
	done
	fail "timeout: $1 still there"
}

instances() {
	phase "two instances"
	for I in a b; do
		# Both instances run from the same folder on purpose: their relative
		# reason/conflict/warning files must not collide either.
		install -d -o bucardo -g bucardo "$W/run"
		B "$I" install --batch >/dev/null
		B "$I" add db "src_$I" "dbname=src_$I" "host=$SOCK" "port=$PORT" >/dev/null
		B "$I" add db "dst_$I" "dbname=dst_$I" "host=$SOCK" "port=$PORT" >/dev/null
		B "$I" add sync sync1 "dbs=src_$I:source,dst_$I:target" tables=public.t >/dev/null
		say "instance $I: config database bucardo_$I, sync1 src_$I -> dst_$I"
	done
	[ "$(psql -X -Atq -d postgres -c "SELECT count(*) FROM pg_database WHERE datname IN ('bucardo_a','bucardo_b')")" = 2 ] ||
		fail "the two config databases were not both created"
	phase "start both"
	for I in a b; do B "$I" start >/dev/null; done
	for I in a b; do
		for _ in $(seq 1 100); do [ -e "$(mcp_pid "$I")" ] && break; sleep 0.1; done
		[ -e "$(mcp_pid "$I")" ] || fail "instance $I did not write $(mcp_pid "$I")"
	done
	say "both daemons up: $(mcp_pid a), $(mcp_pid b)"
}

NEXT_ID=1
insert_both() {   # one new row into src_a and src_b
	for I in a b; do sql "src_$I" "INSERT INTO t VALUES ($NEXT_ID, '$I')"; done
	NEXT_ID=$((NEXT_ID + 1))
}
counts() { printf 'src_a=%-3s dst_a=%-3s | src_b=%-3s dst_b=%-3s' "$(rows src_a)" "$(rows dst_a)" "$(rows src_b)" "$(rows dst_b)"; }
live() {   # live ROUNDS: (demo) a row into each source every half second, live counts
	for _ in $(seq 1 "$1"); do
		insert_both
		sleep 0.5
		printf '   %s\n' "$(counts)"
	done
}
caught_up() { wait_rows "dst_$1" "$(rows "src_$1")"; }

replicate() {
	phase "both replicate"
	if [ -n "$DEMO" ]; then live 6; else insert_both; fi
	caught_up a
	caught_up b
	say "both caught up: $(counts)"

	phase "stop A, B goes on"
	B a stop >/dev/null
	wait_gone "$(mcp_pid a)"
	[ -e "$(mcp_pid b)" ] || fail "stopping A removed B's pid file"
	alive "$(head -n1 "$(mcp_pid b)")" || fail "B's MCP process died when A stopped"
	local frozen
	frozen=$(rows dst_a)
	say "A stopped; rows keep coming into both sources:"
	if [ -n "$DEMO" ]; then live 6; else insert_both; fi
	caught_up b
	sleep 1
	[ "$(rows dst_a)" = "$frozen" ] || fail "A replicated after it was stopped"
	say "after stopping A: $(counts)  (A frozen at $frozen, B still replicating)"
	[ -z "$DEMO" ] || B b status

	phase "stop B"
	B b stop >/dev/null
	wait_gone "$(mcp_pid b)"
	sleep 0.5
	[ -z "$(bucardo_procs)" ] || fail "Bucardo processes left: $(bucardo_procs)"
	say "no Bucardo process left"
	check_separate_files
}

check_separate_files() {
	local I other log
	for I in a b; do
		other=$([ "$I" = a ] && echo b || echo a)
		log=/var/log/bucardo/bucardo_$I/log.bucardo
		[ -s "$log" ] || fail "instance $I has no log at $log"
		grep -q "src_$I" "$log" || fail "$log does not mention its own sync's database src_$I"
		! grep -q "src_$other\|bucardo_$other" "$log" || fail "$log mentions instance $other"
		grep -q "/var/run/bucardo/bucardo_$I/fullstopbucardo" "$log" || fail "$log: instance $I did not stop on its own stop file"
	done
	[ "$(mcp_pid a)" != "$(mcp_pid b)" ] || fail "the instances share a pid file"
	for I in a b; do
		[ -s "$W/run/bucardo.restart.reason.bucardo_$I.txt" ] || fail "no reason file of its own for instance $I in $W/run: $(ls "$W/run")"
	done
	[ ! -e "$W/run/bucardo.restart.reason.txt" ] || fail "an instance wrote the shared upstream reason file"
	say "separate: /var/run/bucardo/bucardo_{a,b}/, /var/log/bucardo/bucardo_{a,b}/log.bucardo, each stopped by its own stop file"
	say "run from one folder, each wrote its own $(cd "$W/run" && echo bucardo.restart.reason.bucardo_[ab].txt)"
}

schema_by_hand() {
	phase "schema by hand with psql"
	# The forked schema takes the name from a psql variable, and still works
	# run by hand without one (then it creates "bucardo", as upstream).
	psql -X -q -v ON_ERROR_STOP=1 -v bucardo_dbname=bucardo_hand -d postgres -f "$W/fork/bucardo.schema" >/dev/null 2>&1 ||
		fail "psql -v ON_ERROR_STOP=1 -v bucardo_dbname=bucardo_hand -f bucardo.schema failed"
	sql postgres "DROP DATABASE IF EXISTS bucardo"   # left by the negative control
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -f "$W/fork/bucardo.schema" >/dev/null 2>&1 ||
		fail "psql -v ON_ERROR_STOP=1 -f bucardo.schema (no variable) failed"
	for d in bucardo_hand bucardo; do
		[ "$(psql -X -Atq -d "$d" -c "SELECT count(*) > 0 FROM bucardo.bucardo_config")" = t ] ||
			fail "schema run by hand did not fill $d"
	done
	say "psql -v ON_ERROR_STOP=1 -f bucardo.schema: with -v bucardo_dbname=bucardo_hand and without (bucardo): both filled"
}

uninstall_fork() {
	phase "uninstall"
	uninstall_checked
}

# uninstall_checked: uninstall and check that Debian's files are back as they were.
uninstall_checked() {
	if [ -n "$SCHEMA_BEFORE" ]; then
		run "$BCFORK" uninstall
		cmp -s /usr/local/share/bucardo/bucardo.schema "$SCHEMA_BEFORE" || fail "uninstall did not restore the schema that was there"
	else
		# Nothing was there before: --purge leaves nothing (plain uninstall would
		# write upstream's pristine schema, which Debian's bucardo would then find
		# before its own /usr/share/bucardo copy).
		run "$BCFORK" uninstall --purge
		[ ! -e /usr/local/share/bucardo/bucardo.schema ] || fail "uninstall --purge left /usr/local/share/bucardo/bucardo.schema"
	fi
	cmp -s /usr/bin/bucardo "$W/debian-bucardo" || fail "uninstall did not restore Debian's /usr/bin/bucardo byte for byte"
	! dpkg-divert --list /usr/bin/bucardo | grep -q . || fail "diversion still there after uninstall"
	dpkg --verify bucardo || fail "dpkg --verify bucardo is not clean after uninstall"
	"$BCFORK" status | tee "$W/status.txt"
	grep -q '^/usr/bin/bucardo: packaged file of bucardo' "$W/status.txt" || fail "status does not report Debian's packaged file"
}

debian_flavor() {
	phase "debian flavor, one daemon"
	# The same with the fork of Debian's own package files (flavor debian,
	# whose schema patch was carried over Debian's "\c bucardo" change).
	run "$BCFORK" generate --flavor debian --version 5.6.0-4 --from "$W/rebase/deb" --no-cache --out "$W/fork-deb" >/dev/null
	run "$BCFORK" install --from "$W/fork-deb" >/dev/null
	"$BCFORK" status | grep -q '^/usr/bin/bucardo: fork of debian 5.6.0-4' || fail "status does not report the debian fork"
	for d in src_d dst_d; do
		sql postgres "CREATE DATABASE $d"
		sql "$d" "CREATE TABLE t (id int PRIMARY KEY, v text)"
	done
	B d install --batch >/dev/null
	B d add db src_d dbname=src_d "host=$SOCK" "port=$PORT" >/dev/null
	B d add db dst_d dbname=dst_d "host=$SOCK" "port=$PORT" >/dev/null
	B d add sync sync1 dbs=src_d:source,dst_d:target tables=public.t >/dev/null
	B d start >/dev/null
	sql src_d "INSERT INTO t VALUES (1, 'd')"
	wait_rows dst_d 1
	B d stop >/dev/null
	wait_gone "$(mcp_pid d)"
	say "Debian-flavored fork: config database bucardo_d created by install --dbname, src_d -> dst_d replicated, stopped"
	phase "uninstall (debian flavor)"
	uninstall_checked
}

negative_control() {
	phase "negative control (unpatched)"
	# The same first step with the UNPATCHED files, installed the same way
	# under a prefix: install --dbname bucardo_n must create bucardo_n.
	local R=$W/neg
	install -D -m 0755 "$W/fork/bucardo.orig" "$R/usr/bin/bucardo"
	install -D -m 0644 "$W/fork/bucardo.schema.orig" "$R/usr/local/share/bucardo/bucardo.schema"
	install -d -o bucardo -g bucardo "$R/run" "$R/log"
	local out rc=0
	out=$(cd "$R/run" && runuser -u bucardo -- env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=bucardo \
		"$R/usr/bin/bucardo" --no-bucardorc --dbname bucardo_n install --batch 2>&1) || rc=$?
	echo "$out" | tail -n 3 | sed 's/^/   unpatched: /'
	local dbs
	dbs=$(psql -X -Atq -d postgres -c "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE 'bucardo%'")
	say "unpatched install --dbname bucardo_n: exit $rc, config databases now: $dbs"
	case ",$dbs," in *,bucardo_n,*) fail "negative control: the UNPATCHED installer created bucardo_n — the test would not prove the fork" ;; esac
	# ... and the next step of the scenario dies on the missing database.
	rc=0
	out=$(cd "$R/run" && runuser -u bucardo -- env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=bucardo \
		"$R/usr/bin/bucardo" --no-bucardorc --dbname bucardo_n add db src_a dbname=src_a "host=$SOCK" "port=$PORT" 2>&1) || rc=$?
	if [ $rc -eq 0 ] || ! echo "$out" | grep -q 'database "bucardo_n" does not exist'; then
		fail "negative control: unpatched 'add db' did not fail on the missing config database (exit $rc): $out"
	fi
	say "as expected, upstream's installer ignores --dbname (created 'bucardo', not bucardo_n), and 'add db' then dies:"
	say "  $(echo "$out" | grep -m1 'does not exist')"
}

deps
rebase_debian
generate
install_fork
cluster
instances
replicate
negative_control
schema_by_hand
uninstall_fork
debian_flavor
phase "done"
echo "E2E OK"
