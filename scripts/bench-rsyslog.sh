#!/usr/bin/env bash
# bench-rsyslog.sh: messages per second through a real rsyslogd (the
# example config, examples/rsyslog/logtally.conf) into summarize and into a
# trivial child that only answers OK, with confirmations on and off, side
# by side; then the fan-out config (examples/scale-out/fanout.conf, two
# summarize children) against one child, confirmations on. Each run gets
# its own rsyslogd, config and sockets in a temp dir
# (integration/bench_test.go); the system rsyslog is not touched.
#
# usage: scripts/bench-rsyslog.sh [ROUNDS]
#   LOGTALLY_BENCH_LINES=N   lines per run with confirmations (6N without);
#                            default 150000 (below the example queue's
#                            high watermark: longer streams measure
#                            rsyslog's disk queue, not the child)
#   LOGTALLY_BENCH_ARGS=...  extra summarize flags (e.g. "--workers 1")
#   LOGTALLY_BENCH_CONFIRM=on|off  only that half (of the first table)
#   LOGTALLY_BENCH_CASES=children|fanout  only that table (default both)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
if ! command -v rsyslogd >/dev/null 2>&1 && [ ! -x /usr/sbin/rsyslogd ]; then
	echo "bench-rsyslog: rsyslogd not found: run make deps" >&2
	exit 1
fi
export LOGTALLY_BENCH_ROUNDS=${1:-${LOGTALLY_BENCH_ROUNDS:-3}}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
case ${LOGTALLY_BENCH_CASES:-both} in
children) run='^TestBenchRsyslog$' ;;
fanout) run='^TestBenchRsyslogFanout$' ;;
*) run='^TestBenchRsyslog(Fanout)?$' ;;
esac
if ! go test -tags benchrsyslog -count=1 -timeout 60m -run "$run" -v ./integration >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
grep -E 'bench_test.go:[0-9]+: .*msg/s' "$log" | sed 's/^ *bench_test.go:[0-9]*: /  /'
sed -n '/^rsyslog → omprog/,/^off/p' "$log"
grep -E '^fan-out round' "$log" || true
sed -n '/^fan-out: rsyslog/,/^ratio /p' "$log"
