#!/usr/bin/env bash
# bench-peers.sh — `make bench-peers` (issue 6): logtally's summarize, SEC
# and mtail run the same counting job (bench/peers: job.yaml, job.sec,
# job.mtail — ASA lines, URL accesses by server, sshd logins by user, postfix
# smtpd connections) on the same reproducible corpus, one after the other.
# Their totals must agree (bench/cmd/peertotals; exit 1 otherwise). Then a
# table of lines/s, CPU seconds and peak RSS per tool with logtally's
# ratios, and summarize's scaling curves: 10, 100 and 500 rules
# (bench/cmd/genrules: the job plus rules that never match, placed first)
# and short vs 1 KiB lines.
#
# env: LINES (2000000), SEED (1), RUNS (3: best-of for summarize),
#      PEER_RUNS (1: best-of for sec and mtail), LONG_LINES (LINES),
#      BENCH_CACHE (/tmp/logtally-bench: corpora are kept there by seed),
#      STRICT (1: exit 1 when a target is missed)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
LINES=${LINES:-2000000}
PEER_RUNS=${PEER_RUNS:-1}
LONG_LINES=${LONG_LINES:-$LINES}
STRICT=${STRICT:-0}
for t in sec mtail; do
	if ! command -v "$t" >/dev/null; then
		echo "bench-peers: $t is missing: run make deps-bench (Debian packages sec, mtail)" >&2
		exit 1
	fi
done
bench_init

in=$(corpus mixed-traditional "$LINES" --format traditional)
echo "== bench-peers: one counting job, three tools, $LINES lines (loggen --seed $SEED --format traditional, $(avg_bytes "$in") B/line)"
echo "   sec $(sec --version | head -1 | awk '{print $NF}'), mtail $(mtail --version 2>&1 | head -1 | awk '{print $3}'), $(go version | awk '{print $3}')"
load_note

mkdir -p "$WORK/mtail-progs" "$WORK/results"
cp bench/peers/job.mtail "$WORK/mtail-progs/"

declare -A wall cpu rss
run_tool() { # name runs command...
	local name=$1 runs=$2
	shift 2
	measure "$runs" "$in" -- "$@"
	wall[$name]=$WALL cpu[$name]=$CPU rss[$name]=$RSS
	cp "$WORK/out" "$WORK/results/$name.out"
}
echo "running summarize (best of $RUNS)..."
run_tool logtally "$RUNS" bin/summarize --rules bench/peers/job.yaml --clock event --tz UTC --syslog none --json /dev/stdout
echo "running mtail --one_shot (best of $PEER_RUNS)..."
run_tool mtail "$PEER_RUNS" mtail --one_shot --one_shot_format json --logtostderr --progs "$WORK/mtail-progs" --logs "$in"
echo "running sec --notail (best of $PEER_RUNS)..."
run_tool sec "$PEER_RUNS" sec --conf=bench/peers/job.sec --input="$in" --notail --intevents --log=/dev/null

echo
"$WORK/peertotals" --logtally "$WORK/results/logtally.out" --sec "$WORK/results/sec.out" --mtail "$WORK/results/mtail.out"
echo
lt_rate=$(rate "$LINES" "${wall[logtally]}")
printf '%-10s %10s %8s %8s %12s %8s %14s %14s\n' tool lines/s "wall s" "CPU s" lines/CPU-s "RSS MB" "logtally ×/s" "logtally ×CPU"
for t in logtally mtail sec; do
	r=$(rate "$LINES" "${wall[$t]}")
	rc=$(rate "$LINES" "${cpu[$t]}")
	x=$(awk -v a="$lt_rate" -v b="$r" 'BEGIN{printf "%.1f×", a/b}')
	xc=$(awk -v a="${cpu[$t]}" -v b="${cpu[logtally]}" 'BEGIN{printf "%.1f×", a/(b>0?b:0.005)}')
	[ "$t" = logtally ] && x=- xc=-
	printf '%-10s %10s %8s %8s %12s %8s %14s %14s\n' "$t" "$r" "${wall[$t]}" "${cpu[$t]}" "$rc" "$(awk -v k="${rss[$t]}" 'BEGIN{printf "%.1f", k/1024}')" "$x" "$xc"
done
echo "logtally ×/s: summarize's lines/s over the tool's (wall clock); ×CPU: the tool's CPU seconds over summarize's"
echo "commands: bin/summarize --rules bench/peers/job.yaml --clock event --tz UTC --syslog none --json /dev/stdout < CORPUS"
echo "          mtail --one_shot --one_shot_format json --logtostderr --progs DIR_WITH_job.mtail --logs CORPUS"
echo "          sec --conf=bench/peers/job.sec --input=CORPUS --notail --intevents --log=/dev/null"
echo "          (CORPUS = bin/loggen -n $LINES --seed $SEED --format traditional = $in)"
missed=0
target() { # label tool factor
	local got
	got=$(awk -v a="$lt_rate" -v b="$(rate "$LINES" "${wall[$2]}")" 'BEGIN{printf "%.1f", a/b}')
	if awk -v g="$got" -v f="$3" 'BEGIN{exit !(g >= f)}'; then
		echo "target $1: ${got}× — met"
	else
		echo "target $1: ${got}× — NOT met"
		missed=1
	fi
}
target "summarize >= 10× mtail lines/s" mtail 10
target "summarize >= 20× SEC lines/s" sec 20

echo
echo "== scaling: summarize, same corpus, the job plus rules that never match (placed before the job's), best of $RUNS"
printf '%-8s %10s %8s %8s %8s %12s\n' rules lines/s "wall s" "CPU s" "RSS MB" "vs 10 rules"
base=
for n in 10 100 500; do
	"$WORK/genrules" -n "$n" >"$WORK/rules$n.yaml"
	measure "$RUNS" "$in" -- bin/summarize --rules "$WORK/rules$n.yaml" --clock event --tz UTC --syslog none --json /dev/stdout
	"$WORK/peertotals" --quiet --logtally "$WORK/out" --sec "$WORK/results/sec.out" || {
		echo "bench-peers: with $n rules summarize's totals differ from the job's" >&2
		exit 1
	}
	r=$(rate "$LINES" "$WALL")
	[ -z "$base" ] && base=$r
	printf '%-8s %10s %8s %8s %8s %12s\n' "$n" "$r" "$WALL" "$CPU" "$((RSS / 1024))" "$(awk -v a="$r" -v b="$base" 'BEGIN{printf "%.2f", a/b}')"
done
slow=$(awk -v a="$base" -v b="$r" 'BEGIN{printf "%.2f", a/b}')
if awk -v s="$slow" 'BEGIN{exit !(s <= 2)}'; then
	echo "target 500 rules at most 2× slower than 10: ${slow}× — met"
else
	echo "target 500 rules at most 2× slower than 10: ${slow}× — NOT met"
	missed=1
fi
echo "rule files: bench/cmd/genrules -n N (totals checked against SEC's for each)"

echo
echo "== line length: summarize with bench/peers/job.yaml, best of $RUNS"
long=$(corpus mixed-traditional-pad1024 "$LONG_LINES" --format traditional --pad-to 1024)
printf '%-26s %10s %8s %8s %8s %8s\n' corpus lines/s "MB/s" "wall s" "CPU s" "RSS MB"
for c in "short:$in:$LINES" "long:$long:$LONG_LINES"; do
	IFS=: read -r label f n <<<"$c"
	measure "$RUNS" "$f" -- bin/summarize --rules bench/peers/job.yaml --clock event --tz UTC --syslog none --json /dev/stdout
	mbs=$(awk -v b="$(stat -c %s "$f")" -v s="$WALL" 'BEGIN{printf "%.1f", b/1048576/(s>0?s:0.005)}')
	printf '%-26s %10s %8s %8s %8s %8s\n' "$label ($(avg_bytes "$f") B/line)" "$(rate "$n" "$WALL")" "$mbs" "$WALL" "$CPU" "$((RSS / 1024))"
done
echo "long corpus: bin/loggen -n $LONG_LINES --seed $SEED --format traditional --pad-to 1024"
if [ "$missed" -ne 0 ] && [ "$STRICT" = 1 ]; then
	exit 1
fi
