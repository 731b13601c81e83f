# shellcheck shell=sh
# timing.sh — sourced by the bench scripts, which set N (runs) and tmp (a
# scratch folder).
#
# bench_time CMD WARMUP: the mean and standard deviation of the wall time of
# the command line CMD over N runs, in microseconds, as "MEAN SD". hyperfine
# (-N, WARMUP warmup runs) when installed, else a shell loop timed with
# date +%s%N, which gives no deviation (SD 0).
# shellcheck disable=SC2154 # tmp and N come from the sourcing script
bench_time() {
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N --style none --warmup "$2" --runs "$N" --export-csv "$tmp/h.csv" "$1" >/dev/null 2>&1
		awk -F, 'NR == 2 { printf "%d %d\n", $2 * 1e6, $3 * 1e6 }' "$tmp/h.csv"
		return
	fi
	start=$(date +%s%N)
	i=0
	while [ "$i" -lt "$N" ]; do
		eval "$1" >/dev/null 2>&1
		i=$((i + 1))
	done
	end=$(date +%s%N)
	echo "$(((end - start) / N / 1000)) 0"
}
