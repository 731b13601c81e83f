#!/bin/sh
# Times bcfork's patch engine against GNU patch and git merge-file on the
# same inputs, and prints the ratios (bcfork time / tool time; below 1 is
# faster). Each command runs N times (default 200) as a process, with
# hyperfine when installed, else a shell loop; the engine's in-process time
# per run is printed too. Inputs: the real bucardo script when
# BCFORK_PRISTINE_TARBALL names the 5.6.0 tarball, else 12,000 synthetic lines.
set -eu
cd "$(dirname "$0")/.."
N=${N:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
in=$tmp/in
mkdir "$in"

go build -o "$tmp/enginebench" ./bench/enginebench
eb=$tmp/enginebench
"$eb" gen "$in"

# The same results first: a timing of different work means nothing.
"$eb" apply "$in/bucardo" "$in/fork.patch" >"$tmp/engine.out"
patch -s -p1 --fuzz=0 -o "$tmp/patch.out" "$in/bucardo" <"$in/fork.patch"
cmp "$tmp/engine.out" "$tmp/patch.out"
"$eb" merge "$in/ours" "$in/base" "$in/theirs" >"$tmp/engine.merge"
git merge-file -p --diff3 -L ours -L base -L theirs "$in/ours" "$in/base" "$in/theirs" >"$tmp/git.merge"
cmp "$tmp/engine.merge" "$tmp/git.merge"
echo "outputs identical: engine = GNU patch, engine = git merge-file"

# shellcheck source=bench/timing.sh
. bench/timing.sh

# mean_us CMD...: mean wall time of CMD in microseconds over N runs.
mean_us() {
	t=$(bench_time "$*" 5)
	echo "${t%% *}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

timer=shell-loop
command -v hyperfine >/dev/null 2>&1 && timer=hyperfine
echo "timing $N runs each ($timer)"
engine_apply=$(mean_us "$eb" apply "$in/bucardo" "$in/fork.patch")
gnu_apply=$(mean_us patch -s -p1 --fuzz=0 -o "$tmp/patch.out" "$in/bucardo" "$in/fork.patch")
engine_merge=$(mean_us "$eb" merge "$in/ours" "$in/base" "$in/theirs")
git_merge=$(mean_us git merge-file -p --diff3 "$in/ours" "$in/base" "$in/theirs")
startup=$(mean_us "$eb" nop)
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $("$eb" loop "$N" "$in")
printf 'apply: bcfork %6d us   GNU patch       %6d us   ratio %s\n' "$engine_apply" "$gnu_apply" "$(ratio "$engine_apply" "$gnu_apply")"
printf 'merge: bcfork %6d us   git merge-file  %6d us   ratio %s\n' "$engine_merge" "$git_merge" "$(ratio "$engine_merge" "$git_merge")"
printf 'in-process engine only: apply %d us, merge %d us a run (start-up of the Go program: %d us)\n' "$1" "$2" "$startup"
