#!/usr/bin/env bash
# build-deb.sh turns a `make install` staging tree into logtally's Debian
# package with dpkg-deb (`make deb` runs it; see packaging/README.md).
#
# usage: packaging/build-deb.sh STAGE OUTDIR
#   STAGE   what `make install DESTDIR=STAGE PREFIX=/usr SYSCONFDIR=/etc` installed
#   OUTDIR  where logtally_VERSION_amd64.deb is written
#
# Every file make install staged goes into the package (a new binary joins by
# itself), with three changes Debian wants: man pages gzipped, binaries
# stripped, and the rsyslog snippet moved out of /etc/rsyslog.d to
# /etc/logtally/rsyslog.conf so that it stays inactive until the admin links
# it. The cron and logrotate files come from examples/ with the binaries'
# paths moved to /usr/bin. /var/lib/logtally and /var/log/logtally are made
# by postinst (their group, logtally, does not exist at unpack time).
set -euo pipefail

stage=${1:?usage: build-deb.sh STAGE OUTDIR}
out=${2:?usage: build-deb.sh STAGE OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
maintainer=${DEB_MAINTAINER:-logtally developers <logtally@example.com>}

# Version: VERSION, exact when HEAD carries the tag vVERSION; otherwise a
# snapshot that sorts before it (0.1.0~git20261204.1736.739591d < 0.1.0).
base=$(tr -d ' \n' <"$repo/VERSION")
version=$base
date_epoch=${SOURCE_DATE_EPOCH:-}
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
	commit=$(git -C "$repo" rev-parse --short=7 HEAD)
	date_epoch=${date_epoch:-$(git -C "$repo" log -1 --format=%ct HEAD)}
	if [ "$(git -C "$repo" tag --points-at HEAD "v$base")" != "v$base" ]; then
		version="$base~git$(date -u -d "@$date_epoch" +%Y%m%d.%H%M).$commit"
	fi
	if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
		version="$version.dirty"
	fi
fi
date_epoch=${date_epoch:-$(date +%s)}
export SOURCE_DATE_EPOCH=$date_epoch

root=$(mktemp -d "${TMPDIR:-/tmp}/logtally-deb.XXXXXX")
trap 'rm -rf "$root"' EXIT
pkg=$root/pkg
cp -a "$stage" "$pkg"
chmod 0755 "$pkg"

# The snippet: inactive, a conffile the admin links into /etc/rsyslog.d.
if [ -e "$pkg/etc/rsyslog.d/50-logtally.conf" ]; then
	mv "$pkg/etc/rsyslog.d/50-logtally.conf" "$pkg/etc/logtally/rsyslog.conf"
fi
rmdir "$pkg/etc/rsyslog.d" 2>/dev/null || true
# State and logs: created by postinst with their owners and modes.
rm -rf "$pkg/var/lib/logtally" "$pkg/var/log/logtally"
rmdir "$pkg/var/lib" "$pkg/var/log" "$pkg/var" 2>/dev/null || true

# cron: the example with /usr/bin paths, each job guarded by `[ -x ]` (a
# removed but not purged package keeps its conffiles: Debian policy 9.5.1),
# and no example MAILTO (cron mails root, or whatever the admin sets).
install -d -m 755 "$pkg/etc/cron.d"
sed -E -e 's|^MAILTO=|#MAILTO=|' \
	-e 's#^([^#][^ ]* +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +)/usr/local/bin/([a-z0-9]+)#\1[ -x /usr/bin/\2 ] \&\& /usr/bin/\2#' \
	"$repo/examples/aireport/crontab" >"$pkg/etc/cron.d/logtally-aireport"
if grep -q /usr/local/ "$pkg/etc/cron.d/logtally-aireport"; then
	echo "build-deb: examples/aireport/crontab names /usr/local/ in a way this script does not rewrite" >&2
	exit 1
fi
# logrotate, when the example exists.
if [ -e "$repo/examples/logrotate/logtally" ]; then
	install -D -m 644 "$repo/examples/logrotate/logtally" "$pkg/etc/logrotate.d/logtally"
fi
# Debian's node exporter reads this directory; it is shared with the
# prometheus-node-exporter package (dpkg removes it when neither needs it).
install -d -m 755 "$pkg/var/lib/prometheus/node-exporter"

# rrdtool owns rrdgraph(1) (RRDtool's graph manual): logtally's page for its
# rrdgraph goes to section 1logtally (`man 1logtally rrdgraph`), as Debian
# does with 1ssl and 1p.
for page in rrdgraph; do
	if [ -e "$pkg/usr/share/man/man1/$page.1" ]; then
		sed -i '1s/^\(\.TH [^ ]* \)1 /\11logtally /' "$pkg/usr/share/man/man1/$page.1"
		mv "$pkg/usr/share/man/man1/$page.1" "$pkg/usr/share/man/man1/$page.1logtally"
	fi
done
# Man pages gzipped; binaries stripped as dh_strip does.
find "$pkg/usr/share/man" -type f -name '*.[1-8]*' -exec gzip -9n {} +
for f in "$pkg"/usr/bin/*; do
	if readelf -h "$f" >/dev/null 2>&1; then
		strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f"
	fi
done

doc=$pkg/usr/share/doc/logtally
install -d -m 755 "$doc"
install -m 644 "$here/debian/copyright" "$doc/copyright"
install -m 644 "$here/debian/README.Debian" "$doc/README.Debian"
{
	echo "logtally ($version) unstable; urgency=medium"
	echo
	echo "  * Built from ${commit:+commit }${commit:-a source tree}; the changes are in the"
	echo "    project's git history."
	echo
	echo " -- $maintainer  $(date -u -R -d "@$date_epoch")"
} | gzip -9n >"$doc/changelog.gz"

# Control files.
install -d -m 755 "$pkg/DEBIAN"
install -m 755 "$here/debian/postinst" "$here/debian/postrm" "$pkg/DEBIAN/"
(cd "$pkg" && find etc -type f | sort | sed 's|^|/|') >"$pkg/DEBIAN/conffiles"

# Shared-library dependencies, as dpkg-shlibdeps computes them (it wants a
# debian/control beside it).
elfs=()
for f in "$pkg"/usr/bin/*; do
	if readelf -d "$f" 2>/dev/null | grep -q '(NEEDED)'; then elfs+=("-e$f"); fi
done
shlibs=
if [ ${#elfs[@]} -gt 0 ]; then
	mkdir -p "$root/src/debian"
	printf 'Source: logtally\n\nPackage: logtally\nArchitecture: amd64\n' >"$root/src/debian/control"
	shlibs=$(cd "$root/src" && dpkg-shlibdeps -O "${elfs[@]}" | sed -n 's/^shlibs:Depends=//p')
	if [ -z "$shlibs" ]; then
		echo "build-deb: dpkg-shlibdeps found no dependencies for ${elfs[*]}" >&2
		exit 1
	fi
fi
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@MAINTAINER@|$maintainer|" -e "s|@SIZE@|$size|" \
	-e "s|@SHLIBS@|${shlibs:+$shlibs, }|" "$here/debian/control" >"$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0r md5sum) >"$pkg/DEBIAN/md5sums"

find "$pkg" -exec touch -h -d "@$date_epoch" {} +
mkdir -p "$out"
deb=$out/logtally_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
