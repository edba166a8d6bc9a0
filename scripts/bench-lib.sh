# bench-lib.sh — shared by scripts/bench.sh and scripts/bench-peers.sh
# (sourced, not run): corpus cache, timing with GNU time, best-of runs.
# Expects: set -euo pipefail, the repository root as working directory.

export PATH=/usr/local/go/bin:$HOME/go/bin:$PATH
SEED=${SEED:-1}
RUNS=${RUNS:-3}
CACHE=${BENCH_CACHE:-/tmp/logtally-bench}
GNUTIME=/usr/bin/time

bench_init() {
	if [ ! -x "$GNUTIME" ]; then
		echo "bench: GNU time ($GNUTIME) is missing: run make deps-bench (or apt-get install -y time)" >&2
		exit 1
	fi
	if [ ! -x bin/summarize ] || [ ! -x bin/loggen ]; then
		echo "bench: bin/summarize or bin/loggen missing: run make build" >&2
		exit 1
	fi
	WORK=$(mktemp -d /tmp/logtally-bench-work.XXXXXX)
	trap 'rm -rf "$WORK"' EXIT
	go build -o "$WORK/" ./bench/cmd/peertotals ./bench/cmd/genrules
	GEN_HASH=$(cat internal/corpus/*.go cmd/loggen/main.go | sha256sum | cut -c1-12)
}

# corpus NAME LINES [loggen flags...]: prints the path of a cached corpus,
# generating it first. The cache key is the name, size, seed and a hash of
# the generator's source, so a changed generator never reuses old bytes.
corpus() {
	local name=$1 n=$2
	shift 2
	local f="$CACHE/$name-seed$SEED-n$n-$GEN_HASH.log"
	if [ ! -s "$f" ]; then
		mkdir -p "$CACHE"
		echo "bench: generating $f" >&2
		bin/loggen -n "$n" --seed "$SEED" "$@" >"$f.tmp.$$"
		mv "$f.tmp.$$" "$f"
	fi
	echo "$f"
}

# avg_bytes FILE: mean line length in bytes, newline included.
avg_bytes() { echo $(($(stat -c %s "$1") / $(wc -l <"$1"))); }

# measure RUNS STDIN -- CMD...: runs CMD RUNS times (stdin from STDIN, or
# /dev/null for "-"; stdout to $WORK/out) and sets WALL, CPU (user+sys
# seconds) and RSS (peak resident KiB) of the fastest run.
measure() {
	local runs=$1 in=$2
	shift 3
	[ "$in" = - ] && in=/dev/null
	WALL= CPU= RSS=
	local i w u s m
	for ((i = 0; i < runs; i++)); do
		if ! "$GNUTIME" -f '%e %U %S %M' -o "$WORK/time" "$@" <"$in" >"$WORK/out" 2>"$WORK/err"; then
			echo "bench: failed: $*" >&2
			cat "$WORK/err" >&2
			exit 1
		fi
		read -r w u s m <"$WORK/time"
		if [ -z "$WALL" ] || awk -v a="$w" -v b="$WALL" 'BEGIN{exit !(a<b)}'; then
			WALL=$w CPU=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}') RSS=$m
		fi
	done
}

# rate LINES SECONDS: lines per second, rounded.
rate() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s <= 0) s = 0.005; printf "%d", n/s }'; }

# load_note: warns when other work competes for the CPUs (wall-clock
# throughput is then pessimistic; CPU seconds stay comparable).
load_note() {
	local load cpus
	load=$(cut -d' ' -f1 /proc/loadavg)
	cpus=$(nproc)
	echo "machine: $cpus CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $load"
	if awk -v l="$load" -v c="$cpus" 'BEGIN{exit !(l > c/2)}'; then
		echo "WARNING: load average $load on $cpus CPUs: other work competes; wall-clock lines/s are pessimistic, compare CPU seconds"
	fi
}
