#!/bin/sh
# debian-deb.sh DEST — put the bucardo script and bucardo.schema of Debian's
# bucardo package 5.6.0-4 (as it installs them: /usr/bin/bucardo,
# /usr/share/bucardo/bucardo.schema) into the folder DEST, checked against
# their sha256 (patches/debian/5.6.0-4/checksums). The package is fetched
# with `apt-get download` and this machine's own apt configuration, which is
# not changed; `apt-get update` runs first only when the download fails.
# Each file is replaced atomically. Idempotent: verified files are kept.
set -eu
dest=${1:?usage: debian-deb.sh DEST}
version=5.6.0-4
# The pins of the debian flavor: sha256sum lines for bucardo and bucardo.schema.
sums=$(cd "$(dirname "$0")/../patches/debian/$version" && pwd)/checksums
[ -f "$sums" ] || { echo "debian-deb.sh: $sums not found" >&2; exit 1; }

# check DIR: DIR holds both files with the pinned sums.
check() {
	[ -f "$1/bucardo" ] && [ -f "$1/bucardo.schema" ] && (cd "$1" && sha256sum -c --status "$sums")
}

if check "$dest"; then exit 0; fi
for c in apt-get dpkg-deb sha256sum; do
	command -v "$c" >/dev/null || { echo "debian-deb.sh: $c not found; put Debian's bucardo $version files into $dest by hand" >&2; exit 1; }
done

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
# As root, apt would hand the download to its sandbox user, who cannot write
# into our private temporary folder; download as root instead.
O=
[ "$(id -u)" -ne 0 ] || O="-o APT::Sandbox::User=root"
# shellcheck disable=SC2086
download() { (cd "$d" && apt-get -q $O download "bucardo=$version" >&2); }
if ! download; then
	echo "debian-deb.sh: apt-get download failed; running apt-get update and trying again" >&2
	apt-get -q update >&2
	download
fi
deb=$(find "$d" -maxdepth 1 -name "bucardo_*.deb" | head -n 1)
[ -n "$deb" ] || { echo "debian-deb.sh: apt-get download left no bucardo_*.deb" >&2; exit 1; }
dpkg-deb -x "$deb" "$d/root"
mkdir "$d/files"
cp "$d/root/usr/bin/bucardo" "$d/root/usr/share/bucardo/bucardo.schema" "$d/files/"
check "$d/files" || { echo "debian-deb.sh: the files of $(basename "$deb") do not have the sha256 of bucardo $version" >&2; exit 1; }

mkdir -p "$dest"
for f in bucardo bucardo.schema; do
	cp "$d/files/$f" "$dest/$f.tmp" && mv "$dest/$f.tmp" "$dest/$f"
done
check "$dest"
