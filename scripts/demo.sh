#!/usr/bin/env bash
# demo.sh runs summarize on every shipped example (examples/<name>/sample.log
# with examples/<name>/rules.yaml), replaying the sample on its own
# timestamps, and shows the per-minute summaries it produced — the same
# key=value lines summarize sends to syslog — plus the top-N files; then
# starts the dashboard on the same examples (and a week of Holt-Winters data
# with an incident) in the background and prints its URL.
#
# DEMO_DASHBOARD=0 skips the dashboard; DEMO_DASHBOARD=fg keeps it in the
# foreground until Ctrl-C; DEMO_PORT (default 8080) is its loopback port.
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

[ "${DEMO_DASHBOARD:-1}" = 0 ] && exit 0
echo
echo "== the dashboard (cmd/dashboard) on the examples and a week of examples/holtwinters"
scripts/dashboard-data.sh "$out/dashboard" bin
args=(--listen "127.0.0.1:${DEMO_PORT:-8080}" --rrd-dir "$out/dashboard/rrd"
	--json "$out/dashboard/summaries.jsonl" --json "$out/dashboard/alerts.jsonl"
	--reports "$out/dashboard/reports" --stale-after 0)
if [ "${DEMO_DASHBOARD:-1}" = fg ]; then
	exec bin/dashboard "${args[@]}"
fi
# In the background, so that make demo ends; its log says where it listens.
nohup bin/dashboard "${args[@]}" >"$out/dashboard.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
	grep -q 'serving' "$out/dashboard.log" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if url=$(grep -o 'http://[^ ]*' "$out/dashboard.log"); then
	echo "Dashboard: $url  (pid $pid, running in the background; stop it with: kill $pid)"
	echo "Pages: overview, /category/web?range=2d (the incident), /alerts, /unknown; JSON under /api (docs/dashboard.md)."
else
	echo "The dashboard did not start (port ${DEMO_PORT:-8080} busy? try DEMO_PORT=8181 make demo):" >&2
	cat "$out/dashboard.log" >&2
	exit 1
fi
