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
#   - every timed run is made with the provider's logging off
#     (BENCH_PROFILE=0), so no mode pays OpenTofu for relaying log lines
#     that another mode does not write; the provider's RPC times and its
#     peak memory come from one separate profiled run per wildside mode
#     (PROFILE_MODES, default "wildside"), reported apart;
#   - local_file against wildside at the sizes in LOCAL_SIZES (default
#     "1000 3000"), one round each (local_file grows much faster than
#     linearly), and a power-law fit extrapolated to N, said as such.
#
# Usage: bench/tofu_rounds.sh [ROUNDS] [N] [SIZE]
#   WILDSIDE_BENCH_MIRROR   the provider mirror (see tofu_scale.sh)
#   LOCAL_SIZES             "" skips the local_file comparison
#   PROFILE_MODES           wildside modes given one profiled run ("" none)
#   ROUND_MODES             the modes of each round (default all four);
#                           `echo` adds a plugin that does nothing with the
#                           same map (bench/tofu_scale.sh), to tell what
#                           any plugin costs OpenTofu from wildside's work
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

run() {  # run ROUND N SIZE MODE [PROFILE]: appends "ROUND | row" lines
  local round=$1 n=$2 size=$3 mode=$4 profile=${5:-0}
  echo "rounds: round $round: $mode at $n x $size (profile=$profile)" >&2
  BENCH_PROFILE=$profile "$ROOT/bench/tofu_scale.sh" "$n" "$size" "$mode" | grep "^| $mode " \
    | sed "s/^/$round /" >> "$ROWS"
}

read -r -a modes <<<"${ROUND_MODES:-wildside terraform_data cp_sync wildside_nochecks}"
for ((r = 1; r <= ROUNDS; r++)); do
  for ((i = 0; i < ${#modes[@]}; i++)); do
    run "$r" "$N" "$SIZE" "${modes[$(((i + r - 1) % ${#modes[@]}))]}"
  done
done
for mode in ${PROFILE_MODES-wildside}; do
  run "profile" "$N" "$SIZE" "$mode" 1
done
for n in $LOCAL_SIZES; do
  run "local" "$n" "$SIZE" wildside
  run "local" "$n" "$SIZE" local_file
done

python3 - "$ROWS" "$N" "$SIZE" "$ROUNDS" <<'PY'
import math, statistics, sys
rows_path, N, SIZE, ROUNDS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
paired = {}   # (mode, phase) -> [wall], one per timed round, in round order
tofu_mem = {} # (mode, phase) -> [tofu MiB]
profile = {}  # (mode, phase) -> (wall, provider RPC s, tofu MiB, provider MiB)
local = {}    # (mode, phase, n) -> wall
for line in open(rows_path):
    tag, rest = line.split(" ", 1)
    cells = [c.strip() for c in rest.strip().strip("|").split("|")]
    mode, phase, n, _data, wall, rpc, tofu_mib, prov_mib = cells
    if tag == "local":
        local[(mode, phase, int(n))] = float(wall)
    elif tag == "profile":
        profile[(mode, phase)] = (float(wall), rpc, tofu_mib, prov_mib)
    else:
        paired.setdefault((mode, phase), []).append(float(wall))
        tofu_mem.setdefault((mode, phase), []).append(tofu_mib)

def med(mode, phase):
    v = paired.get((mode, phase))
    return statistics.median(v) if v else float("nan")

def fmt(v):
    return ", ".join(f"{x:.2f}" for x in v)

phases = [("cold apply", True), ("no-op plan", False), ("apply healing 1% drift", False)]

def floors(label, with_cp):
    tds = paired.get(("terraform_data", label), [])
    if not with_cp:
        return tds, "terraform_data"
    cps = paired.get(("cp_sync", "cold apply"), [])
    return [a + b for a, b in zip(tds, cps)], "terraform_data + cp_sync"

print(f"\n### Paired rounds: {ROUNDS} rounds, {N:,} files x {SIZE:,} bytes, "
      "provider logging off in every mode\n")
print("| phase | wildside (median s) | floor (median s) | ratio of medians "
      "| median of per-round ratios (range) |")
print("| --- | ---: | ---: | ---: | ---: |")
for label, with_cp in phases:
    ws = paired.get(("wildside", label), [])
    fs, floor_name = floors(label, with_cp)
    if not ws or not fs:
        continue
    rs = [w / f for w, f in zip(ws, fs)]
    w, f = statistics.median(ws), statistics.median(fs)
    print(f"| {label} | {w:.2f} | {f:.2f} (`{floor_name}`) | {w / f:.2f}x "
          f"| {statistics.median(rs):.2f}x ({min(rs):.2f}-{max(rs):.2f}x) |")
print("\nPer-round walls, in round order:\n")
for label, with_cp in phases:
    fs, floor_name = floors(label, with_cp)
    print(f"- {label}: wildside {fmt(paired.get(('wildside', label), []))}; "
          f"{floor_name} {fmt(fs)}")
cps = paired.get(("cp_sync", "cold apply"), [])
if cps:
    print(f"- cp_sync alone: {fmt(cps)}")

print("\n#### What the plan-time checks cost (wildside / wildside_nochecks)\n")
print("| phase | checks on (median s) | checks off (median s) | median of per-round ratios (range) |")
print("| --- | ---: | ---: | ---: |")
for label, _ in phases:
    on = paired.get(("wildside", label), []); off = paired.get(("wildside_nochecks", label), [])
    if on and off:
        rs = [a / b for a, b in zip(on, off)]
        print(f"| {label} | {statistics.median(on):.2f} | {statistics.median(off):.2f} "
              f"| {statistics.median(rs):.3f}x ({min(rs):.3f}-{max(rs):.3f}x) |")

print("\n#### What any plugin costs: a plugin that does nothing (echo) / terraform_data\n")
print("| phase | echo (median s) | terraform_data (median s) | wildside / echo | echo / terraform_data, per round |")
print("| --- | ---: | ---: | ---: | ---: |")
for label, _ in phases[1:]:
    ec = paired.get(("echo", label), []); td = paired.get(("terraform_data", label), [])
    ws = paired.get(("wildside", label), [])
    if ec and td:
        rs = [a / b for a, b in zip(ec, td)]
        wr = f"{statistics.median([a / b for a, b in zip(ws, ec)]):.2f}x" if ws else "-"
        print(f"| {label} | {statistics.median(ec):.2f} | {statistics.median(td):.2f} | {wr} "
              f"| {statistics.median(rs):.2f}x ({min(rs):.2f}-{max(rs):.2f}x) |")

if profile:
    print("\n#### Where the time goes: one profiled run per mode (provider DEBUG logging on)\n")
    print("| mode | phase | wall s (logging on) | provider RPCs s | rest: OpenTofu s | provider peak MiB | tofu peak MiB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for (mode, phase), (wall, rpc, tmib, pmib) in sorted(profile.items()):
        rest = f"{wall - float(rpc):.2f}" if rpc not in ("-", "") else "-"
        print(f"| {mode} | {phase} | {wall:.2f} | {rpc} | {rest} | {pmib} | {tmib} |")

print("\n| mode | phase | tofu peak MiB (per timed round) |")
print("| --- | --- | --- |")
for (mode, phase), v in sorted(tofu_mem.items()):
    if mode == "cp_sync":
        continue
    print(f"| {mode} | {phase} | {', '.join(v)} |")

sizes = sorted({n for (_m, _p, n) in local})
if sizes:
    print(f"\n### local_file against wildside (one round per size, wall s)\n")
    print("| files | phase | wildside | local_file | local_file / wildside |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for n in sizes:
        for label, _ in phases:
            w = local.get(("wildside", label, n)); l = local.get(("local_file", label, n))
            if w and l:
                print(f"| {n:,} | {label} | {w:.2f} | {l:.2f} | {l / w:.1f}x |")
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print()
        for label, _ in phases:
            la, lb = local.get(("local_file", label, a)), local.get(("local_file", label, b))
            if la and lb:
                k = math.log(lb / la) / math.log(b / a)
                est = lb * (N / b) ** k
                w = med("wildside", label)
                print(f"- {label}: local_file grows as N^{k:.2f} between {a:,} and {b:,} files; "
                      f"extrapolated to {N:,}: {est:.0f} s, {est / w:.0f}x wildside's median (not run)")
PY
