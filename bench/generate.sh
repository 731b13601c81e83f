#!/bin/sh
# Times a whole `bcfork generate --version 5.6.0` as a process against the
# same patch series applied with GNU patch and with git apply to fresh copies
# of the pristine files, and prints the ratios (bcfork time / tool time;
# below 1 is faster) and the peak memory of one run of each.
#
#   a) bcfork generate --offline   from a warm cache (seeded here, in a temp dir)
#   b) bcfork generate --from DIR  the unpacked release folder, --no-cache
#   c) cp + patch -p1 -s           for each patch of the series, in order
#   d) cp + git apply              for each patch of the series, in order
#
# bcfork does more than c) and d): it verifies the pins, writes the .orig
# copies and manifest.json, and fsyncs every file. Environment:
#   N                        runs per command (default 50)
#   BCFORK                   bcfork binary to time (default: built here, -trimpath)
#   BCFORK_PRISTINE_TARBALL  Bucardo 5.6.0 release tarball, top folder Bucardo-5.6.0/
#                            (default ../.cache/bucardo_5.6.0.orig.tar.gz beside this script)
# Uses hyperfine when installed, else a shell loop; /usr/bin/time for memory.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
N=${N:-50}
version=5.6.0
tarball=${BCFORK_PRISTINE_TARBALL:-$here/../.cache/bucardo_$version.orig.tar.gz}
patches=$root/patches/upstream/$version

if [ ! -f "$tarball" ]; then
	echo "bench: no release tarball $tarball (set BCFORK_PRISTINE_TARBALL)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# q quotes a word for sh and for hyperfine's command splitting.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

bcfork=${BCFORK:-}
if [ -z "$bcfork" ]; then
	(cd "$root" && go build -trimpath -o "$tmp/bcfork" ./cmd/bcfork)
	bcfork=$tmp/bcfork
fi

# The pristine files, from the release tarball.
tar -xzf "$tarball" -C "$tmp" "Bucardo-$version/bucardo" "Bucardo-$version/bucardo.schema"
src=$tmp/Bucardo-$version

# A warm cache entry for bucardo/bucardo@5.6.0, laid out as upstream/cache.go
# reads it, with the tag's commit as pinned (the cache drops an entry whose
# commit is not the pinned one).
BCFORK_CACHE_DIR=$tmp/cache
export BCFORK_CACHE_DIR
entry=$BCFORK_CACHE_DIR/github/bucardo/bucardo/refs/$version
mkdir -p "$entry"
cp "$src/bucardo" "$src/bucardo.schema" "$entry/"
filemeta() {
	printf '"%s": {"size": %d, "sha256": "%s", "blob": "%s"}' "$1" \
		"$(wc -c <"$entry/$1")" "$(sha256sum "$entry/$1" | cut -d' ' -f1)" "$(git hash-object "$entry/$1")"
}
commit=$(cat "$root/patches/upstream/$version/commit")
printf '{"format": 1, "repo": "bucardo/bucardo", "ref": "%s", "commit": "%s", "fetched": "%s",\n "files": {%s,\n  %s}}\n' \
	"$version" "$commit" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(filemeta bucardo)" "$(filemeta bucardo.schema)" >"$entry/meta.json"

# One script per tool, applying the series in order to fresh copies.
for tool in patch git; do
	{
		echo 'set -eu'
		echo "rm -rf $(q "$tmp/$tool.out") && mkdir $(q "$tmp/$tool.out")"
		echo "cp $(q "$src/bucardo") $(q "$src/bucardo.schema") $(q "$tmp/$tool.out")"
		echo "cd $(q "$tmp/$tool.out")"
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$patches/series" | while read -r p _; do
			case $tool in
			patch) echo "patch -p1 -s <$(q "$patches/$p")" ;;
			git) echo "git apply $(q "$patches/$p")" ;;
			esac
		done
	} >"$tmp/$tool.sh"
done

cmd_a="$(q "$bcfork") generate --version $version --offline --out $(q "$tmp/a.out") --force"
cmd_b="$(q "$bcfork") generate --version $version --from $(q "$src") --no-cache --out $(q "$tmp/b.out") --force"
cmd_c="sh $(q "$tmp/patch.sh")"
cmd_d="sh $(q "$tmp/git.sh")"
cmd_of() {
	case $1 in
	a) echo "$cmd_a" ;;
	b) echo "$cmd_b" ;;
	c) echo "$cmd_c" ;;
	d) echo "$cmd_d" ;;
	esac
}

# The same results first: a timing of different work means nothing.
for c in a b c d; do
	eval "$(cmd_of "$c")" >"$tmp/$c.log" 2>&1 || {
		cat "$tmp/$c.log" >&2
		exit 1
	}
done
grep -q '"kind": "github"' "$tmp/a.out/manifest.json" || {
	echo "bench: run a) did not read the cache" >&2
	exit 1
}
for f in bucardo bucardo.schema; do
	cmp "$tmp/a.out/$f" "$tmp/b.out/$f"
	cmp "$tmp/a.out/$f" "$tmp/patch.out/$f"
	cmp "$tmp/a.out/$f" "$tmp/git.out/$f"
done
echo "bcfork: $("$bcfork" --version) ($bcfork)"
echo "inputs: bucardo $(wc -c <"$src/bucardo") bytes, bucardo.schema $(wc -c <"$src/bucardo.schema") bytes;" \
	"series: $(grep -c '^patch ' "$tmp/patch.sh") patches"
echo "outputs identical: bcfork (cache) = bcfork (--from) = GNU patch = git apply"

# shellcheck source=bench/timing.sh
. "$here/timing.sh"

# time_ms CMD: "MEAN ± STDDEV" (or "MEAN" from the shell loop) in
# milliseconds over N runs of CMD (a string).
time_ms() {
	bench_time "$1" 3 | awk '{ if ($2 > 0) printf "%.2f ± %.2f\n", $1 / 1000, $2 / 1000; else printf "%.2f\n", $1 / 1000 }'
}

# ratio A B: A / B, for "MEAN ..." strings.
ratio() { awk -v a="${1%% *}" -v b="${2%% *}" 'BEGIN { printf "%.2f", a / b }'; }

timer="shell loop, date +%s%N; mean per run"
command -v hyperfine >/dev/null 2>&1 && timer="$(hyperfine --version), -N, 3 warmup runs; mean ± stddev per run"
echo "timing $N runs each ($timer)"
ta=$(time_ms "$cmd_a")
tb=$(time_ms "$cmd_b")
tc=$(time_ms "$cmd_c")
td=$(time_ms "$cmd_d")
echo "a) bcfork generate --offline (warm cache)  $ta ms"
echo "b) bcfork generate --from DIR --no-cache   $tb ms"
echo "c) cp + GNU patch -p1 -s, each patch       $tc ms"
echo "d) cp + git apply, each patch              $td ms"
echo "ratio bcfork / GNU patch: a) $(ratio "$ta" "$tc")  b) $(ratio "$tb" "$tc")"
echo "ratio bcfork / git apply: a) $(ratio "$ta" "$td")  b) $(ratio "$tb" "$td")"

if [ -x /usr/bin/time ]; then
	echo "peak memory (max RSS of one run; for c and d the largest single process)"
	for c in a b c d; do
		eval "/usr/bin/time -f %M -o $(q "$tmp/rss") $(cmd_of "$c")" >/dev/null 2>&1
		printf '%s) %s KB\n' "$c" "$(cat "$tmp/rss")"
	done
else
	echo "peak memory: skipped (no /usr/bin/time; Debian package time)"
fi
