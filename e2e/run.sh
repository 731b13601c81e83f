#!/bin/bash
# e2e/run.sh — the proof: two real Bucardo daemons, each with its own config
# database, replicating at the same time on this host with the fork that
# bcfork generated and installed; stopping one leaves the other running.
#
# Driven only through the built bcfork binary and the fork it installs, on the
# REAL default targets (/usr/bin/bucardo over Debian's packaged file, diverted
# with dpkg-divert). The daemons are bcfork instances (bcfork instance add,
# exec, check, remove): no bucardo flag is typed here, and they start and stop
# with the lines of the systemd unit bcfork wrote, run as the OS user bucardo
# in the unit's clean environment (no systemd as PID 1 here). Needs root on a
# throwaway Debian machine; installs what it lacks (postgresql-15,
# postgresql-plperl-15, Debian's bucardo, systemd's tools, logrotate).
# Everything it changes is undone on exit, on failure too.
#
#   e2e/run.sh            the test (make e2e)
#   DEMO=1 e2e/run.sh     the same, narrated (make demo is e2e/demo.sh: the
#                         operator's path only, and it refuses a host in use)
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
	if [ $rc -ne 0 ]; then
		echo "---- logs (failure) ----"
		for f in /var/log/bucardo/[abd]/log.bucardo*; do
			[ -f "$f" ] && { echo "--- $f (last 40 lines)"; tail -n 40 "$f"; }
		done
		[ -f "$W/pg.log" ] && { echo "--- postgres log (last 20 lines)"; tail -n 20 "$W/pg.log"; }
	fi
	if [ -n "${E2E_ARTIFACTS:-}" ]; then
		mkdir -p "$E2E_ARTIFACTS"
		for I in a b d; do cp /var/log/bucardo/$I/log.bucardo "$E2E_ARTIFACTS/log.bucardo_$I" 2>/dev/null; done
		cp "$W/pg.log" "$E2E_ARTIFACTS/postgresql.log" 2>/dev/null
	fi
	# bcfork instance remove stops each daemon with bucardo stop and waits.
	for I in a b d; do
		[ -f "/etc/bucardo/$I.rc" ] && bc instance remove "$I" >/dev/null 2>&1
	done
	local pid
	for pid in $(bucardo_procs | awk '{print $1}'); do
		kill "$pid" >/dev/null 2>&1   # the daemons this script started, if remove failed
	done
	if [ -f /var/lib/bcfork/receipt.json ]; then
		"$BCFORK" uninstall --force >/dev/null 2>&1 || echo "cleanup: bcfork uninstall failed; /usr/bin/bucardo may still be the fork" >&2
	fi
	[ -d "$W/pg/data" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf /var/run/bucardo/[abd] /var/log/bucardo/[abd] /var/log/bucardo/bucardo_n
	[ -n "${E2E_KEEP:-}" ] || rm -rf "$W"
	printf '== total %29d ms, exit %d\n' "$(ms "$T0")" "$rc"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- phases
# debian_before: keep Debian's files as they came, for the uninstall checks.
debian_before() {
	# The divert-and-reinstall proof needs Debian's files as they came.
	dpkg --verify bucardo || fail "Debian's bucardo package is modified on this host before the test"
	cp /usr/bin/bucardo "$W/debian-bucardo"
	SCHEMA_BEFORE=
	if [ -f /usr/local/share/bucardo/bucardo.schema ]; then
		SCHEMA_BEFORE=$W/schema-before
		cp /usr/local/share/bucardo/bucardo.schema "$SCHEMA_BEFORE"
	fi
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
	"$BCFORK" rebase --old-flavor upstream --version 5.6.0 --from-old "$TARBALL" --flavor debian --onto 5.6.0-4 --from "$R/deb" \
		--no-cache --out "$R/series/debian/5.6.0-4" --work "$R/work" >"$R/out" 2>&1 || rc=$?
	if [ $rc -ne 3 ] || ! grep -q 'CONFLICT in bucardo.schema' "$R/out"; then
		cat "$R/out"
		fail "rebase onto Debian's files: want exit 3 and a conflict in bucardo.schema, got exit $rc"
	fi
	say "$(grep CONFLICT "$R/out")"
	! "$BCFORK" rebase --continue --work "$R/work" >/dev/null 2>&1 || fail "rebase --continue accepted a file with conflict markers"
	awk '/^<<<<<<< ours$/ { skip = 1; print "\\c :\"bucardo_dbname\""; print "SET SESSION AUTHORIZATION bucardo;"; next }
		/^>>>>>>> theirs$/ { skip = 0; next } !skip' "$R/work/bucardo.schema" >"$R/resolved"
	cp "$R/resolved" "$R/work/bucardo.schema"
	# exit 7: carried, and a patch changed (0001, resolved)
	rc=0; run "$BCFORK" rebase --continue --work "$R/work" || rc=$?
	[ $rc -eq 7 ] || fail "rebase --continue onto Debian's files: want exit 7 (carried with a resolved patch), got $rc"
	grep -q '^conflict 0001-schema-dbname-variable.patch bucardo.schema$' "$R/series/debian/5.6.0-4/resolutions" ||
		fail "rebase --continue did not record the resolution"
	run "$BCFORK" generate --patches "$R/series" --flavor debian --version 5.6.0-4 --from "$R/deb" --no-cache --out "$R/fork" >/dev/null
	grep -q 'syntax OK' <<<"$(perl -c "$R/fork/bucardo" 2>&1)" || fail "the fork of Debian's script does not compile"
	say "series carried onto Debian 5.6.0-4 (one conflict resolved), fork generated, perl -c OK"
}

install_fork() {
	phase "install (dpkg-divert)"
	run "$BCFORK" install --from "$W/fork"
	cmp -s /usr/bin/bucardo "$W/fork/bucardo" || fail "/usr/bin/bucardo is not the fork after install"
	cmp -s /usr/local/share/bucardo/bucardo.schema "$W/fork/bucardo.schema" || fail "schema target is not the fork"
	grep -q 'local diversion' <<<"$(dpkg-divert --list /usr/bin/bucardo)" || fail "no dpkg diversion of /usr/bin/bucardo"
	say "$(dpkg-divert --list /usr/bin/bucardo)"
	phase "apt reinstall keeps the fork"
	apt-get -q install --reinstall -y bucardo >/dev/null 2>&1 || apt-get -q install --reinstall -y bucardo
	cmp -s /usr/bin/bucardo "$W/fork/bucardo" || fail "apt-get install --reinstall bucardo overwrote the fork: the diversion did not hold"
	say "after apt-get install --reinstall bucardo, /usr/bin/bucardo is still the fork"
	run "$BCFORK" status
}

# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"
# shellcheck source=e2e/unit.sh
. "$ROOT/e2e/unit.sh"
# shellcheck source=e2e/pg.sh
. "$ROOT/e2e/pg.sh"
# unit_start I: the unit's ExecStart line, then its ExecStartPost lines
# (which wait until the PIDFile names the MCP after its fork).
unit_start() {
	local line
	line=$(unit_lines ExecStart "$1")
	[ -z "$DEMO" ] || printf '\033[2m$ %s   (ExecStart of bucardo@%s, as OS user bucardo)\033[0m\n' "$line" "$1"
	# shellcheck disable=SC2086 # the unit's command line has no quotes: split as systemd does
	as_unit "$1" $line >/dev/null
	while IFS= read -r line; do
		line=${line//\$\$/\$}   # a unit's $$ is a literal $
		[ -z "$DEMO" ] || printf '\033[2m$ %s   (ExecStartPost of bucardo@%s)\033[0m\n' "$line" "$1"
		as_unit "$1" sh -c "$line" || fail "ExecStartPost of bucardo@$1 failed"
	done < <(unit_lines ExecStartPost "$1")
	wait_file "$(unit_lines PIDFile "$1")"
}
# unit_stop I: the unit's ExecStop lines in order, with $MAINPID set as
# systemd sets it; the last one waits until the daemon is gone.
unit_stop() {
	local pid line
	pid=$(head -n1 "$(unit_lines PIDFile "$1")")
	while IFS= read -r line; do
		line=${line//\$\$/\$}   # a unit's $$ is a literal $
		[ -z "$DEMO" ] || printf '\033[2m$ %s   (ExecStop of bucardo@%s, MAINPID=%s)\033[0m\n' "$line" "$1" "$pid"
		as_unit "$1" MAINPID="$pid" sh -c "$line" >/dev/null
	done < <(unit_lines ExecStop "$1")
	! alive "$pid" || fail "instance $1: pid $pid still runs after the unit's ExecStop lines"
}
mcp_pid() { unit_lines PIDFile "$1"; }

instances() {
	add_instances
	configure_instances
	phase "start both (ExecStart)"
	for I in a b; do unit_start "$I"; done
	both_running
}

replicate() {
	phase "both replicate"
	if [ -n "$DEMO" ]; then live 6; fi
	local la="" lb=""
	for _ in 1 2 3 4 5; do
		latency a
		la+="$LAT "
		latency b
		lb+="$LAT "
	done
	say "both caught up: $(counts); replication latency (ms), a: ${la}b: $lb"

	phase "instance check"
	bc instance check >"$W/check.out" 2>&1 || { cat "$W/check.out"; fail "instance check flags two instances that replicate separate databases"; }
	sql postgres "CREATE DATABASE shared"
	for I in a b; do bc instance exec "$I" -- add db shared dbname=shared "host=$SOCK" "port=$PORT" >/dev/null; done
	local rc=0
	bc instance check >"$W/check.out" 2>&1 || rc=$?
	if [ $rc != 6 ] || ! grep -q "SHARED: postgres database \"shared\" on this host, port $PORT is replicated by a (as shared), b (as shared)" "$W/check.out"; then
		cat "$W/check.out"
		fail "instance check: want exit 6 and the shared database, got exit $rc"
	fi
	say "$(grep SHARED "$W/check.out") (exit $rc)"
	for I in a b; do bc instance exec "$I" -- remove db shared >/dev/null; done
	bc instance check >/dev/null 2>&1 || fail "instance check still fails after remove db shared"

	phase "reboot: /run wiped, tmpfiles"
	# At shutdown systemd runs each unit's ExecStop lines, all units at
	# once; /run is a tmpfs.
	unit_stop a &
	unit_stop b &
	wait %1 || fail "ExecStop of a failed"
	wait %2 || fail "ExecStop of b failed"
	[ -z "$(bucardo_procs)" ] || fail "Bucardo processes left after ExecStop: $(bucardo_procs)"
	rm -rf /run/bucardo
	run systemd-tmpfiles --create /etc/tmpfiles.d/bucardo-a.conf /etc/tmpfiles.d/bucardo-b.conf
	[ "$(stat -c '%U %a' /run/bucardo/a /run/bucardo/b | sort -u)" = "bucardo 755" ] || fail "systemd-tmpfiles did not make /run/bucardo/{a,b} bucardo's"
	for I in a b; do unit_start "$I"; done
	insert_both
	caught_up a
	caught_up b
	say "after the reboot both started again from their units and replicate: $(counts)"

	phase "stop A (ExecStop), B goes on"
	local pid_b frozen
	pid_b=$(head -n1 "$(mcp_pid b)")
	unit_stop a
	[ ! -e "$(mcp_pid a)" ] || fail "A's pid file is still there after ExecStop"
	[ -e "$(mcp_pid b)" ] || fail "stopping A removed B's pid file"
	alive "$pid_b" || fail "B's MCP process died when A stopped"
	frozen=$(rows dst_a)
	say "A stopped; rows keep coming into both sources:"
	if [ -n "$DEMO" ]; then live 6; else insert_both; fi
	caught_up b
	sleep 1
	[ "$(rows dst_a)" = "$frozen" ] || fail "A replicated after it was stopped"
	say "after stopping A: $(counts)  (A frozen at $frozen, B still replicating)"
	[ -z "$DEMO" ] || bc instance exec b -- status

	phase "instance remove a, b"
	# b is still running: remove stops it (bucardo stop) and waits.
	for I in a b; do
		bc instance remove "$I" --drop-database >"$W/remove-$I.out" || { cat "$W/remove-$I.out"; fail "instance remove $I"; }
	done
	sleep 0.5
	[ -z "$(bucardo_procs)" ] || fail "Bucardo processes left: $(bucardo_procs)"
	[ "$(psql -X -Atq -d postgres -c "SELECT count(*) FROM pg_database WHERE datname IN ('bucardo_a','bucardo_b')")" = 0 ] ||
		fail "instance remove --drop-database left a config database"
	for f in /etc/bucardo/a.rc /etc/bucardo/b.rc "$UNIT" /etc/tmpfiles.d/bucardo-a.conf /etc/logrotate.d/bucardo-b /run/bucardo/a /var/lib/bcfork/instances.json; do
		[ ! -e "$f" ] || fail "instance remove left $f"
	done
	say "both removed (daemon b stopped by remove), config databases dropped; no Bucardo process left"
	check_separate_files
}

check_separate_files() {
	local I other log
	for I in a b; do
		other=$([ "$I" = a ] && echo b || echo a)
		log=/var/log/bucardo/$I/log.bucardo
		[ -s "$log" ] || fail "instance $I has no log at $log"
		grep -q "src_$I" "$log" || fail "$log does not mention its own sync's database src_$I"
		! grep -q "src_$other\|bucardo_$other" "$log" || fail "$log mentions instance $other"
		grep -q "/run/bucardo/$I/fullstopbucardo" "$log" || fail "$log: instance $I did not stop on its own stop file"
		[ -s "/var/log/bucardo/$I/bucardo.restart.reason.txt" ] || fail "no reason file in /var/log/bucardo/$I: $(ls "/var/log/bucardo/$I")"
	done
	say "separate: /run/bucardo/{a,b}/, /var/log/bucardo/{a,b}/ (logs and reason files, kept by remove), each stopped by its own stop file"
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
	run "$BCFORK" uninstall
	if [ -n "$SCHEMA_BEFORE" ]; then
		cmp -s /usr/local/share/bucardo/bucardo.schema "$SCHEMA_BEFORE" || fail "uninstall did not restore the schema that was there"
	else
		# Nothing was there before, so nothing is there after: a schema left
		# there would shadow Debian's own /usr/share/bucardo copy.
		[ ! -e /usr/local/share/bucardo/bucardo.schema ] || fail "uninstall left /usr/local/share/bucardo/bucardo.schema where nothing was"
	fi
	cmp -s /usr/bin/bucardo "$W/debian-bucardo" || fail "uninstall did not restore Debian's /usr/bin/bucardo byte for byte"
	[ -z "$(dpkg-divert --list /usr/bin/bucardo)" ] || fail "diversion still there after uninstall"
	dpkg --verify bucardo || fail "dpkg --verify bucardo is not clean after uninstall"
	"$BCFORK" status | tee "$W/status.txt"
	grep -q '^/usr/bin/bucardo: packaged file of bucardo' "$W/status.txt" || fail "status does not report Debian's packaged file"
}

debian_flavor() {
	phase "debian flavor, one instance"
	# The same with the fork of Debian's own package files (flavor debian,
	# whose schema patch was carried over Debian's "\c bucardo" change).
	run "$BCFORK" generate --flavor debian --version 5.6.0-4 --from "$W/rebase/deb" --no-cache --out "$W/fork-deb" >/dev/null
	run "$BCFORK" install --from "$W/fork-deb" >/dev/null
	st=$("$BCFORK" status) || fail "status failed after installing the debian fork: $st"
	grep -q '^/usr/bin/bucardo: fork of debian 5.6.0-4' <<<"$st" || fail "status does not report the debian fork: $st"
	pg_dbs d
	bc instance add d --dbhost "$SOCK" --dbport "$PORT" >/dev/null
	bc instance exec d -- add db src_d dbname=src_d "host=$SOCK" "port=$PORT" >/dev/null
	bc instance exec d -- add db dst_d dbname=dst_d "host=$SOCK" "port=$PORT" >/dev/null
	bc instance exec d -- add sync sync1 dbs=src_d:source,dst_d:target tables=public.t >/dev/null
	unit_start d
	sql src_d "INSERT INTO t VALUES (1, 'd')"
	wait_rows dst_d 1
	phase "instance remove d (running)"
	bc instance remove d --drop-database >/dev/null
	[ -z "$(bucardo_procs)" ] || fail "Bucardo processes left: $(bucardo_procs)"
	say "Debian-flavored fork: instance d (config database bucardo_d) replicated src_d -> dst_d, removed"
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
	if [ $rc -eq 0 ] || ! grep -q 'database "bucardo_n" does not exist' <<<"$out"; then
		fail "negative control: unpatched 'add db' did not fail on the missing config database (exit $rc): $out"
	fi
	say "as expected, upstream's installer ignores --dbname (created 'bucardo', not bucardo_n), and 'add db' then dies:"
	say "  $(echo "$out" | grep -m1 'does not exist')"
}

# shellcheck disable=SC2119 # no packages beyond e2e's own
deps
debian_before
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
