#!/bin/bash
# Instructions the real daemon spends draining 1,000 generated files (`pathway-gateway run --once`
# under valgrind --tool=callgrind): a CPU figure that does not move with this VM's speed, unlike
# msgs/s and CPU seconds (docs/benchmarks.md). Usage: bench/callgrind.sh [BINARY] [LABEL]
# (default: .build/release/pathway-gateway). Leaves /tmp/callgrind-LABEL.out for callgrind_annotate.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/.build/release/pathway-gateway}; LABEL=${2:-run}
WORK=$(mktemp -d /dev/shm/pg-callgrind.XXXXXX); trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" "$ROOT" <<'PY'
import json, sys
work, root = sys.argv[1], sys.argv[2]
config = json.load(open(f"{root}/samples/pathway-gateway.json"))
config["spool"], config["schemas"] = f"{work}/spool", f"{root}/Schemas"
json.dump(config, open(f"{work}/config.json", "w"))
PY
"$BIN" run --once --config "$WORK/config.json" >/dev/null 2>&1   # creates the spool
"$ROOT/.build/release/gateway-bench" generate --count 1000 --dir "$WORK/traffic" --seed 1 >/dev/null
tail -n +2 "$WORK/traffic/manifest.tsv" | cut -f1 | while read -r file; do
  mkdir -p "$WORK/spool/inbound/$(dirname "$file")"; mv "$WORK/traffic/$file" "$WORK/spool/inbound/$file"
done
valgrind --tool=callgrind --callgrind-out-file="/tmp/callgrind-$LABEL.out" "$BIN" run --once --config "$WORK/config.json" \
  2>&1 >/dev/null | grep "refs:" | sed "s/.*refs: */$LABEL: instructions for 1,000 files: /"
