#!/bin/bash
# e2e/demo.sh — the operator's path with bcfork, shown on this host (make demo):
# generate the fork, install it over Debian's bucardo, add two instances with
# bcfork instance, replicate with both, stop one while the other goes on,
# remove them and uninstall. Every bcfork, bucardo, systemctl, apt-get and
# psql command is printed before it runs, so the operator learns the path by
# watching.
#
# It harms nothing it did not make:
# - it refuses a host that already runs Bucardo daemons, holds Bucardo config
#   databases in a running PostgreSQL cluster, has bcfork instances or a fork
#   installed, or a changed Debian bucardo package;
# - it installs only the packages that are missing (postgresql-15,
#   postgresql-plperl-15, bucardo), says so, and never upgrades an installed
#   package without asking (and without a terminal to ask on, it refuses);
# - its PostgreSQL is a throwaway cluster in a temporary folder, reachable
#   only through its own socket;
# - on exit, failure or interrupt included, it stops only the daemons it
#   started, by pid (or with systemctl, when systemd started them), removes
#   its instances and the fork, and says what it left on the host.
#
# The checks that prove the fork (a rebase conflict on Debian's files, the
# unpatched negative control, the reboot, the Debian flavor) are make e2e's:
# e2e/run.sh.
#
#   e2e/demo.sh               the demo (make demo), as root
#   e2e/demo.sh --preflight   only the checks, and what it would install
#
# Environment: BCFORK (binary, default bin/bcfork), BCFORK_PRISTINE_TARBALL
# (Debian's bucardo_5.6.0.orig.tar.gz, default .cache/), DEMO_PORT (the
# throwaway cluster's port, default 55433), DEMO_KEEP=1 keeps the work folder.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BCFORK=${BCFORK:-$ROOT/bin/bcfork}
TARBALL=${BCFORK_PRISTINE_TARBALL:-$ROOT/.cache/bucardo_5.6.0.orig.tar.gz}
PORT=${DEMO_PORT:-55433}
PGBIN=/usr/lib/postgresql/15/bin
# shellcheck source=e2e/unit.sh
. "$ROOT/e2e/unit.sh"
# shellcheck source=e2e/pg.sh
. "$ROOT/e2e/pg.sh"
PACKAGES=(postgresql-15 postgresql-plperl-15 bucardo)

W=                 # the work folder
SOCK=              # the throwaway cluster's socket folder
NEW_PACKAGES=()    # packages this demo installed
STARTED=()         # pids of the daemons this demo started
INSTANCES=()       # instances this demo added
FORK_INSTALLED=    # this demo installed the fork
APT_UPDATED=       # this demo ran apt-get update
BEFORE=()          # the folders that may stay after the demo which were there before it

# ---------------------------------------------------------------- output
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$*"; }
die() { printf '\033[31mdemo: %s\033[0m\n' "$*" >&2; exit 1; }
# show ARGS: print a command as it can be typed, on the terminal's stream
# (fd 3) even when the command's own output is sent elsewhere.
exec 3>&1
show() { printf '\033[32m$ %s\033[0m\n' "${*}" >&3; }
# bcfork ARGS: the binary under test, printed by cmd as plain "bcfork".
bcfork() { "$BCFORK" "$@"; }
# cmd ARGS: print the command, then run it.
cmd() { show "$(quoted "$@")"; "$@"; }
# quoted ARGS: ARGS as a shell reads them back, quoted only where needed.
quoted() {
	local out="" a q="'"
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./:@%+=,-]+$ ]]; then out+="$a "; else out+="$q${a//$q/$q\\$q$q}$q "; fi
	done
	echo "${out% }"
}
# ask QUESTION: yes from a person at a terminal; no without one.
ask() {
	[ -t 0 ] || return 1
	local answer
	read -r -p "   $1 [y/N] " answer
	[[ $answer == [yY]* ]]
}

# ---------------------------------------------------------------- preflight
# preflight refuses a host in use, and one the demo cannot run on.
preflight() {
	step "preflight: is this host free for a demo?"
	[ "$(id -u)" = 0 ] || die "run as root: the demo installs a fork over /usr/bin/bucardo and runs Bucardo daemons"
	[ -x "$BCFORK" ] || die "no bcfork binary at $BCFORK (make build)"
	[ -f "$TARBALL" ] || die "no release tarball at $TARBALL (make pristine, or set BCFORK_PRISTINE_TARBALL)"
	if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
		die "this demo needs a Debian or Ubuntu host (dpkg, apt-get)"
	fi
	local problems=() f dbs ver name port status
	if id bucardo >/dev/null 2>&1 && [ -n "$(ps -u bucardo -o pid= 2>/dev/null)" ]; then
		problems+=("processes of the OS user bucardo run: $(ps -u bucardo -o pid=,args= | head -n 3 | tr '\n' ';')")
	fi
	if pgrep -f 'Bucardo Master Control Program' >/dev/null; then
		problems+=("Bucardo daemons run: $(pgrep -af 'Bucardo Master Control Program' | head -n 3 | tr '\n' ';')")
	fi
	[ ! -e /var/lib/bcfork/receipt.json ] || problems+=("bcfork has installed a fork here (bcfork status shows it)")
	[ ! -e /var/lib/bcfork/instances.json ] || problems+=("bcfork instances exist here (bcfork instance list shows them)")
	for f in /etc/bucardo/*.rc; do
		[ ! -e "$f" ] || problems+=("a Bucardo instance's rc file exists: $f")
	done
	[ ! -e "$UNIT" ] || problems+=("$UNIT exists")
	if [ -n "$(dpkg-divert --list /usr/bin/bucardo)" ]; then
		problems+=("/usr/bin/bucardo is diverted: $(dpkg-divert --list /usr/bin/bucardo)")
	fi
	if installed bucardo && ! dpkg --verify bucardo >/dev/null 2>&1; then
		problems+=("Debian's bucardo package is changed on this host (dpkg --verify bucardo)")
	fi
	if command -v pg_lsclusters >/dev/null; then
		while read -r ver name port status _; do
			[ "$status" = online ] || continue
			dbs=$(runuser -u postgres -- psql -X -Atq -p "$port" -d postgres \
				-c "SELECT string_agg(datname, ', ') FROM pg_database WHERE datname LIKE 'bucardo%'" 2>/dev/null || true)
			[ -z "$dbs" ] || problems+=("PostgreSQL $ver/$name (port $port) holds Bucardo config databases: $dbs")
		done < <(pg_lsclusters -h 2>/dev/null)
	fi
	if [ ${#problems[@]} -gt 0 ]; then
		printf '   refusing: %s\n' "${problems[@]}" >&2
		die "this host is in use: the demo replaces /usr/bin/bucardo and runs Bucardo daemons; run it on a throwaway Debian machine"
	fi
	note "no Bucardo daemon, config database, instance or fork here: free"
	for f in /var/lib/bcfork /var/log/bucardo/a /var/log/bucardo/b; do
		[ ! -e "$f" ] || BEFORE+=("$f")
	done
	if [ -e /usr/local/share/bucardo/bucardo.schema ]; then
		note "/usr/local/share/bucardo/bucardo.schema is here already ($(bcfork status | sed -n 's|^/usr/local/share/bucardo/bucardo.schema: ||p')): install keeps it, uninstall puts it back"
	fi
}

installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == *'ok installed'* ]]; }

# packages installs what is missing, and says so; it upgrades nothing
# without asking. With --preflight it only says what it would do, with
# the package lists as they are.
packages() {
	step "packages"
	local missing=() p plan upgrades
	for p in "${PACKAGES[@]}"; do
		installed "$p" || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		note "${PACKAGES[*]}: installed already; apt is not asked"
		return
	fi
	note "missing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if [ "${1:-}" != --preflight ]; then
		cmd apt-get -q update >/dev/null
		APT_UPDATED=1
	fi
	plan=$(apt-get -s -q install --no-install-recommends "${missing[@]}")
	mapfile -t NEW_PACKAGES < <(awk '/^Inst [^ ]+ \(/ {print $2}' <<<"$plan")
	upgrades=$(awk '/^Inst [^ ]+ \[/ {print "     " $2 " " $3 " -> " $4}' <<<"$plan" | tr -d '[]()')
	note "apt-get would install (new): ${NEW_PACKAGES[*]}"
	if [ -n "$upgrades" ]; then
		note "and UPGRADE these installed packages:"
		echo "$upgrades"
		[ "${1:-}" != --preflight ] || { note "(preflight: the demo would ask before upgrading them)"; return; }
		ask "upgrade them?" || die "not upgrading anything: install ${missing[*]} yourself, then run the demo again"
	fi
	[ "${1:-}" != --preflight ] || return 0
	cmd apt-get -q install -y --no-install-recommends "${missing[@]}" >/dev/null
	id bucardo >/dev/null 2>&1 || die "the OS user bucardo is missing (Debian's bucardo package creates it)"
}

# ---------------------------------------------------------------- helpers
sql() { psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d "$1" -c "$2"; }
rows() { psql -X -Atq -h "$SOCK" -p "$PORT" -U postgres -d "$1" -c 'SELECT count(*) FROM t'; }
counts() { printf 'src_a=%-3s dst_a=%-3s | src_b=%-3s dst_b=%-3s' "$(rows src_a)" "$(rows dst_a)" "$(rows src_b)" "$(rows dst_b)"; }
NEXT_ID=1
insert() {   # insert I: one new row into src_I, shown
	local q="INSERT INTO t VALUES ($NEXT_ID, 'row $NEXT_ID')"
	show "psql -d src_$1 -c \"$q\""
	sql "src_$1" "$q"
	NEXT_ID=$((NEXT_ID + 1))
}
wait_rows() {   # wait_rows DB N: up to 10 s for N rows in DB.t
	for _ in $(seq 1 100); do
		[ "$(rows "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	die "$1 has $(rows "$1") rows after 10 s, want $2"
}
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }
# descendants PID: the pids of PID's children, theirs, and so on.
descendants() {
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$child"
		descendants "$child"
	done
}

systemd_runs() { [ -d /run/systemd/system ]; }

# start I: systemctl start bucardo@I; without systemd, the unit's
# ExecStart line as systemd would run it. Records the daemon's pid.
start() {
	local pidfile line
	pidfile=$(unit_lines PIDFile "$1")
	if systemd_runs; then
		cmd systemctl start "bucardo@$1"
	else
		line=$(unit_lines ExecStart "$1")
		show "$line   # what systemctl start bucardo@$1 runs (no systemd here), as the OS user bucardo"
		# shellcheck disable=SC2086 # a unit's command line: split as systemd does
		as_unit "$1" $line >/dev/null
	fi
	for _ in $(seq 1 100); do
		[ -s "$pidfile" ] && break
		sleep 0.1
	done
	[ -s "$pidfile" ] || die "instance $1: no $pidfile after 10 s"
	STARTED+=("$(head -n1 "$pidfile")")
}

# stop I: systemctl stop bucardo@I; without systemd, the unit's ExecStop
# lines with $MAINPID, as systemd runs them.
stop() {
	local pid line
	pid=$(head -n1 "$(unit_lines PIDFile "$1")")
	if systemd_runs; then
		cmd systemctl stop "bucardo@$1"
	else
		while IFS= read -r line; do
			line=${line//\$\$/\$}
			show "$line   # ExecStop of bucardo@$1, MAINPID=$pid"
			as_unit "$1" MAINPID="$pid" sh -c "$line" >/dev/null
		done < <(unit_lines ExecStop "$1")
	fi
	! alive "$pid" || die "instance $1: its daemon (pid $pid) still runs after stop"
}

# ---------------------------------------------------------------- the path
cluster() {
	step "a throwaway PostgreSQL 15 cluster (its own socket, port $PORT, in $W)"
	SOCK=$W/sock
	pg_start cmd
	pg_dbs a b
	note "databases src_a, dst_a, src_b, dst_b, each with a table t; role bucardo (trust: a throwaway cluster)"
}

path() {
	step "1. generate the fork of Bucardo 5.6.0 (offline: from Debian's copy of the release tarball)"
	cmd bcfork generate --from "$TARBALL" --out "$W/bcfork-5.6.0"
	note "what the fork changes (bcfork diff, first lines):"
	show "bcfork diff $W/bcfork-5.6.0 | head -n 12"
	bcfork diff "$W/bcfork-5.6.0" | sed -n 's/^/     /; 1,12p'

	step "2. install it over Debian's /usr/bin/bucardo (diverted, so apt upgrades leave it alone)"
	FORK_INSTALLED=1
	cmd bcfork install --from "$W/bcfork-5.6.0"
	cmd bcfork status

	step "3. two instances, each with its own config database, rc file, folders and systemd unit"
	local I
	for I in a b; do
		INSTANCES+=("$I")
		cmd bcfork instance add "$I" --dbhost "$SOCK" --dbport "$PORT"
	done
	show "cat /etc/bucardo/a.rc"
	grep -v '^#' /etc/bucardo/a.rc | sed 's/^/     /'

	step "4. configure each with bucardo's own commands, through bcfork instance exec"
	for I in a b; do
		cmd bcfork instance exec "$I" -- add db "src_$I" "dbname=src_$I" "host=$SOCK" "port=$PORT" >/dev/null
		cmd bcfork instance exec "$I" -- add db "dst_$I" "dbname=dst_$I" "host=$SOCK" "port=$PORT" >/dev/null
		cmd bcfork instance exec "$I" -- add sync sync1 "dbs=src_$I:source,dst_$I:target" tables=public.t >/dev/null
	done

	step "5. start both"
	for I in a b; do start "$I"; done
	cmd bcfork instance list
	show "ps -o pid,args -p ${STARTED[*]}"
	ps -o pid=,args= -p "${STARTED[@]}" | sed 's/^/     /'

	step "6. both replicate"
	for _ in 1 2 3; do
		insert a
		insert b
	done
	wait_rows dst_a "$(rows src_a)"
	wait_rows dst_b "$(rows src_b)"
	note "$(counts)"

	step "7. stop a: b goes on"
	stop a
	local frozen
	frozen=$(rows dst_a)
	for _ in 1 2 3; do
		insert a
		insert b
	done
	wait_rows dst_b "$(rows src_b)"
	sleep 1
	[ "$(rows dst_a)" = "$frozen" ] || die "a replicated after it was stopped"
	note "$(counts)   (a stopped at $frozen rows; b caught up)"
	cmd bcfork instance exec b -- status

	step "8. remove both instances (remove stops b), then uninstall the fork"
	for I in a b; do
		cmd bcfork instance remove "$I" --drop-database
		forget "$I"
	done
	cmd bcfork uninstall
	FORK_INSTALLED=
	cmd bcfork status
}

# forget I: instance I is removed; cleanup need not remove it.
forget() {
	local kept=() x
	for x in "${INSTANCES[@]}"; do
		[ "$x" = "$1" ] || kept+=("$x")
	done
	INSTANCES=("${kept[@]}")
}

# ---------------------------------------------------------------- the end
# cleanup undoes what the demo did, stopping only the daemons it started,
# then says what it left on the host.
cleanup() {
	local rc=$? I pid
	set +e
	trap - EXIT INT TERM
	for I in "${INSTANCES[@]}"; do
		[ -f "/etc/bucardo/$I.rc" ] && cmd bcfork instance remove "$I" --drop-database
	done
	for pid in "${STARTED[@]}"; do
		alive "$pid" || continue
		note "stopping pid $pid, a daemon this demo started, and its processes"
		# shellcheck disable=SC2046 # one pid a word
		kill $(descendants "$pid") "$pid" 2>/dev/null
	done
	if [ -n "$FORK_INSTALLED" ] && cmd bcfork uninstall --force; then
		FORK_INSTALLED=
	fi
	[ -z "$W" ] || [ ! -d "$W/pg/data" ] || runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg/data" -m fast -w stop >/dev/null 2>&1
	report
	if [ -n "$W" ] && [ -z "${DEMO_KEEP:-}" ]; then rm -rf "$W"; fi
	exit "$rc"
}

# report says what the demo left on the host.
report() {
	step "left on this host"
	local I left=0
	if [ ${#NEW_PACKAGES[@]} -gt 0 ]; then
		note "packages the demo installed: ${NEW_PACKAGES[*]} (apt-get purge ${NEW_PACKAGES[*]} removes them)"
		left=1
	fi
	[ -z "$APT_UPDATED" ] || { note "apt's package lists, updated (apt-get update)"; left=1; }
	for I in a b; do
		if [ -d "/var/log/bucardo/$I" ] && ! before "/var/log/bucardo/$I"; then
			note "/var/log/bucardo/$I: instance $I's logs, which bcfork instance remove keeps (rm -r /var/log/bucardo/$I)"
			left=1
		fi
	done
	if [ -d /var/lib/bcfork ] && ! before /var/lib/bcfork; then
		note "/var/lib/bcfork: bcfork's state folder and its empty lock file, which uninstall keeps"
		left=1
	fi
	if [ -n "$FORK_INSTALLED" ]; then
		note "the fork is still installed: bcfork uninstall failed (bcfork status shows it)"
		left=1
	fi
	for pid in "${STARTED[@]}"; do
		! alive "$pid" || { note "pid $pid: a daemon this demo started still runs"; left=1; }
	done
	[ -z "${DEMO_KEEP:-}" ] || { note "$W: the work folder (DEMO_KEEP=1)"; left=1; }
	[ $left = 1 ] || note "nothing"
	[ -n "$FORK_INSTALLED" ] || note "/usr/bin/bucardo and /usr/local/share/bucardo/bucardo.schema are as they were before the demo"
	[ ${#BEFORE[@]} = 0 ] || note "there before the demo, and kept: ${BEFORE[*]}"
}

# before PATH: PATH was there before the demo.
before() {
	local f
	for f in "${BEFORE[@]}"; do
		[ "$f" = "$1" ] && return 0
	done
	return 1
}

main() {
	if [ "${1:-}" = --preflight ]; then
		preflight
		packages --preflight
		return
	fi
	[ $# = 0 ] || die "usage: e2e/demo.sh [--preflight]"
	preflight
	W=$(mktemp -d /tmp/bcfork-demo.XXXXXX)
	chmod 0755 "$W"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	packages
	cluster
	path
	step "done: that was the whole path"
}

main "$@"
