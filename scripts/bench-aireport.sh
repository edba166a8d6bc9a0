#!/usr/bin/env bash
# bench-aireport.sh — aireport --masks article against the article's own
# pipeline on the same generated input:
#
#   LC_ALL=C cut -c 17- | sed -e 's/port [0-9]* /port PORT /g' \
#       -e 's/\[[0-9]*\]/[PID]/g' -e 's/pid=[0-9]*/pid=PID/g' | sort | uniq -c | sort -rn
#
# Prints both times (best of RUNS, the two taking turns), the ratio, and
# checks that both list the same lines with the same counts (ties may come
# in any order). Then, unless MEMORY=0, measures peak RSS on a 5M-line
# input with 1,000 templates.
#
# Environment: LINES (1000000), TEMPLATES (1000), VALUES ("2 10 100"),
# RUNS (3), MEMORY (1), MEM_LINES (5000000), TARGET (10).
# Exit status 1 when the outputs differ.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-1000000}
TEMPLATES=${TEMPLATES:-1000}
RUNS=${RUNS:-3}
MEMORY=${MEMORY:-1}
MEM_LINES=${MEM_LINES:-5000000}
TARGET=${TARGET:-10}
GO=${GO:-go}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 $GO build -o "$work/aireport" ./cmd/aireport # as make build does
$GO build -o "$work/gencorpus" ./internal/aireport/corpus/gencorpus
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# time_once OUT CMD...: runs CMD once, stdout to OUT; wall time in $d, CPU
# (user+sys, children included) in $c.
time_once() {
	local out=$1 t0 t1 u s
	shift
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f '%e %U %S' -o "$work/t" "$@" >"$out"
		read -r d u s <"$work/t"
		c=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
	else
		t0=$(date +%s.%N)
		"$@" >"$out"
		t1=$(date +%s.%N)
		d=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
		c="?"
	fi
}

# faster D B: whether time D beats the best so far, B (empty: none yet).
faster() { [[ -z $2 ]] || awk -v d="$1" -v b="$2" 'BEGIN{exit !(d < b)}'; }

status=0
# VALUES: distinct values per variable field the article's masks leave
# alone; it sets how many distinct lines the report has (2%, 19% and 45% of
# the input with the defaults): sort always sorts every line, aireport
# touches each distinct line once, so the ratio depends on it.
for values in ${VALUES:-2 10 100}; do
	"$work/gencorpus" -lines "$LINES" -templates "$TEMPLATES" -values "$values" -seed 1 >"$work/in.log"
	echo
	echo "input: $LINES lines, $(du -m "$work/in.log" | cut -f1) MB, $TEMPLATES templates, -values $values (go run ./internal/aireport/corpus/gencorpus -lines $LINES -templates $TEMPLATES -values $values -seed 1)"
	# the two alternate, run by run, so that both see the same machine:
	# a shared host's speed drifts by a third within minutes
	t_shell="" t_ai=""
	for _ in $(seq "$RUNS"); do
		time_once "$work/shell.out" bash -c "LC_ALL=C cut -c 17- '$work/in.log' | LC_ALL=C sed -e 's/port [0-9]* /port PORT /g' -e 's/\\[[0-9]*\\]/[PID]/g' -e 's/pid=[0-9]*/pid=PID/g' | LC_ALL=C sort | LC_ALL=C uniq -c | LC_ALL=C sort -rn"
		if faster "$d" "$t_shell"; then t_shell=$d c_shell=$c; fi
		time_once "$work/ai.out" "$work/aireport" --masks article --progress never "$work/in.log"
		if faster "$d" "$t_ai"; then t_ai=$d c_ai=$c; fi
	done
	ratio=$(awk -v a="$t_shell" -v b="$t_ai" 'BEGIN{printf "%.1f", a/b}')
	printf '  article pipeline (LC_ALL=C cut|sed|sort|uniq -c|sort -rn): %6.3f s wall, %5s s CPU\n' "$t_shell" "$c_shell"
	printf '  aireport --masks article:                                  %6.3f s wall, %5s s CPU\n' "$t_ai" "$c_ai"
	printf '  ratio: %sx wall (target >= %sx), best of %s runs each\n' "$ratio" "$TARGET" "$RUNS"
	if cmp -s <(LC_ALL=C sort "$work/shell.out") <(LC_ALL=C sort "$work/ai.out"); then
		echo "  output: identical ($(wc -l <"$work/ai.out") distinct lines, same counts)"
	else
		echo "  output: DIFFERENT" >&2
		diff <(LC_ALL=C sort "$work/shell.out") <(LC_ALL=C sort "$work/ai.out") | head -20 >&2
		status=1
	fi
done
echo

if [[ $MEMORY == 1 && ! -x /usr/bin/time ]]; then
	echo "memory: skipped, /usr/bin/time is not installed (apt-get install time)"
elif [[ $MEMORY == 1 ]]; then
	"$work/gencorpus" -lines "$MEM_LINES" -templates 1000 -seed 2 -nasty=false >"$work/big.log"
	echo "memory: $MEM_LINES lines, 1000 templates, $(du -m "$work/big.log" | cut -f1) MB"
	for mode in "default (builtin masks + Drain templates)|--format json" "article (exact lines, uniq output)|--masks article"; do
		name=${mode%%|*}
		args=${mode#*|}
		# shellcheck disable=SC2086
		/usr/bin/time -f '%M %e' -o "$work/time" "$work/aireport" $args --progress never "$work/big.log" >"$work/big.out"
		read -r rss secs <"$work/time"
		if [[ $args == *json* ]]; then
			groups=$(grep -c '"key"' "$work/big.out" || true)
		else
			groups=$(wc -l <"$work/big.out")
		fi
		printf '  %-45s max RSS %4d MB, %6.2f s, %d groups\n' "$name" $((rss / 1024)) "$secs" "$groups"
	done
fi
exit $status
