# shellcheck shell=bash
# Sourced by e2e/run.sh and e2e/demo.sh: the throwaway PostgreSQL 15 cluster
# they replicate on. Both set W (the work folder), SOCK, PORT and PGBIN, and
# define sql DB QUERY, which reaches the cluster.

# pg_start [CMD]: a cluster in $W/pg/data owned by postgres, trusting local
# users, reachable only through the socket folder $SOCK on port $PORT,
# logging to $W/pg.log; started, with the role bucardo (a superuser that
# may log in). CMD (demo.sh's cmd, which prints a command and runs it) runs
# initdb and pg_ctl.
pg_start() {
	mkdir -p "$W/pg" "$SOCK"
	chown postgres:postgres "$W/pg" "$SOCK"
	"$@" runuser -u postgres -- "$PGBIN/initdb" -D "$W/pg/data" -A trust -U postgres >/dev/null
	touch "$W/pg.log" && chown postgres "$W/pg.log"
	"$@" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg/data" -l "$W/pg.log" -w \
		-o "-p $PORT -k $SOCK -c listen_addresses=''" start >/dev/null
	sql postgres "CREATE ROLE bucardo SUPERUSER LOGIN"
}

# pg_dbs I...: for each instance I, the databases src_I and dst_I, each
# with a table t (id int PRIMARY KEY, v text) for a sync to replicate.
pg_dbs() {
	local I d
	for I in "$@"; do
		for d in "src_$I" "dst_$I"; do
			sql postgres "CREATE DATABASE $d"
			sql "$d" "CREATE TABLE t (id int PRIMARY KEY, v text)"
		done
	done
}
