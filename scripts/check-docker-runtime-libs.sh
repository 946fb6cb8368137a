#!/usr/bin/env bash
# Checks, without a Docker engine, that the Dockerfile's runtime stage provides every shared library
# the release binary needs: builds the binary as the build stage does, lists its libraries with ldd,
# maps each to its Debian package with dpkg -S, and compares with the packages the runtime stage
# gets: those named in its `apt-get install` plus the base image's (debian:bookworm-slim is Debian's
# minbase: Essential and Priority "required" packages), each with its Depends closure.
# Needs a Debian bookworm host (the same release as the runtime image) with apt lists present.
# Usage: scripts/check-docker-runtime-libs.sh [BINARY]   (default: build .build/release/pathway-gateway)
# DOCKERFILE=path checks another Dockerfile (default ./Dockerfile).
# Exit 0 when every library is provided, 1 when one is not, 2 when the check cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-}"
if [ -z "$binary" ]; then
  swift build -c release --static-swift-stdlib --product pathway-gateway >&2
  binary=.build/release/pathway-gateway
fi
[ -x "$binary" ] || { echo "no executable at $binary" >&2; exit 2; }
grep -q 'VERSION_CODENAME=bookworm' /etc/os-release || echo "warning: host is not bookworm; package names may differ" >&2

# 1. The runtime stage's packages, as written in the Dockerfile (the apt-get install after the last FROM).
runtime_packages=$(awk '/^FROM /{stage=$0; buf=""} {buf=buf"\n"$0} END{print buf}' "${DOCKERFILE:-Dockerfile}" \
  | tr '\\' ' ' | tr '\n' ' ' | grep -o 'apt-get install[^&;]*' | head -1 \
  | tr ' ' '\n' | grep -v -e '^$' -e '^-' -e '^apt-get$' -e '^install$' | sed 's/=.*//' | sort -u)
[ -n "$runtime_packages" ] || { echo "cannot find the runtime stage's apt-get install in Dockerfile" >&2; exit 2; }

# 2. Minbase: what debian:bookworm-slim starts from.
base_packages=$(apt-cache dumpavail | awk 'BEGIN{RS="";FS="\n"} {
    pkg=""; pri=""; ess=""
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^Package: /) pkg = substr($i, 10)
      if ($i ~ /^Priority: /) pri = substr($i, 11)
      if ($i ~ /^Essential: /) ess = substr($i, 12)
    }
    if (pri == "required" || ess == "yes") print pkg
  }' | sort -u)

# 3. Everything installed in the runtime image: the closure of both sets over Depends/Pre-Depends.
closure() {
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances "$@" 2>/dev/null | grep -v '^ ' | grep -v '^<' | sed 's/:amd64$//' | sort -u
}
# shellcheck disable=SC2086
provided=$(closure $runtime_packages $base_packages)

# 4. What the binary needs: each ldd library → its package.
status=0
echo "library → package (provided by)"
while read -r lib; do
  pkg=""
  for candidate in "$lib" "$(readlink -f "$lib")" "/usr$lib" "${lib#/usr}"; do
    pkg=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
  done
  if [ -z "$pkg" ]; then
    echo "  $lib → no Debian package owns it" ; status=1; continue
  fi
  if grep -qx "$pkg" <<<"$runtime_packages"; then via="Dockerfile apt-get install"
  elif grep -qx "$pkg" <<<"$base_packages"; then via="base image"
  elif grep -qx "$pkg" <<<"$provided"; then via="dependency of the above"
  else via="MISSING from the runtime stage"; status=1
  fi
  echo "  $lib → $pkg ($via)"
done < <(ldd "$binary" | awk '/=>/ {print $3} /^\t\/.*ld-linux/ {print $1}' | sort -u)

# 5. Swift runtime: nothing may come from the toolchain (it is linked statically).
if ldd "$binary" | grep -E 'libswift|libFoundation|libdispatch|/opt/swift|/usr/share/swift'; then
  echo "the binary links Swift runtime libraries dynamically; build with --static-swift-stdlib" >&2; status=1
fi
# 6. For the record: what the runtime stage installs.
echo "runtime stage installs: $(echo $runtime_packages)"
[ "$status" -eq 0 ] && echo "ok: every library the binary needs is in the runtime image" || echo "FAILED" >&2
exit "$status"
