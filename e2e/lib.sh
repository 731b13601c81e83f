# shellcheck shell=bash
# Sourced by e2e/run.sh and e2e/systemd.sh: what both do the same way. They
# set ROOT, BCFORK, TARBALL, PORT, PGBIN, DEMO (empty but under run.sh's
# DEMO=1), PHASE=start and PHASE_T, W (the work folder) and SOCK, and source
# e2e/unit.sh and e2e/pg.sh.

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

# ---------------------------------------------------------------- phases
deps() {   # deps [PACKAGE...]: what e2e needs, and PACKAGEs, installed with apt when missing
	phase "dependencies"
	local missing=()
	for p in postgresql-15 postgresql-plperl-15 bucardo logrotate "$@"; do
		[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == *'ok installed'* ]] || missing+=("$p")
	done
	# systemd-analyze and systemd-tmpfiles check and apply what bcfork writes
	# (Debian package systemd; it need not run as PID 1).
	command -v systemd-analyze >/dev/null && command -v systemd-tmpfiles >/dev/null || missing+=(systemd)
	if [ ${#missing[@]} -gt 0 ]; then
		say "installing ${missing[*]} with apt"
		export DEBIAN_FRONTEND=noninteractive
		apt-get -q update >/dev/null
		apt-get -q install -y --no-install-recommends "${missing[@]}" >/dev/null
	fi
	id bucardo >/dev/null 2>&1 || fail "OS user bucardo missing (Debian's bucardo package creates it)"
	# /run/bucardo/NAME and /var/log/bucardo/NAME are made by bcfork instance add.
	[ -f /usr/share/perl5/Bucardo.pm ] || fail "Debian's Bucardo.pm missing"
	say "Bucardo.pm $(perl -MBucardo -e 'print $Bucardo::VERSION'), Debian's /usr/bin/bucardo sha256 $(sha256sum </usr/bin/bucardo | cut -c1-12)…"
}

generate() {
	phase "generate the fork"
	run "$BCFORK" generate --version 5.6.0 --from "$TARBALL" --out "$W/fork" --no-cache
	[ -z "$DEMO" ] || { say "the fork's diff, first lines:"; "$BCFORK" diff --version 5.6.0 --from "$TARBALL" --no-cache | sed -n 1,30p; }
}

cluster() {
	phase "throwaway PostgreSQL"
	# shellcheck disable=SC2119 # no CMD: initdb and pg_ctl run unprinted
	pg_start
	pg_dbs a b
	say "cluster on port $PORT, socket $SOCK; databases src_a dst_a src_b dst_b"
}

# alive PID: running and not a zombie (PID 1 of a container may not reap).
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }
bucardo_procs() { ps -u bucardo -o pid=,stat=,args= 2>/dev/null | awk '$2 !~ /^Z/' || true; }

sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
rows() { psql -X -Atq -d "$1" -c 'SELECT count(*) FROM t'; }

# bc ARGS: bcfork without this script's PG* variables: an instance's rc file
# must hold everything its commands need.
bc() {
	[ -z "$DEMO" ] || printf '\033[2m$ bcfork %s\033[0m\n' "$*"
	env -u PGHOST -u PGPORT -u PGUSER "$BCFORK" "$@"
}

wait_rows() {   # wait_rows DB N: bounded wait (10 s) for N rows in DB.t
	for _ in $(seq 1 200); do
		[ "$(rows "$1")" = "$2" ] && return 0
		sleep 0.05
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
wait_file() {   # wait_file FILE: bounded wait (10 s) for a pid file to appear
	for _ in $(seq 1 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	fail "timeout: no $1"
}

# add_instances: bcfork instance add a and b, and the files it wrote checked.
add_instances() {
	phase "bcfork instance add a, b"
	local I
	for I in a b; do
		bc instance add "$I" --dbhost "$SOCK" --dbport "$PORT" >"$W/add-$I.out" || { cat "$W/add-$I.out"; fail "bcfork instance add $I"; }
		[ -z "$DEMO" ] || cat "$W/add-$I.out"
	done
	[ "$(psql -X -Atq -d postgres -c "SELECT count(*) FROM pg_database WHERE datname IN ('bucardo_a','bucardo_b')")" = 2 ] ||
		fail "the two config databases were not both created"
	for I in a b; do
		[ "$(stat -c '%a %U' "/etc/bucardo/$I.rc")" = "640 bucardo" ] || fail "/etc/bucardo/$I.rc: $(stat -c '%a %U' "/etc/bucardo/$I.rc"), want 640 bucardo"
		[ "$(stat -c %U "/run/bucardo/$I" "/var/log/bucardo/$I" | sort -u)" = bucardo ] || fail "instance $I's folders are not bucardo's"
	done
	say "config databases bucardo_a, bucardo_b; /etc/bucardo/a.rc:"
	sed 's/^/     /' /etc/bucardo/a.rc | grep -v '^     #'
	local out
	cp "$UNIT" "$W/bucardo@a.service"
	for f in "$UNIT" "$W/bucardo@a.service"; do
		if ! out=$(systemd-analyze verify "$f" 2>&1) || [ -n "$out" ]; then
			fail "systemd-analyze verify $f: $out"
		fi
	done
	say "systemd-analyze verify: $UNIT and its instance bucardo@a.service pass"
	out=$(logrotate -d /etc/logrotate.d/bucardo-a 2>&1) || fail "logrotate -d /etc/logrotate.d/bucardo-a: $out"
	! grep -qi '^error' <<<"$out" || fail "logrotate -d /etc/logrotate.d/bucardo-a: $out"
	say "logrotate -d accepts /etc/logrotate.d/bucardo-a"
}

# configure_instances: a sync src_I -> dst_I in instance I, for a and b.
configure_instances() {
	phase "configure with instance exec"
	local I
	for I in a b; do
		bc instance exec "$I" -- add db "src_$I" "dbname=src_$I" "host=$SOCK" "port=$PORT" >/dev/null
		bc instance exec "$I" -- add db "dst_$I" "dbname=dst_$I" "host=$SOCK" "port=$PORT" >/dev/null
		bc instance exec "$I" -- add sync sync1 "dbs=src_$I:source,dst_$I:target" tables=public.t >/dev/null
		say "instance $I: sync1 src_$I -> dst_$I"
	done
	! bc uninstall >"$W/uninstall.out" 2>&1 || fail "bcfork uninstall went on with two instances"
	grep -q 'use the fork: a, b' "$W/uninstall.out" || fail "uninstall did not name the instances: $(cat "$W/uninstall.out")"
	cmp -s /usr/bin/bucardo "$W/fork/bucardo" || fail "the refused uninstall changed /usr/bin/bucardo"
	say "bcfork uninstall refused: $(grep -m1 'use the fork' "$W/uninstall.out")"
	bc status >"$W/status.out" || { cat "$W/status.out"; fail "bcfork status reports drift after instance add"; }
	grep -q '^instances: a, b' "$W/status.out" || fail "status does not list the instances"
}

# both_running: instance list and ps show the MCPs of a and b.
both_running() {
	local I
	bc instance list | tee "$W/list.out" | sed 's/^/   /'
	for I in a b; do
		grep -q "^$I .* running (pid [0-9]*) " "$W/list.out" || fail "instance list does not show $I running"
		grep -q "Bucardo Master Control Program v.*($I)" <<<"$(bucardo_procs)" || fail "ps does not show the MCP of $I: $(bucardo_procs)"
	done
	say "ps -u bucardo:"
	bucardo_procs | sed 's/^/     /'
}

NEXT_ID=1
insert() {   # insert I: one new row into src_I
	sql "src_$1" "INSERT INTO t VALUES ($NEXT_ID, '$1')"
	NEXT_ID=$((NEXT_ID + 1))
}
insert_both() { insert a; insert b; }
counts() { printf 'src_a=%-3s dst_a=%-3s | src_b=%-3s dst_b=%-3s' "$(rows src_a)" "$(rows dst_a)" "$(rows src_b)" "$(rows dst_b)"; }
live() {   # live ROUNDS: (demo) a row into each source every half second, live counts
	for _ in $(seq 1 "$1"); do
		insert_both
		sleep 0.5
		printf '   %s\n' "$(counts)"
	done
}
caught_up() { wait_rows "dst_$1" "$(rows "src_$1")"; }
latency() {   # latency I: LAT is the ms from a commit into src_I until dst_I has the row (polled every 50 ms)
	local t0
	t0=$(date +%s%N)
	insert "$1"
	caught_up "$1"
	# shellcheck disable=SC2034 # read by the scripts that source this
	LAT=$(ms "$t0")
}

