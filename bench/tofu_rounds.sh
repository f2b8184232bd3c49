#!/usr/bin/env bash
# Paired rounds of bench/tofu_scale.sh, and the ratio table that leads
# docs/benchmarks.md: what one wildside_gitops_tree costs over what
# OpenTofu pays anyway to carry the same map.
#
#   - ROUNDS rounds (default 5) at N files of SIZE bytes (default 10,000 x
#     4 KiB), each running wildside, terraform_data (the map held once in
#     triggers_replace: the floor) and cp_sync (cp -r + sync: the raw cost
#     of writing the files), in an order rotated each round, so that a
#     slow spell of the disk or a busy neighbour falls on every mode alike;
#   - the median of each phase over the rounds, and the ratios:
#       cold apply      wildside / (terraform_data + cp_sync)
#       no-op plan      wildside / terraform_data
#       1 % heal        wildside / terraform_data ("apply, nothing to change")
#   - wildside with checks = "off" (wildside_nochecks) in the same rounds:
#     what the plan-time checks cost in each phase;
#   - local_file against wildside at the sizes in LOCAL_SIZES (default
#     "1000 3000"), one round each (local_file grows much faster than
#     linearly), and a power-law fit extrapolated to N, said as such.
#
# Usage: bench/tofu_rounds.sh [ROUNDS] [N] [SIZE]
#   WILDSIDE_BENCH_MIRROR   the provider mirror (see tofu_scale.sh)
#   LOCAL_SIZES             "" skips the local_file comparison
# Raw rows go to $OUT (default a temp dir, printed) as rows.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS="${1:-5}"
N="${2:-10000}"
SIZE="${3:-4096}"
LOCAL_SIZES="${LOCAL_SIZES-1000 3000}"
OUT="${OUT:-$(mktemp -d /tmp/wildside-rounds-XXXXXX)}"
mkdir -p "$OUT"
ROWS="$OUT/rows.md"
: > "$ROWS"
echo "rounds: raw rows in $ROWS" >&2

run() {  # run ROUND N SIZE MODE: appends "ROUND | row" lines
  local round=$1 n=$2 size=$3 mode=$4
  echo "rounds: round $round: $mode at $n x $size" >&2
  "$ROOT/bench/tofu_scale.sh" "$n" "$size" "$mode" | grep "^| $mode " | sed "s/^/$round /" >> "$ROWS"
}

modes=(wildside terraform_data cp_sync wildside_nochecks)
for ((r = 1; r <= ROUNDS; r++)); do
  for ((i = 0; i < ${#modes[@]}; i++)); do
    run "$r" "$N" "$SIZE" "${modes[$(((i + r - 1) % ${#modes[@]}))]}"
  done
done
for n in $LOCAL_SIZES; do
  run "local" "$n" "$SIZE" wildside
  run "local" "$n" "$SIZE" local_file
done

python3 - "$ROWS" "$N" "$SIZE" "$ROUNDS" <<'PY'
import math, statistics, sys
rows_path, N, SIZE, ROUNDS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
paired = {}   # (mode, phase) -> [wall]
mem = {}      # (mode, phase) -> [(tofu MiB, provider MiB)]
local = {}    # (mode, phase, n) -> wall
for line in open(rows_path):
    tag, rest = line.split(" ", 1)
    cells = [c.strip() for c in rest.strip().strip("|").split("|")]
    mode, phase, n, _data, wall, _rpc, tofu_mib, prov_mib = cells
    if tag == "local":
        local[(mode, phase, int(n))] = float(wall)
    else:
        paired.setdefault((mode, phase), []).append(float(wall))
        mem.setdefault((mode, phase), []).append((tofu_mib, prov_mib))

def med(mode, phase):
    v = paired.get((mode, phase))
    return statistics.median(v) if v else float("nan")

print(f"\n### Paired rounds: {ROUNDS} rounds, {N:,} files x {SIZE:,} bytes (median wall s)\n")
print("| phase | wildside | floor | ratio | per-round walls (wildside; floor) |")
print("| --- | ---: | ---: | ---: | --- |")
phases = [("cold apply", "cold apply", True), ("no-op plan", "no-op plan", False),
          ("apply healing 1% drift", "apply healing 1% drift", False)]
for label, td_phase, with_cp in phases:
    w = med("wildside", label)
    per_round = paired.get(("terraform_data", td_phase), [])
    cps = paired.get(("cp_sync", "cold apply"), [])
    if with_cp:
        floors = [a + b for a, b in zip(per_round, cps)]
        floor_name = "terraform_data + cp_sync"
    else:
        floors = per_round
        floor_name = "terraform_data"
    f = statistics.median(floors) if floors else float("nan")
    walls = paired.get(("wildside", label), [])
    print(f"| {label} | {w:.2f} | {f:.2f} ({floor_name}) | {w / f:.2f}x | "
          f"{', '.join(f'{x:.2f}' for x in walls)}; {', '.join(f'{x:.2f}' for x in floors)} |")
# Per-round ratios too: the median of paired ratios.
print()
for label, td_phase, with_cp in phases:
    ws = paired.get(("wildside", label), [])
    tds = paired.get(("terraform_data", td_phase), [])
    cps = paired.get(("cp_sync", "cold apply"), [])
    rs = [w / (t + (c if with_cp else 0)) for w, t, c in zip(ws, tds, cps or [0] * len(ws))]
    if rs:
        print(f"- {label}: median of the per-round ratios {statistics.median(rs):.2f}x "
              f"(min {min(rs):.2f}x, max {max(rs):.2f}x)")

print("\n#### What the plan-time checks cost (wildside / wildside_nochecks, median of per-round ratios)\n")
print("| phase | checks on (median s) | checks off (median s) | ratio |")
print("| --- | ---: | ---: | ---: |")
for label in ["cold apply", "no-op plan", "apply healing 1% drift"]:
    on = paired.get(("wildside", label), []); off = paired.get(("wildside_nochecks", label), [])
    if on and off:
        rs = [a / b for a, b in zip(on, off)]
        print(f"| {label} | {statistics.median(on):.2f} | {statistics.median(off):.2f} | {statistics.median(rs):.3f}x |")
print("\n| mode | phase | tofu peak MiB (per round) | provider peak MiB (per round) |")
print("| --- | --- | --- | --- |")
for (mode, phase), v in sorted(mem.items()):
    if mode == "cp_sync":
        continue
    print(f"| {mode} | {phase} | {', '.join(a for a, _ in v)} | {', '.join(b for _, b in v)} |")

sizes = sorted({n for (_m, _p, n) in local})
if sizes:
    print(f"\n### local_file against wildside (one round per size, wall s)\n")
    print("| files | phase | wildside | local_file | local_file / wildside |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for n in sizes:
        for label, _, _ in phases:
            w = local.get(("wildside", label, n)); l = local.get(("local_file", label, n))
            if w and l:
                print(f"| {n:,} | {label} | {w:.2f} | {l:.2f} | {l / w:.1f}x |")
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print()
        for label, _, _ in phases:
            la, lb = local.get(("local_file", label, a)), local.get(("local_file", label, b))
            if la and lb:
                k = math.log(lb / la) / math.log(b / a)
                est = lb * (N / b) ** k
                w = med("wildside", label)
                print(f"- {label}: local_file grows as N^{k:.2f} between {a:,} and {b:,} files; "
                      f"extrapolated to {N:,}: {est:.0f} s, {est / w:.0f}x wildside's median (not run)")
PY
