#!/bin/bash
# e2e/systemd.sh — the instances under a real systemd: e2e/run.sh starts and
# stops the daemons with the unit's lines run by hand, as no systemd runs
# this host; here systemd itself runs bucardo@a and bucardo@b.
#
# It boots this host's own system in a container (systemd-nspawn, with
# --volatile=overlay over a bind mount of / without its submounts: every
# write goes to a tmpfs and is gone when the container stops; the host's
# packages are the container's). Inside, as e2e/run.sh does, it generates and
# installs the fork, starts a throwaway PostgreSQL, adds and configures
# instances a and b; then systemctl starts both, and checks that each
# replicates, that stopping a leaves b running and replicating, that restart
# and Restart=on-failure work, that the unit's PIDFile is the daemon systemd
# tracks, that the tmpfiles.d entries make the run folders at boot, that
# bcfork instance upgrade takes a host a bcfork before 6d4c6ef left (its unit
# without ExecStartPost) to the new unit, and that bcfork instance remove
# disables the units. On a failure it prints the units' journal.
#
# Needs root on a throwaway Debian machine; installs what it lacks on the
# host (e2e/run.sh's packages and systemd-container). The host itself is not
# changed beyond those packages: the bind mount, the container and its
# cgroups are removed on exit.
#
#   e2e/systemd.sh            the test (make e2e-systemd)
#   e2e/systemd.sh --inside   its second half, run in the booted container
#
# Environment: BCFORK, BCFORK_PRISTINE_TARBALL and E2E_PORT as for
# e2e/run.sh; E2E_ARTIFACTS (a folder) receives the logs and the journal.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BCFORK=${BCFORK:-$ROOT/bin/bcfork}
TARBALL=${BCFORK_PRISTINE_TARBALL:-$ROOT/.cache/bucardo_5.6.0.orig.tar.gz}
PORT=${E2E_PORT:-55432}
PGBIN=/usr/lib/postgresql/15/bin
DEMO=
T0=$(date +%s%N)
PHASE_T=$T0
PHASE=start

# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"
# shellcheck source=e2e/unit.sh
. "$ROOT/e2e/unit.sh"
# shellcheck source=e2e/pg.sh
. "$ROOT/e2e/pg.sh"

[ "$(id -u)" = 0 ] || fail "run as root on a throwaway machine: this installs packages and boots a container"
[ -x "$BCFORK" ] || fail "no bcfork binary at $BCFORK (make build)"
[ -f "$TARBALL" ] || fail "no pristine tarball at $TARBALL (make pristine)"

# ================================================================ the host

# boot: the host's system booted in a container; LEADER is its PID 1.
boot() {
	phase "boot the container"
	B=$(mktemp -d /tmp/bcfork-nspawn.XXXXXX)
	mkdir "$B/root"
	# nspawn refuses --directory=/ with --volatile=overlay; a bind mount of /
	# without its submounts is the same tree.
	mount --bind / "$B/root"
	MOUNTED=1
	# The container's cgroups go below one of this script's own, removed on exit.
	local h
	CGROUPS=()
	for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
		[ -f "$h/cgroup.procs" ] && CGROUPS+=("$h/bcfork-e2e-$$")
	done
	[ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] || CGROUPS=(/sys/fs/cgroup/bcfork-e2e-$$)
	mkdir "${CGROUPS[@]}"
	local binds=(--bind="$ROOT")
	if [ -n "${E2E_ARTIFACTS:-}" ]; then
		mkdir -p "$E2E_ARTIFACTS"
		E2E_ARTIFACTS=$(cd "$E2E_ARTIFACTS" && pwd)
		binds+=(--bind="$E2E_ARTIFACTS")
	fi
	(
		for h in "${CGROUPS[@]}"; do echo "$BASHPID" >"$h/cgroup.procs"; done
		# No systemd runs the host: no machined to register with, no scope.
		# The arguments after --boot are the container's kernel command line:
		# no PostgreSQL main cluster, no Debian bucardo.service.
		exec systemd-nspawn --quiet --directory="$B/root" --volatile=overlay --machine="bcfork-e2e-$$" \
			--register=no --keep-unit --link-journal=no --console=pipe "${binds[@]}" \
			--boot systemd.mask=postgresql.service systemd.mask=bucardo.service
	) >"$B/console" 2>&1 </dev/null &
	NSPAWN=$!
	LEADER=
	local pid
	for _ in $(seq 1 100); do
		pid=$(ps --ppid "$NSPAWN" -o pid= | tr -d ' ') || true
		[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ] && { LEADER=$pid; break; }
		kill -0 "$NSPAWN" 2>/dev/null || { cat "$B/console"; fail "systemd-nspawn exited"; }
		sleep 0.1
	done
	[ -n "$LEADER" ] || { cat "$B/console"; fail "no systemd in the container after 10 s"; }
	local state=
	for _ in $(seq 1 60); do   # systemctl fails until the container's systemd listens
		state=$(timeout 60 nsenter -t "$LEADER" -a systemctl is-system-running --wait 2>/dev/null) || true
		[ -z "$state" ] || break
		sleep 0.1
	done
	case $state in
	running) ;;
	degraded) say "the container's system is degraded: $(nsenter -t "$LEADER" -a systemctl --failed --plain --no-legend | tr '\n' ' ')" ;;
	*) cat "$B/console"; fail "the container's system did not come up: '$state'" ;;
	esac
	say "booted in $(nsenter -t "$LEADER" -a systemd-analyze time | sed -n 's/^Startup finished in //p'): $(nsenter -t "$LEADER" -a systemctl --version | head -n1), PID 1 of the container is host pid $LEADER"
}

# shutdown: the container powered off (SIGTERM to nspawn), then killed if it hangs.
shutdown() {
	[ -n "${NSPAWN:-}" ] || return 0
	kill -TERM "$NSPAWN" 2>/dev/null
	for _ in $(seq 1 150); do
		kill -0 "$NSPAWN" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$NSPAWN" 2>/dev/null; then
		echo "cleanup: the container did not power off in 15 s; killing it" >&2
		kill -TERM "$NSPAWN"   # a second SIGTERM: nspawn kills the container at once
		sleep 1
		kill -KILL "$NSPAWN" 2>/dev/null
	fi
	wait "$NSPAWN" 2>/dev/null
	NSPAWN=
}

host_cleanup() {
	rc=$?
	set +e
	[ "$PHASE" = "done" ] || printf '== %-28s %6d ms (interrupted)\n' "$PHASE" "$(ms "$PHASE_T")"
	shutdown
	[ -z "${MOUNTED:-}" ] || umount "$B/root" || echo "cleanup: umount $B/root failed" >&2
	local h
	for h in "${CGROUPS[@]}"; do
		[ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} + 2>/dev/null
		[ ! -d "$h" ] || echo "cleanup: cgroup $h left (busy)" >&2
	done
	# rmdir, never rm -r: $B/root may still be the host's / if umount failed.
	if [ -n "${B:-}" ]; then rm -f "$B/console"; rmdir "$B/root" "$B"; fi
	printf '== total %29d ms, exit %d\n' "$(ms "$T0")" "$rc"
	exit $rc
}

host() {
	MOUNTED='' NSPAWN='' B='' CGROUPS=()
	trap host_cleanup EXIT
	trap 'exit 130' INT TERM
	deps systemd-container
	boot
	phase "the test in the container"
	echo
	local rc=0
	timeout 600 nsenter -t "$LEADER" -a env BCFORK="$BCFORK" BCFORK_PRISTINE_TARBALL="$TARBALL" \
		"$ROOT/e2e/systemd.sh" --inside || rc=$?
	echo
	[ $rc = 0 ] || fail "the test in the container failed (exit $rc)"
	phase "power off the container"
	shutdown
	phase "done"
	echo "E2E-SYSTEMD OK"
}

# ================================================================ the container

inside_cleanup() {
	rc=$?
	set +e
	[ "$PHASE" = "done" ] || printf '== %-28s %6d ms (interrupted)\n' "$PHASE" "$(ms "$PHASE_T")"
	if [ $rc -ne 0 ]; then
		echo "---- journal of bucardo@a and bucardo@b (failure) ----"
		journalctl --no-pager -u bucardo@a.service -u bucardo@b.service | tail -n 60
		for f in /var/log/bucardo/[ab]/log.bucardo; do
			[ -f "$f" ] && { echo "--- $f (last 30 lines)"; tail -n 30 "$f"; }
		done
		[ -f "$W/pg.log" ] && { echo "--- postgres log (last 20 lines)"; tail -n 20 "$W/pg.log"; }
	fi
	if [ -n "${E2E_ARTIFACTS:-}" ]; then
		local A=$E2E_ARTIFACTS/systemd
		mkdir -p "$A"
		journalctl --no-pager -u 'bucardo@*' >"$A/journal-bucardo.txt" 2>&1
		for I in a b; do cp /var/log/bucardo/$I/log.bucardo "$A/log.bucardo_$I" 2>/dev/null; done
		cp "$W/pg.log" "$A/postgresql.log" 2>/dev/null
	fi
	# Everything else goes with the container.
	[ -d "$W/pg/data" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg/data" -m fast -w stop >/dev/null 2>&1
	printf '== in the container %17d ms, exit %d\n' "$(ms "$T0")" "$rc"
	exit $rc
}

svc() { echo "bucardo@$1.service"; }
prop() { systemctl show -P "$1" "$(svc "$2")"; }   # prop PROPERTY I

# active I: systemd has bucardo@I active, and its main pid is the MCP of I
# that the unit's PIDFile names.
active() {
	local main pidfile
	[ "$(systemctl is-active "$(svc "$1")")" = active ] || fail "bucardo@$1 is $(systemctl is-active "$(svc "$1")"), want active"
	main=$(prop MainPID "$1")
	pidfile=$(unit_lines PIDFile "$1")
	{ [ "$main" != 0 ] && [ "$main" = "$(head -n1 "$pidfile")" ]; } || fail "bucardo@$1: MainPID $main, pid file $pidfile has $(head -n1 "$pidfile" 2>&1)"
	grep -q "Bucardo Master Control Program v.*($1)" <<<"$(ps -o args= -p "$main")" || fail "bucardo@$1's MainPID $main is not its MCP: $(ps -o args= -p "$main")"
	systemctl status "$(svc "$1")" >/dev/null || fail "systemctl status bucardo@$1: exit $?"
}

# stopped I ID: bucardo@I inactive, its run with invocation ID stopped by
# its ExecStop lines, nothing killed.
stopped() {
	local st rc=0 journal
	st=$(systemctl is-active "$(svc "$1")") || true
	[ "$st" = inactive ] || fail "bucardo@$1 is $st after systemctl stop, want inactive"
	[ "$(prop Result "$1")" = success ] || fail "bucardo@$1: Result=$(prop Result "$1") after stop, want success"
	if [ "$(prop LoadState "$1")" != not-found ]; then   # bcfork instance remove may have removed the unit
		systemctl status "$(svc "$1")" >/dev/null || rc=$?
		[ $rc = 3 ] || fail "systemctl status of the stopped bucardo@$1: exit $rc, want 3"
	fi
	journal=$(journalctl --no-pager -o cat INVOCATION_ID="$2" + _SYSTEMD_INVOCATION_ID="$2")
	! grep -i 'killing\|sigkill\|timed out' <<<"$journal" ||
		fail "systemd had to kill what was left of bucardo@$1 (above): ExecStop did not wait for the daemon"
	[ ! -e "$(unit_lines PIDFile "$1")" ] || fail "bucardo@$1's pid file is still there after stop"
	! grep -q "($1)" <<<"$(bucardo_procs)" || fail "processes of instance $1 left after stop: $(bucardo_procs)"
}

# old_unit: the template unit and the instance record as a bcfork before
# commit 6d4c6ef left them, loaded by systemd: the unit without its
# ExecStartPost line (byte for byte that bcfork's unit for /usr/bin/bucardo,
# instancetest.UnitBefore6d4c6ef), and the record, whose format is the same
# since, naming that unit's sha256 instead of the new one's.
old_unit() {
	local unit=/etc/systemd/system/bucardo@.service rec=/var/lib/bcfork/instances.json new old
	new=$(sha256sum <"$unit" | cut -d' ' -f1)
	[ "$(grep -c "\"sha256\": \"$new\"" "$rec")" = 1 ] || fail "$rec does not name the unit's sha256 $new once"
	sed -i '/^ExecStartPost=/d' "$unit"
	old=$(sha256sum <"$unit" | cut -d' ' -f1)
	[ "$old" != "$new" ] || fail "$unit has no ExecStartPost line"
	sed -i "s/\"sha256\": \"$new\"/\"sha256\": \"$old\"/" "$rec"
	systemctl daemon-reload
	[ -z "$(prop ExecStartPost a)" ] || fail "systemd still has an ExecStartPost for bucardo@a after loading the old unit"
}

# upgraded I PID: bucardo@I still runs as PID (upgrade restarted nothing),
# under the old unit, and upgrade's output in $W/upgrade.out says so.
upgraded() {
	[ "$(prop MainPID "$1")" = "$2" ] || fail "bcfork instance upgrade restarted bucardo@$1: MainPID $2 -> $(prop MainPID "$1")"
	grep -qx "note: instance $1 runs (pid $2), started under the old unit: systemctl restart $(svc "$1") starts it under the new one (bcfork restarts nothing)" "$W/upgrade.out" ||
		{ cat "$W/upgrade.out"; fail "bcfork instance upgrade does not name bucardo@$1 (pid $2) to restart"; }
}

inside() {
	cd /   # the folder nsenter left may not be the container's
	W=$(mktemp -d /tmp/bcfork-e2e.XXXXXX)
	chmod 0755 "$W"
	SOCK=$W/sock
	export PGHOST=$SOCK PGPORT=$PORT PGUSER=postgres
	trap inside_cleanup EXIT
	trap 'exit 130' INT TERM
	{ [ -d /run/systemd/system ] && [ "$(ps -o comm= -p 1)" = systemd ]; } || fail "--inside: systemd is not PID 1 here"

	generate
	phase "install"
	"$BCFORK" install --from "$W/fork" >/dev/null
	cluster
	add_instances
	configure_instances

	phase "systemctl start a b"
	systemctl start "$(svc a)" "$(svc b)"
	active a
	active b
	both_running
	say "systemctl is-active: a $(systemctl is-active "$(svc a)"), b $(systemctl is-active "$(svc b)"); MainPID = pid file for both"

	phase "both replicate"
	local la="" lb=""
	for _ in 1 2 3; do
		latency a
		la+="$LAT "
		latency b
		lb+="$LAT "
	done
	say "both caught up: $(counts); replication latency (ms), a: ${la}b: $lb"

	phase "systemctl stop a, b goes on"
	local pid_b frozen id
	pid_b=$(prop MainPID b)
	id=$(prop InvocationID a)
	systemctl stop "$(svc a)"
	stopped a "$id"
	active b
	[ "$(prop MainPID b)" = "$pid_b" ] || fail "bucardo@b's MainPID changed from $pid_b when a stopped"
	frozen=$(rows dst_a)
	insert_both
	caught_up b
	sleep 1
	[ "$(rows dst_a)" = "$frozen" ] || fail "a replicated after systemctl stop"
	grep -q "/run/bucardo/a/fullstopbucardo" /var/log/bucardo/a/log.bucardo || fail "a did not stop on its own stop file"
	say "a inactive (Result=success, not killed), b active with the same MainPID: $(counts)"

	phase "systemctl restart b"
	systemctl restart "$(svc b)"
	active b
	[ "$(prop MainPID b)" != "$pid_b" ] || fail "systemctl restart bucardo@b: MainPID still $pid_b"
	insert b
	caught_up b
	say "b restarted (MainPID $pid_b -> $(prop MainPID b)) and replicates: $(counts)"

	phase "kill -9 b's MCP: restarted"
	pid_b=$(prop MainPID b)
	kill -KILL "$pid_b"
	for _ in $(seq 1 100); do
		[ "$(prop MainPID b)" != "$pid_b" ] && [ "$(systemctl is-active "$(svc b)")" = active ] && break
		sleep 0.1
	done
	active b
	insert b
	caught_up b
	say "Restart=on-failure: MainPID $pid_b killed, systemd started $(prop MainPID b) (NRestarts=$(prop NRestarts b)); b replicates"

	phase "boot: tmpfiles make /run"
	id=$(prop InvocationID b)
	systemctl stop "$(svc b)"
	stopped b "$id"
	rm -rf /run/bucardo
	# What systemd-tmpfiles-setup.service runs at boot, with every file in
	# /etc/tmpfiles.d (it refuses a manual restart, and a reboot would take
	# the overlay with it), kept to /run/bucardo: at boot it empties /tmp,
	# where the cluster is, and the folders bound from the host may be.
	local boot
	boot=$(systemctl show -P ExecStart systemd-tmpfiles-setup.service | sed -n 's/.*argv\[\]=\([^;]*\) ;.*/\1/p')
	[[ $boot == "systemd-tmpfiles --create"* ]] || fail "systemd-tmpfiles-setup.service runs '$boot', not systemd-tmpfiles --create"
	boot+=" --prefix=/run/bucardo"
	# shellcheck disable=SC2086 # the unit's command line, split as systemd does
	$boot
	[ "$(stat -c '%U %a' /run/bucardo/a /run/bucardo/b | sort -u)" = "bucardo 755" ] ||
		fail "$boot did not make /run/bucardo/{a,b} bucardo's: $(ls -ld /run/bucardo/* 2>&1)"
	systemctl start "$(svc a)" "$(svc b)"
	active a
	active b
	caught_up a
	caught_up b
	say "$boot (systemd-tmpfiles-setup.service) made /run/bucardo/a and b; both started again and caught up: $(counts)"

	phase "instance upgrade: old unit"
	old_unit
	local out pid_a pid_b
	pid_a=$(prop MainPID a)
	pid_b=$(prop MainPID b)
	out=$(bc status) || fail "bcfork status with the old unit: exit $?, want 0 (no drift)"
	grep -qx 'note: "/etc/systemd/system/bucardo@.service" is as an older bcfork wrote it; this bcfork writes it otherwise: bcfork instance upgrade rewrites it' <<<"$out" ||
		{ echo "$out"; fail "bcfork status does not note the old unit"; }
	bc instance upgrade >"$W/upgrade.out" || { cat "$W/upgrade.out"; fail "bcfork instance upgrade"; }
	grep -qx '  systemctl daemon-reload' "$W/upgrade.out" || { cat "$W/upgrade.out"; fail "bcfork instance upgrade did not reload systemd"; }
	[ "$(prop NeedDaemonReload a)" = no ] || fail "systemd has not loaded the rewritten unit"
	[ -n "$(prop ExecStartPost a)" ] || fail "systemd has no ExecStartPost for bucardo@a after the upgrade"
	upgraded a "$pid_a"
	upgraded b "$pid_b"
	systemctl restart "$(svc a)" "$(svc b)"
	active a
	active b
	{ [ "$(prop MainPID a)" != "$pid_a" ] && [ "$(prop MainPID b)" != "$pid_b" ]; } || fail "systemctl restart: MainPIDs unchanged"
	insert_both
	caught_up a
	caught_up b
	out=$(bc instance upgrade) || fail "a second bcfork instance upgrade: exit $?"
	[[ $out == "nothing to do:"* ]] || fail "a second bcfork instance upgrade did something: $out"
	out=$(bc status) || fail "bcfork status after the upgrade: exit $?"
	! grep -q '^note: \|^drift: ' <<<"$out" || { echo "$out"; fail "bcfork status after the upgrade"; }
	say "old unit (no ExecStartPost): status exit 0 with a note; instance upgrade rewrote it, ran daemon-reload, named a and b to restart; restarted under the new unit, both replicate: $(counts)"

	phase "instance remove a, b"
	local I
	for I in a b; do
		id=$(prop InvocationID "$I")
		bc instance remove "$I" --drop-database >"$W/remove-$I.out" || { cat "$W/remove-$I.out"; fail "instance remove $I"; }
		stopped "$I" "$id"
		[ "$(systemctl is-enabled "$(svc "$I")" 2>/dev/null)" != enabled ] || fail "bucardo@$I still enabled after remove"
	done
	[ "$(systemctl show -P LoadState "$(svc a)")" = not-found ] || fail "systemd still has bucardo@.service loaded after remove: $(systemctl show -P LoadState "$(svc a)")"
	[ -z "$(bucardo_procs)" ] || fail "Bucardo processes left: $(bucardo_procs)"
	say "both removed (systemctl disable --now by bcfork), unit gone from systemd, no Bucardo process left"
	phase "done"
}

if [ "${1:-}" = --inside ]; then
	inside
else
	host
fi
