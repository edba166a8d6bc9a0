#!/usr/bin/env bash
# demo.sh runs summarize on every shipped example (examples/<name>/sample.log
# with examples/<name>/rules.yaml), replaying the sample on its own
# timestamps, and shows the per-minute summaries it produced — the same
# key=value lines summarize sends to syslog — plus the top-N files.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/logtally-demo.XXXXXX)
for dir in examples/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	[ -f "$dir/rules.yaml" ] && [ -f "$dir/sample.log" ] || continue
	mkdir -p "$out/$name"
	echo "== $name: $(wc -l <"$dir/sample.log") lines of $dir/sample.log, rules $dir/rules.yaml"
	bin/summarize --rules "$dir/rules.yaml" --clock event --syslog none \
		--kv - --json "$out/$name/summaries.jsonl" --top-dir "$out/$name/top" \
		--prom "$out/$name/logtally.prom" --spool-dir "$out/$name/spool" <"$dir/sample.log"
	for f in "$out/$name"/top/*; do
		[ -f "$f" ] || continue
		echo "-- top file $(basename "$f") (first 5 lines):"
		head -n 5 "$f"
	done
	echo
done
echo "== the unknown-line report (aireport) of what no rule claimed above"
bin/aireport "$out"/*/spool | head -n 30
echo
echo "All outputs (JSON lines, top-N files, Prometheus textfile, unknown spool) are in $out"
