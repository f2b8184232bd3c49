#!/usr/bin/env bash
# Start-up of provider binaries, side by side: each run starts the binary
# as OpenTofu does (go-plugin environment, no TLS), reads its handshake
# line, calls GetProviderSchema and shuts it down (tests/provider/
# plugin_probe). Runs alternate between the binaries so that a change in
# the machine's load hits both; prints the median and the range of each,
# in milliseconds.
#
#   cmake --build --preset ci --target plugin_probe
#   bench/startup.sh RUNS BINARY...
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${1:?usage: bench/startup.sh RUNS BINARY...}"
shift
(($# > 0)) || { echo "usage: bench/startup.sh RUNS BINARY..." >&2; exit 2; }
PROBE="${PLUGIN_PROBE:-build/ci/tests/provider/plugin_probe}"
[[ -x "$PROBE" ]] || { echo "startup: build plugin_probe first (cmake --build --preset ci --target plugin_probe)" >&2; exit 1; }

declare -A times
for ((r = 0; r < RUNS; r++)); do
  for bin in "$@"; do
    start=$(date +%s%N)
    "$PROBE" "$bin" >/dev/null 2>&1
    end=$(date +%s%N)
    times[$bin]+="$(((end - start) / 1000)) "
  done
done
for bin in "$@"; do
  # shellcheck disable=SC2086 # the list is numbers, split on purpose
  printf '%s\n' ${times[$bin]} | sort -n | awk -v bin="$bin" -v size="$(stat -c %s "$bin")" '
    { v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%s: %d bytes, median %.1f ms (range %.1f-%.1f ms, %d runs)\n",
        bin, size, m / 1000, v[1] / 1000, v[NR] / 1000, NR
    }'
done
