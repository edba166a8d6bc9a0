#!/usr/bin/env bash
# bench-templates.sh — aireport's template mode (default flags, JSON
# report) against the same command built from an earlier revision, on one
# generated mixed input:
#
#   gencorpus -lines $LINES -templates 1000 -values 100 -seed 1 (nasty lines)
#   aireport -f json -o /dev/null --progress never in.log
#
# The two binaries take turns, RUNS times each (a shared host drifts by a
# third within minutes: never time one after the other). Prints per binary
# the CPU time (user+sys) min and median, peak RSS min..max, the load
# average before and after, the change in CPU of the current tree against
# BASE, and whether both wrote the same report (the "generated" time
# aside; they differ when BASE groups differently).
#
# Environment: BASE (8d34484: the revision before the grouping work of
# issue 14), LINES (1000000), RUNS (10).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:-8d34484}
LINES=${LINES:-1000000}
RUNS=${RUNS:-10}
GO=${GO:-go}
if [[ ! -x /usr/bin/time ]]; then
	echo "bench-templates: GNU time (/usr/bin/time) is missing: make deps-bench" >&2
	exit 1
fi

work=$(mktemp -d)
cleanup() {
	git worktree remove --force "$work/base-src" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
CGO_ENABLED=0 $GO build -o "$work/new" ./cmd/aireport
git worktree add --quiet --detach "$work/base-src" "$BASE"
(cd "$work/base-src" && CGO_ENABLED=0 $GO build -o "$work/base" ./cmd/aireport)
git worktree remove --force "$work/base-src"
$GO run ./internal/aireport/corpus/gencorpus -lines "$LINES" -templates 1000 -values 100 -seed 1 >"$work/in.log"

echo "input: $LINES lines, $(du -m "$work/in.log" | cut -f1) MB (gencorpus -lines $LINES -templates 1000 -values 100 -seed 1)"
echo "machine: $(nproc) CPUs, load average before $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$RUNS"); do
	for b in base new; do
		/usr/bin/time -f '%U %S %M' -a -o "$work/$b.times" \
			"$work/$b" -f json -o "$work/$b.json" --progress never "$work/in.log"
	done
done
echo "machine: load average after $(cut -d' ' -f1-3 /proc/loadavg)"

# stats NAME: "min median" CPU seconds and "min..max" RSS MB of NAME's runs
stats() {
	awk '{print $1 + $2, $3}' "$work/$1.times" | sort -n | awk '
		{ c[NR] = $1; r = $2 / 1024; if (NR == 1 || r < rmin) rmin = r; if (r > rmax) rmax = r }
		END { m = (NR % 2) ? c[(NR + 1) / 2] : (c[NR / 2] + c[NR / 2 + 1]) / 2
		      printf "%.3f %.3f %.0f..%.0f\n", c[1], m, rmin, rmax }'
}
read -r bmin bmed brss < <(stats base)
read -r nmin nmed nrss < <(stats new)
printf '  %-28s CPU min %.3f s, median %.3f s; peak RSS %s MB\n' "base ($BASE)" "$bmin" "$bmed" "$brss"
printf '  %-28s CPU min %.3f s, median %.3f s; peak RSS %s MB\n' "this tree" "$nmin" "$nmed" "$nrss"
awk -v a="$bmin" -v b="$nmin" -v c="$bmed" -v d="$nmed" -v r="$RUNS" \
	'BEGIN{printf "  change: %+.1f %% (min), %+.1f %% (median), %d alternating runs each; target within 10 %%\n", 100*(b/a-1), 100*(d/c-1), r}'
if cmp -s <(grep -v '"generated"' "$work/base.json") <(grep -v '"generated"' "$work/new.json"); then
	echo "  reports: identical"
else
	echo "  reports: different (expected when BASE predates a grouping change; $(grep -c '"key"' "$work/base.json") vs $(grep -c '"key"' "$work/new.json") groups)"
fi
