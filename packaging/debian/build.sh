#!/usr/bin/env bash
# Builds pathway-gateway_<version>_<arch>.deb with dpkg-deb, no debhelper:
#   packaging/debian/build.sh [--binary PATH] [--out DIR]
# --binary: package this executable instead of building one. Without it, a release binary is built
#   as the Dockerfile builds it (Swift runtime linked statically, so the package depends on Debian's
#   libxml2, SQLite and OpenSSL only). CI passes its debug build to save the release build's minutes;
#   such a package runs only where the Swift toolchain is installed (it links the runtime dynamically).
# Contents: /usr/bin/pathway-gateway, /usr/share/pathway-gateway/Schemas, the default configuration
# /etc/pathway-gateway/pathway-gateway.json (a conffile; the sample partners, spool under
# /var/lib/pathway-gateway), the systemd unit, docs in /usr/share/doc/pathway-gateway; postinst
# creates the system user pathway-gateway. The version is what the binary reports (BuildInfo.version).
set -euo pipefail
root_dir="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root_dir/packaging/debian"
binary=""
out="$root_dir/.build/debian"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$binary" ]; then
  (cd "$root_dir" && swift build -c release --static-swift-stdlib --product pathway-gateway)
  binary="$root_dir/.build/release/pathway-gateway"
fi
[ -x "$binary" ] || { echo "no executable at $binary" >&2; exit 2; }
version="$("$binary" --version | awk '{print $2}')"
[ -n "$version" ] || { echo "$binary --version printed no version" >&2; exit 2; }
arch="$(dpkg --print-architecture)"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/pathway-gateway"
install -D -m 0755 "$binary" "$pkg/usr/bin/pathway-gateway"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$pkg/usr/bin/pathway-gateway"
mkdir -p "$pkg/usr/share/pathway-gateway"
cp -R "$root_dir/Schemas" "$pkg/usr/share/pathway-gateway/Schemas"
find "$pkg/usr/share/pathway-gateway" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
# The sample configuration with the spool where the unit's StateDirectory puts it.
install -d -m 0755 "$pkg/etc/pathway-gateway"
sed 's|"spool": "spool"|"spool": "/var/lib/pathway-gateway/spool"|' "$root_dir/samples/pathway-gateway.json" \
  > "$pkg/etc/pathway-gateway/pathway-gateway.json"
chmod 0644 "$pkg/etc/pathway-gateway/pathway-gateway.json"   # 0640 root:pathway-gateway by postinst
grep -q '"/var/lib/pathway-gateway/spool"' "$pkg/etc/pathway-gateway/pathway-gateway.json"
# The unit, with the package's paths.
install -d -m 0755 "$pkg/lib/systemd/system"
sed 's|/usr/local/bin/pathway-gateway|/usr/bin/pathway-gateway|g' "$root_dir/samples/pathway-gateway.service" \
  | grep -v -e '^#   ' > "$pkg/lib/systemd/system/pathway-gateway.service"
chmod 0644 "$pkg/lib/systemd/system/pathway-gateway.service"
# Docs: the unit's Documentation= points at operations.md.
doc="$pkg/usr/share/doc/pathway-gateway"
install -d -m 0755 "$doc"
install -m 0644 "$root_dir/docs/operations.md" "$root_dir/docs/scaling.md" "$root_dir/README.md" "$doc/"
install -m 0644 "$here/copyright" "$doc/copyright"
{
  echo "pathway-gateway ($version) unstable; urgency=medium"
  echo
  echo "  * Release $version, built from the repository by packaging/debian/build.sh."
  echo
  echo " -- PathwayGateway maintainers <maintainers@pathway-gateway.invalid>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")"
} | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# Control files.
install -d -m 0755 "$pkg/DEBIAN"
size="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: pathway-gateway
Version: $version
Architecture: $arch
Maintainer: PathwayGateway maintainers <maintainers@pathway-gateway.invalid>
Installed-Size: $size
Depends: libc6 (>= 2.36), libgcc-s1, libstdc++6, libxml2 (>= 2.9.14), libsqlite3-0 (>= 3.40.1), libssl3 (>= 3.0.0), tzdata, adduser
Section: net
Priority: optional
Description: patient-pathway message gateway between hospitals and municipalities
 PathwayGateway carries Norway's patient-pathway (pakkeforloep) Dialogmelding
 messages between hospital EPJ systems and municipalities through a file spool:
 it validates them, routes them to the municipal contact point and answers every
 message with an AppRec, never losing or duplicating one.
CONTROL
echo "/etc/pathway-gateway/pathway-gateway.json" > "$pkg/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "$here/$script" "$pkg/DEBIAN/$script"; done
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/pathway-gateway_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
