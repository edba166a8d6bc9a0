#!/usr/bin/env bash
# bench.sh — `make bench`: summarize on a reproducible 1M-line mixed corpus
# (every daemon of the corpus generator), read on stdin with the example
# rule files of those six daemons merged into one, as omprog would feed it. Prints
# lines/s, CPU seconds and peak RSS (best of RUNS runs), then runs
# scripts/bench-aireport.sh when it exists.
#
# env: LINES (1000000), SEED (1), RUNS (3), BENCH_CACHE (/tmp/logtally-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
LINES=${LINES:-1000000}
bench_init

rules="$WORK/mixed.yaml"
# The six daemons of the corpus generator, one example each.
"$WORK/genrules" --merge examples/{asa,sshd,postfix,cron,kernel,nginx}/rules.yaml >"$rules"
bin/summarize --check "$rules" >/dev/null

echo "== make bench: summarize, $LINES lines, the six daemon examples merged ($(grep -c '^      - name:' "$rules") rules in $(grep -c '^  - name:' "$rules") categories), best of $RUNS"
load_note
printf '%-34s %10s %8s %12s %8s %11s\n' "corpus (format, mean line)" "lines/s" "wall s" "CPU s" "MB/s" "peak RSS MB"
status=0
for format in file traditional; do
	in=$(corpus "mixed-$format" "$LINES" --format "$format")
	measure "$RUNS" "$in" -- bin/summarize --rules "$rules" --clock event --tz UTC --syslog none --json "$WORK/summaries.jsonl"
	r=$(rate "$LINES" "$WALL")
	mbs=$(awk -v b="$(stat -c %s "$in")" -v s="$WALL" 'BEGIN{printf "%.1f", b/1048576/(s>0?s:0.005)}')
	printf '%-34s %10s %8s %12s %8s %11s\n' "mixed $format ($(avg_bytes "$in") B)" "$r" "$WALL" "$CPU" "$mbs" "$((RSS / 1024))"
	rm -f "$WORK/summaries.jsonl"
	if [ "$r" -lt 500000 ] || [ "$RSS" -ge $((200 * 1024)) ]; then
		status=1
	fi
done
echo "command: bin/summarize --rules MERGED --clock event --tz UTC --syslog none --json FILE < CORPUS"
echo "         (MERGED = bench/cmd/genrules --merge examples/{asa,sshd,postfix,cron,kernel,nginx}/rules.yaml; CORPUS = bin/loggen -n $LINES --seed $SEED --format FORMAT)"
if [ "$status" -eq 0 ]; then
	echo "targets (>= 500000 lines/s, peak RSS < 200 MB): met"
else
	echo "targets (>= 500000 lines/s, peak RSS < 200 MB): NOT met"
fi

# Memory is bounded by the sketches, not by the keys: one minute with a
# million distinct URLs (every URL new) through the ASA example.
echo
echo "== memory bound: 1M distinct URL keys in one minute (examples/asa/rules.yaml)"
in=$(corpus "unique-urls" 2000000 --mix asa=1 --unique-urls --per-minute 2000000)
measure 1 "$in" -- bin/summarize --rules examples/asa/rules.yaml --clock event --tz UTC --syslog none --kv "$WORK/kv"
distinct=$(grep -o 'urls_accessed_distinct=[0-9]*' "$WORK/kv" | head -1)
printf 'peak RSS %s MB, %s (true: %s), %s s\n' "$((RSS / 1024))" "$distinct" \
	"$(awk '/Accessed URL/{print $NF}' "$in" | sort -u | wc -l)" "$WALL"
if [ "$RSS" -ge $((100 * 1024)) ]; then
	echo "target (peak RSS < 100 MB with 1M distinct keys): NOT met"
	status=1
else
	echo "target (peak RSS < 100 MB with 1M distinct keys): met"
fi

if [ -x scripts/bench-aireport.sh ]; then
	echo
	scripts/bench-aireport.sh
fi
