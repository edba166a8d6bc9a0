#!/usr/bin/env bash
# gotest.sh runs `go test -v ARGS...` and prints the package lines (and the
# whole log of a failing run). It fails when a test fails and also when any
# test skipped: `make test` is the tier that runs everything, so a skip there
# means a missing dependency or a forgotten guard, never a pass. Tests that
# need a system program skip only under -short (internal/testenv); the
# allowlist below names any other skip that is deliberate — today none.
#
# usage: scripts/gotest.sh [go test flags] PACKAGES...
set -euo pipefail
allowed_skips='^$' # extended regexp over test names; none allowed
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
go test -v "$@" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	grep -Ev '^\s*(=== (RUN|PAUSE|CONT|NAME)|--- PASS)' "$log" >&2 || true
	exit "$status"
fi
grep -E '^(ok|FAIL|\?) ' "$log" | grep -v '\[no test files\]' || true
skips=$(grep -E '^\s*--- SKIP: ' "$log" | sed -E 's/^\s*--- SKIP: ([^ ]+).*/\1/' | grep -Ev "$allowed_skips" || true)
if [ -n "$skips" ]; then
	echo "gotest: these tests skipped; make test runs every test (install what they need: make deps):" >&2
	grep -E -B1 '^\s*--- SKIP: ' "$log" | grep -Ev '^(=== |--$)' >&2
	exit 1
fi
