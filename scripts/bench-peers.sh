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
# Then the high-cardinality job (job-hc.*: URL hits by server+path, ~30,000
# distinct keys a minute) on its own corpus, summarize with --workers 1 and 2.
#
# env: LINES (2000000), HC_LINES (500000), SEED (1), RUNS (3: best-of for summarize),
#      PEER_RUNS (1: best-of for sec and mtail), LONG_LINES (LINES),
#      BENCH_CACHE (/tmp/logtally-bench: corpora are kept there by seed),
#      STRICT (1: exit 1 when a target is missed)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
LINES=${LINES:-2000000}
PEER_RUNS=${PEER_RUNS:-1}
LONG_LINES=${LONG_LINES:-$LINES}
HC_LINES=${HC_LINES:-500000}
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
base_cpu=${cpu[logtally]}

# The high-cardinality job (issue 18): ASA URL hits in a top table by
# server+path (~30,000 distinct keys a minute), servers, sshd logins.
# Counting the big table dominates; summarize counts it on --workers key
# counters. Targets in CPU seconds (same run), and --workers 2 against 1 in
# wall time.
hc=$(corpus hc-traditional "$HC_LINES" --format traditional --mix asa=80,sshd=20 --per-minute 150000 --urls 100000)
echo
echo "== high-cardinality job: a top table by server+path, $HC_LINES lines (loggen --seed $SEED --mix asa=80,sshd=20 --per-minute 150000 --urls 100000, $(avg_bytes "$hc") B/line)"
load_note
mkdir -p "$WORK/mtail-hc" && cp bench/peers/job-hc.mtail "$WORK/mtail-hc/"
declare -A hwall hcpu hrss
run_hc() { # name runs command...
	local name=$1 runs=$2
	shift 2
	measure "$runs" "$hc" -- "$@"
	hwall[$name]=$WALL hcpu[$name]=$CPU hrss[$name]=$RSS
	cp "$WORK/out" "$WORK/results/hc-$name.out"
}
echo "running summarize --workers 1 and --workers 2 (best of $RUNS each)..."
for w in 1 2; do
	run_hc "logtally-w$w" "$RUNS" bin/summarize --rules bench/peers/job-hc.yaml --clock event --tz UTC --syslog none --json /dev/stdout --workers "$w"
done
echo "running mtail --one_shot (best of $PEER_RUNS)..."
run_hc mtail "$PEER_RUNS" mtail --one_shot --one_shot_format json --logtostderr --progs "$WORK/mtail-hc" --logs "$hc"
echo "running sec --notail (best of $PEER_RUNS)..."
run_hc sec "$PEER_RUNS" sec --conf=bench/peers/job-hc.sec --input="$hc" --notail --intevents --log=/dev/null
echo
if ! cmp -s "$WORK/results/hc-logtally-w1.out" "$WORK/results/hc-logtally-w2.out"; then
	echo "bench-peers: summarize's JSON differs between --workers 1 and --workers 2" >&2
	exit 1
fi
echo "summarize --workers 1 and --workers 2: byte-identical JSON"
"$WORK/peertotals" --tops servers=http_connections,users=ssh_accepted,urls=url_hits \
	--logtally "$WORK/results/hc-logtally-w2.out" --sec "$WORK/results/hc-sec.out" --mtail "$WORK/results/hc-mtail.out"
echo
printf '%-20s %10s %8s %8s %8s %14s\n' tool lines/s "wall s" "CPU s" "RSS MB" "×CPU of w2"
for t in logtally-w1 logtally-w2 mtail sec; do
	xc=$(awk -v a="${hcpu[$t]}" -v b="${hcpu[logtally-w2]}" 'BEGIN{printf "%.1f×", a/(b>0?b:0.005)}')
	printf '%-20s %10s %8s %8s %8s %14s\n' "$t" "$(rate "$HC_LINES" "${hwall[$t]}")" "${hwall[$t]}" "${hcpu[$t]}" "$(awk -v k="${hrss[$t]}" 'BEGIN{printf "%.1f", k/1024}')" "$xc"
done
echo "commands: bin/summarize --rules bench/peers/job-hc.yaml --clock event --tz UTC --syslog none --json /dev/stdout --workers 1|2 < CORPUS"
echo "          mtail ... --progs DIR_WITH_job-hc.mtail --logs CORPUS; sec --conf=bench/peers/job-hc.sec --input=CORPUS --notail --intevents --log=/dev/null"
echo "          (CORPUS = $hc)"
hc_target() { # label got factor
	if awk -v g="$2" -v f="$3" 'BEGIN{exit !(g >= f)}'; then
		echo "target $1: $2 — met"
	else
		echo "target $1: $2 — NOT met"
		missed=1
	fi
}
hc_target "summarize >= 30× less CPU than mtail" "$(awk -v a="${hcpu[mtail]}" -v b="${hcpu[logtally-w2]}" 'BEGIN{printf "%.1f", a/(b>0?b:0.005)}')" 30
hc_target "summarize >= 100× less CPU than SEC" "$(awk -v a="${hcpu[sec]}" -v b="${hcpu[logtally-w2]}" 'BEGIN{printf "%.1f", a/(b>0?b:0.005)}')" 100
w21=$(awk -v a="${hwall[logtally-w2]}" -v b="${hwall[logtally-w1]}" 'BEGIN{printf "%.2f", a/(b>0?b:0.005)}')
if awk -v r="$w21" 'BEGIN{exit !(r <= 0.6)}'; then
	echo "target --workers 2 wall <= 0.6× --workers 1: ${w21}× — met"
else
	echo "target --workers 2 wall <= 0.6× --workers 1: ${w21}× — NOT met"
	missed=1
fi
echo "first job, summarize CPU s (compare with earlier runs for regressions): $base_cpu"

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
