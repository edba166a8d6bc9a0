#!/usr/bin/env bash
# deps.sh installs the Debian packages logtally's build, tests and benchmarks
# need, when they are missing. As root it runs apt-get; otherwise it prints
# the exact command and fails, so nothing is half set up.
#
# usage: scripts/deps.sh [test|bench]
set -euo pipefail

# sec: bench/sec_test.go runs the real SEC; prometheus: promtool checks the
# textfile; chromium: the dashboard's browser test; dpkg-dev (dpkg-shlibdeps)
# and lintian: make deb and packaging/'s test; logcheck-database:
# internal/logcheck compares with logcheck; logrotate: examples/ runs the
# logrotate file
want=(rsyslog rrdtool librrd-dev pkg-config gcc sec prometheus chromium dpkg-dev lintian logcheck-database logrotate)
if [ "${1:-test}" = bench ]; then
	want+=(sec mtail hyperfine time)
fi

have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for pkg in "${want[@]}"; do
	have "$pkg" || missing+=("$pkg")
done

if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
	echo "deps: Go is not installed: install Go 1.26+ (https://go.dev/dl) into /usr/local/go" >&2
	exit 1
fi

[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are absent or a first try fails.
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || ! $cmd >/dev/null; then
	apt-get update -qq
	$cmd >/dev/null
fi
# rsyslog's Debian package starts a system daemon; the tests run their own.
