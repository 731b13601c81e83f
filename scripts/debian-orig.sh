#!/bin/sh
# debian-orig.sh DEST — download Debian's bucardo_5.6.0.orig.tar.gz (the upstream
# release tarball, byte-identical for bucardo and bucardo.schema) into DEST and
# check its sha256. The mirror is read from this machine's own apt sources; the
# system's apt configuration is not touched. Idempotent: a verified file is kept.
set -eu
dest=${1:?usage: debian-orig.sh DEST}
name=bucardo_5.6.0.orig.tar.gz
want=80ec23d2f362f41bb2cf6ab18bb3d21882a7457eb1784130135152f1786fdf01

check() { [ -f "$1" ] && echo "$want  $1" | sha256sum -c --status; }

if check "$dest"; then exit 0; fi
command -v apt-get >/dev/null || { echo "debian-orig.sh: apt-get not found; put $name at $dest by hand" >&2; exit 1; }

uri=
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	uri=$(awk '/^URIs:/{print $2; exit}' "$f")
	[ -n "$uri" ] && break
done
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
	uri=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//){print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "debian-orig.sh: no Debian mirror found in the apt sources" >&2; exit 1; }

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/parts" "$d/lists/partial"
printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" >"$d/parts/src.sources"
O="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$d/parts -o Dir::State::Lists=$d/lists -o Debug::NoDropPrivs=1 -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get -q $O update >&2
# apt-get source may fail over the debian.tar.xz; the orig tarball is what we need.
# shellcheck disable=SC2086
(cd "$d" && apt-get -q $O source --download-only bucardo >&2) || true
check "$d/$name" || { echo "debian-orig.sh: $name missing or its sha256 is not $want" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
cp "$d/$name" "$dest.tmp" && mv "$dest.tmp" "$dest"
