#!/bin/sh
# Carries the canonical patch series onto every other release bcfork ships a
# series for, with bcfork rebase, offline, from the real pristine files:
#
#   scripts/series.sh BCFORK PATCHES          rewrite the derived series in PATCHES
#   scripts/series.sh --check BCFORK PATCHES  carry them into a scratch copy of
#                                             PATCHES and fail if anything differs
#
# The canonical series is upstream/5.6.0 (Bucardo 5.6.0's files: $PRISTINE,
# Debian's orig tarball). Derived from it: upstream 5.5.0, 5.4.1 and
# master-d9919c8 (release-style tarballs in $FIXTURES) and debian 5.6.0-4
# (the files of Debian's package in $DEBIAN_FILES; its one conflict is
# resolved as recorded in patches/debian/5.6.0-4/resolutions). A derived
# series is never edited by hand: change the canonical one, then run this.
# Carrying the same series again changes nothing, dates included.
#
# Without the pristine files this is skipped with a warning, unless
# BCFORK_REQUIRE_PRISTINE=1 (CI), which makes it a failure.
set -eu

check=
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
[ $# -eq 2 ] || { echo "usage: $0 [--check] BCFORK PATCHES" >&2; exit 2; }
bcfork=$1 patches=$2
: "${PRISTINE:?PRISTINE must name the Bucardo 5.6.0 release tarball}"
FIXTURES=${FIXTURES:-} DEBIAN_FILES=${DEBIAN_FILES:-}

missing=
[ -f "$PRISTINE" ] || missing="$missing $PRISTINE"
[ -d "$DEBIAN_FILES" ] || missing="$missing ${DEBIAN_FILES:-DEBIAN_FILES}"
[ -d "$FIXTURES" ] || missing="$missing ${FIXTURES:-FIXTURES}"
if [ -n "$missing" ]; then
	if [ "${BCFORK_REQUIRE_PRISTINE:-}" = 1 ]; then
		echo "series: BCFORK_REQUIRE_PRISTINE=1 but missing:$missing" >&2
		exit 1
	fi
	echo "series: WARNING: missing:$missing; the derived series are NOT checked" >&2
	exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tree=$patches
if [ -n "$check" ]; then
	tree=$scratch/patches
	cp -R "$patches" "$tree"
fi

# derive FLAVOR VERSION FILES: carry upstream/5.6.0 onto FLAVOR/VERSION,
# whose pristine files are FILES. Exit 0 (unchanged) and 7 (carried with
# changes) are both success here.
derive() {
	rc=0
	"$bcfork" rebase --patches "$tree" --old-flavor upstream --version 5.6.0 --from-old "$PRISTINE" \
		--flavor "$1" --onto "$2" --from "$3" --offline --no-cache --force \
		--work "$scratch/work-$1-$2" >"$scratch/out" 2>&1 || rc=$?
	case $rc in
	0 | 7) grep '^[0-9]*-.*: ' "$scratch/out" | sed "s|^|$1/$2 |" ;;
	*) cat "$scratch/out" >&2; echo "series: carrying upstream/5.6.0 onto $1/$2 failed (exit $rc)" >&2; exit 1 ;;
	esac
}

derive upstream 5.5.0 "$FIXTURES/Bucardo-5.5.0.tar.gz"
derive upstream 5.4.1 "$FIXTURES/Bucardo-5.4.1.tar.gz"
derive upstream master-d9919c8 "$FIXTURES/Bucardo-master-d9919c8.tar.gz"
derive debian 5.6.0-4 "$DEBIAN_FILES"

if [ -n "$check" ]; then
	if ! diff -ru "$patches" "$tree"; then
		echo "series: the committed derived series differ from what bcfork rebase makes of upstream/5.6.0; run make series and commit the result" >&2
		exit 1
	fi
	echo "series: every derived series is what bcfork rebase makes of upstream/5.6.0"
fi
