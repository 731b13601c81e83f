# shellcheck shell=bash
# Sourced by e2e/run.sh and e2e/demo.sh: run an instance's commands as the
# generated template unit says systemd would.

UNIT=/etc/systemd/system/bucardo@.service
# unit_lines KEY I: the values of the unit's KEY= lines for instance I.
unit_lines() { sed -n "s/^$1=//p" "$UNIT" | sed "s/%i/$2/g"; }
# as_unit I CMD...: run CMD as systemd runs instance I's commands: as the OS
# user bucardo, in the unit's WorkingDirectory, in a clean environment.
as_unit() {
	local I=$1
	shift
	(cd "$(unit_lines WorkingDirectory "$I")" && runuser -u bucardo -- env -i PATH=/usr/local/bin:/usr/bin:/bin \
		LANG=C.UTF-8 HOME=/var/lib/bucardo USER=bucardo LOGNAME=bucardo "$@")
}
