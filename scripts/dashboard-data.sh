#!/usr/bin/env bash
# dashboard-data.sh builds what the dashboard shows in `make demo` and in
# its browser test, from the shipped examples only:
#   - every examples/*/sample.log through one summarize run (one rule file
#     with every example's categories), replayed on the lines' own
#     timestamps: JSON lines, RRD files, top-N files, the unknown spool;
#   - two hostile lines (HTML in a top-N key and in an unknown message) that
#     the dashboard must show as text;
#   - aireport's JSON and HTML reports of the spool, with NEW groups (a first
#     run up to 10:01 fills the state, the second sees the rest as new);
#   - examples/holtwinters: a week of web/errors with an incident, into the
#     same RRD directory, its alert records into alerts.jsonl.
#
# usage: scripts/dashboard-data.sh OUT_DIR [BIN_DIR]   (BIN_DIR default bin/)
set -euo pipefail
out=${1:?usage: dashboard-data.sh OUT_DIR [BIN_DIR]}
bin=${2:-bin}
cd "$(dirname "$0")/.."
mkdir -p "$out/reports"

{
	echo "categories:"
	for f in examples/*/rules.yaml; do
		[ -f "$(dirname "$f")/sample.log" ] || continue
		sed -n '/^categories:/,$p' "$f" | tail -n +2
	done
} >"$out/rules.yaml"

{
	cat examples/*/sample.log
	echo 'Nov 22 10:02:30 app6 CRON[4242]: (root) CMD (<img src=x onerror=alert(1)>)'
	echo 'Nov 22 10:02:31 app6 CRON[4243]: <script>alert(2)</script> "quoted" & <b>bold</b>'
} | LC_ALL=C sort -s -k1,3 >"$out/input.log"

"$bin/summarize" --rules "$out/rules.yaml" --clock event --syslog none --log-level warn \
	--json "$out/summaries.jsonl" --rrd-dir "$out/rrd" --top-dir "$out/top" \
	--spool-dir "$out/spool" <"$out/input.log"

state="$out/aireport.state"
"$bin/aireport" --rules "$out/rules.yaml" --state "$state" --tz UTC --until '2026-11-22 10:01' \
	--progress never -f json -o "$out/reports/first.json" "$out/spool"
rm "$out/reports/first.json"
"$bin/aireport" --rules "$out/rules.yaml" --state "$state" --no-state-update --tz UTC \
	--progress never -f html -o "$out/reports/unknown.html" "$out/spool"
"$bin/aireport" --rules "$out/rules.yaml" --state "$state" --tz UTC \
	--progress never -f json -o "$out/reports/unknown.json" "$out/spool"

go run ./examples/holtwinters --dir "$out/rrd" >"$out/holtwinters.out" 2>"$out/holtwinters.err"
grep '^{' "$out/holtwinters.out" >"$out/alerts.jsonl"
