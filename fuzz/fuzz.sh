#!/usr/bin/env bash
# libFuzzer over parse + validate (both policies) + decode + the whole per-message decision
# (MessageProcessor.plan), with the properties of Tests/PathwayGatewayTests/PipelineOracle.swift
# as the oracle. docs/proof.md has the results and how to turn a crash into a regression test.
#
#   fuzz/fuzz.sh build              compile .build/fuzz/pathway-gateway-fuzz (-O, libFuzzer + ASan)
#   fuzz/fuzz.sh run [SECONDS]      fuzz (default 600 s) on a persistent corpus in .build/fuzz/corpus,
#                                   seeded from ../shared/conformance/samples, samples/messages,
#                                   Tests/HostileCorpus and Tests/FuzzRegressions; crashes go to
#                                   .build/fuzz/artifacts/; extra arguments go to libFuzzer
#   fuzz/fuzz.sh ci [SECONDS]       build, then a short run (default 60 s); exit 1 on any crash
#   fuzz/fuzz.sh repro FILE...      run the given inputs once each (no fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/fuzz
binary=$out/pathway-gateway-fuzz

build() {
  mkdir -p "$out"
  local xml_flags=()
  for flag in $(pkg-config --cflags libxml-2.0); do xml_flags+=(-Xcc "$flag"); done
  # One module: the library sources, the shared oracle and the entry point. -D PATHWAY_GATEWAY_FUZZ
  # drops the oracle's `@testable import` (it is part of the module here).
  mapfile -t sources < <(find Sources/PathwayGateway -name '*.swift' | sort)
  echo "fuzz: compiling ${#sources[@]} library sources + oracle + entry point (swiftc -O -sanitize=fuzzer,address)"
  swiftc -O -wmo -parse-as-library -swift-version 6 -module-name PathwayGateway -D PATHWAY_GATEWAY_FUZZ \
    -sanitize=fuzzer,address -use-ld=lld \
    -I Sources/CLibXML2 -I Sources/CSQLite -I Sources/CCrypto -I Sources/CSystem "${xml_flags[@]}" \
    "${sources[@]}" Tests/PathwayGatewayTests/PipelineOracle.swift fuzz/FuzzEntry.swift \
    -o "$binary"
}

seed() {
  mkdir -p "$out/corpus" "$out/artifacts"
  local dirs=(samples/messages Tests/HostileCorpus Tests/FuzzRegressions ../shared/conformance/samples)
  for dir in "${dirs[@]}"; do
    [ -d "$dir" ] || { echo "fuzz: note: seed directory $dir not found, skipped"; continue; }
    find "$dir" -maxdepth 1 -type f ! -name '*.tsv' ! -name '*.md' -size -1000k -exec cp -n {} "$out/corpus/" \;
  done
  echo "fuzz: corpus $out/corpus holds $(find "$out/corpus" -type f | wc -l) inputs"
}

# The Swift runtime's own crash handler fights ASan's over a crashing input: off.
export SWIFT_BACKTRACE=enable=no
export PATHWAY_GATEWAY_SCHEMAS="$PWD/Schemas"

run() {
  local seconds=$1; shift
  seed
  # -rss_limit_mb: the parser bounds its own memory; more than 2 GB is a finding.
  # -timeout: one input over 10 s is a finding (quadratic behaviour).
  "$binary" "$out/corpus" -dict=fuzz/xml.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=131072 -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@"
}

case "${1:-}" in
  build) build ;;
  run) shift; [ -x "$binary" ] || build; run "${1:-600}" "${@:2}" ;;
  ci)
    # A toolchain without the libFuzzer runtime (or a platform without it) skips, saying so.
    probe=$(mktemp -d)
    printf '@_cdecl("LLVMFuzzerTestOneInput") public func f(_ d: UnsafePointer<UInt8>?, _ n: Int) -> Int32 { 0 }\n' > "$probe/p.swift"
    if ! swiftc -parse-as-library -sanitize=fuzzer "$probe/p.swift" -o "$probe/p" >/dev/null 2>&1; then
      rm -rf "$probe"
      echo "fuzz: SKIPPED: this Swift toolchain cannot build a libFuzzer target (swiftc -sanitize=fuzzer failed)"
      exit 0
    fi
    rm -rf "$probe"
    build
    run "${2:-60}" -jobs=1 2>&1 | tee "$out/ci.log" | grep -E '^#[0-9]+ +(INITED|DONE|pulse)|stat::|ERROR|oracle|SUMMARY' || true
    if grep -qE 'ERROR: (libFuzzer|AddressSanitizer)|oracle violated' "$out/ci.log"; then
      echo "fuzz: FAILED; the crashing input is in $out/artifacts/ (see docs/proof.md: turn it into a regression test)"
      exit 1
    fi
    echo "fuzz: no crash in ${2:-60} s"
    ;;
  repro) shift; [ -x "$binary" ] || build; "$binary" "$@" ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
