#!/usr/bin/env bash
# Scripted OpenTofu runs at scale: one wildside_gitops_tree with N files of
# S bytes each (default 10,000 × 4 KiB = 40 MB), timing the phases a user
# pays for:
#   cold apply (empty checkout), no-op plan, apply after editing 1% of the
#   files on disk, and destroy.
# Prints a Markdown table row per phase with wall seconds and the peak RSS
# of each process apart: tofu's (its VmHWM, read by pid while it runs) and
# the provider's (it logs its own peak at exit, DEBUG; see BENCH_PROFILE).
#
# Usage: bench/tofu_scale.sh [N] [SIZE] [wildside|wildside_nochecks|wildside_wo|local_file|terraform_data|echo|cp_sync]
#   BENCH_PROFILE=0  no provider logging (for timings compared across modes)
#   wildside       (default) one wildside_gitops_tree holding all N files
#   local_file     the same files as N hashicorp/local `local_file` instances
#                  (for_each), built by scripts/install-local-provider
#   terraform_data the same map held once by terraform_data.triggers_replace:
#                  what OpenTofu pays anyway to carry the map (the floor);
#                  nothing is written, so "heal" is an apply with no change
#   echo           the same map held once by wildside_echo.triggers, a
#                  plugin that does nothing (bench/echo_provider, built in
#                  the ci preset; WILDSIDE_BENCH_ECHO names another
#                  binary): what any plugin costs OpenTofu over the
#                  built-in terraform_data, which has no process, no gRPC
#                  and no msgpack
#   wildside_nochecks  wildside with checks = "off": the same tree without
#                  the plan-time checks, to show what they cost
#   wildside_wo    wildside with the map in rendered_manifests_wo: no
#                  content in state or plan, only `files` (needs a client
#                  with write-only attributes: OpenTofu >= 1.11)
#   cp_sync        no tofu at all: `cp -r` of the files into an empty
#                  checkout and `sync`, the raw cost of writing them (one
#                  "cold apply" row); bench/tofu_rounds.sh pairs it with
#                  the cold apply
# Needs scripts/demo or a release build first (build/release/mirror) and
# the cached tofu.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-10000}"
SIZE="${2:-4096}"
MODE="${3:-wildside}"
TOFU="$("$ROOT/scripts/install-tofu")"
MIRROR="${WILDSIDE_BENCH_MIRROR:-$ROOT/build/release/mirror}"
[[ -d "$MIRROR" || "$MODE" == echo ]] || { echo "run: cmake --preset release && cmake --build --preset release --target provider-mirror" >&2; exit 1; }
LOCAL_MIRROR=""
if [[ "$MODE" == local_file ]]; then LOCAL_MIRROR="$("$ROOT/scripts/install-local-provider" 2>/dev/null)"; fi

WORK="$(mktemp -d /tmp/wildside-bench-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
if [[ "$MODE" == echo ]]; then
  ECHO_BIN="${WILDSIDE_BENCH_ECHO:-$ROOT/build/ci/bench/echo_provider}"
  [[ -x "$ECHO_BIN" ]] || { echo "run: cmake --build --preset ci --target echo_provider" >&2; exit 1; }
  MIRROR="$WORK/echo-mirror"
  "$ROOT/scripts/make-mirror" "$ECHO_BIN" "$MIRROR" registry.opentofu.org wildside \
    "$(sed -n 's/^project([^)]*VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")" >/dev/null
fi
cd "$WORK"
cat > cli.tfrc <<RC
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.opentofu.org/wildside/*"]
  }
$( [[ -n "$LOCAL_MIRROR" ]] && printf '  filesystem_mirror {\n    path    = "%s"\n    include = ["registry.opentofu.org/hashicorp/local"]\n  }\n' "$LOCAL_MIRROR" )
  direct {
    exclude = ["registry.opentofu.org/wildside/*", "registry.opentofu.org/hashicorp/local"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# N files spread over the seven components, 100 per directory. Each is
# valid YAML of exactly SIZE bytes (the provider's checks parse every
# .yaml, and a repeated key is a finding): distinct keys in whole lines,
# padded with a comment line.
python3 - "$N" "$SIZE" <<'PY'
import os, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
comps = ["sources", "traefik", "cert-manager", "external-dns", "vault", "databases", "redis"]
for i in range(n):
    d = f"src/platform/{comps[i % 7]}/d{i // 100:03d}"
    os.makedirs(d, exist_ok=True)
    header = f"# file {i}\n"
    body = header if len(header) <= size else ""
    k = 0
    while True:
        line = f"key{k:05d}: value-0123456789abcdefghijklmnopqrstuvwxyz\n"
        if len(body) + len(line) > size - 2:
            break
        body += line
        k += 1
    pad = size - len(body)
    body += ("#" + "x" * (pad - 2) + "\n") if pad >= 2 else "\n" * pad
    assert len(body) == size, (len(body), size)
    with open(f"{d}/m{i:05d}.yaml", "w") as f:
        f.write(body)
PY
# The wildside and echo modes install from the mirror (echo's serves
# wildside_echo under wildside's address).
WILDSIDE_REQUIREMENT='terraform {
  required_providers {
    wildside = {
      source  = "registry.opentofu.org/wildside/wildside"
      version = "~> 0.2"
    }
  }
}'
if [[ "$MODE" == cp_sync ]]; then
  sync
  start=$(date +%s.%N)
  mkdir checkout && cp -r src/. checkout/ && sync
  end=$(date +%s.%N)
  echo "| resources | phase | files | data | wall s | wildside RPCs s | tofu peak MiB | provider peak MiB |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '| %s | %s | %d | %s | %.2f | - | - | - |\n' "$MODE" "cold apply" "$N" "$(du -sh src | cut -f1)" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')"
  exit 0
elif [[ "$MODE" == terraform_data ]]; then
  cat > main.tf <<'TF'
resource "terraform_data" "t" {
  triggers_replace = { for f in fileset("${path.module}/src", "**") : f => file("${path.module}/src/${f}") }
}
TF
elif [[ "$MODE" == echo ]]; then
  { echo "$WILDSIDE_REQUIREMENT"; cat <<'TF'; } > main.tf
resource "wildside_echo" "t" {
  triggers = { for f in fileset("${path.module}/src", "**") : f => file("${path.module}/src/${f}") }
}
TF
elif [[ "$MODE" == local_file ]]; then
  cat > main.tf <<'TF'
terraform {
  required_providers {
    local = {
      source  = "registry.opentofu.org/hashicorp/local"
      version = "2.99.0"
    }
  }
}
resource "local_file" "f" {
  for_each             = fileset("${path.module}/src", "**")
  filename             = "${path.module}/checkout/${each.key}"
  content              = file("${path.module}/src/${each.key}")
  file_permission      = "0644"
  directory_permission = "0755"
}
TF
else
  { echo "$WILDSIDE_REQUIREMENT"; cat <<'TF'; } > main.tf
resource "wildside_gitops_tree" "t" {
  path               = "checkout"
  cluster            = "bench"
  rendered_manifests = { for f in fileset("${path.module}/src", "**") : f => file("${path.module}/src/${f}") }
}
TF
  if [[ "$MODE" == wildside_nochecks ]]; then sed -i 's/^  cluster            = "bench"$/&\n  checks             = "off"/' main.tf; fi
  if [[ "$MODE" == wildside_wo ]]; then sed -i 's/^  rendered_manifests = /  rendered_manifests_wo = /' main.tf; fi
fi
"$TOFU" init -input=false -no-color >/dev/null
# The generated sources' dirty pages are flushed now, not charged to the
# first phase (a syncfs or sync of the same filesystem would write them).
sync

# The provider logs each RPC's duration at DEBUG ("elapsed_ms") and its own
# peak RSS at exit; summing the durations splits a phase's wall time into
# the provider's share and OpenTofu's. OpenTofu pays for every log line it
# relays, and the other modes have no such line to pay for, so a run that
# is compared against them sets BENCH_PROFILE=0: then no mode logs, and the
# RPC and provider-memory columns read "-" (bench/tofu_rounds.sh takes them
# from a separate profiled run).
BENCH_PROFILE="${BENCH_PROFILE:-1}"
if [[ "$MODE" == wildside* && "$BENCH_PROFILE" == 1 ]]; then export TF_LOG_PROVIDER=DEBUG; fi
export TF_LOG_PATH="$WORK/tofu.log"
measure() {
  local label=$1
  shift
  : > "$TF_LOG_PATH"
  local start end pid tofu_kb=0 kb
  start=$(date +%s.%N)
  "$@" >out.txt 2>err.txt &
  pid=$!
  # tofu's own high-water mark, by pid, until it exits.
  while kill -0 "$pid" 2>/dev/null; do
    kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n "$kb" ]] && ((kb > tofu_kb)) && tofu_kb=$kb
    sleep 0.05
  done
  wait "$pid" || { cat out.txt err.txt >&2; exit 1; }
  end=$(date +%s.%N)
  local provider_s provider_kb
  provider_s=-
  if [[ -n "${TF_LOG_PROVIDER:-}" ]]; then
    provider_s=$( { grep -o 'elapsed_ms=[0-9.]*' "$TF_LOG_PATH" || true; } | cut -d= -f2 | awk '{s+=$1} END {printf "%.2f", s/1000}')
  fi
  provider_kb=$( { grep -o 'peak_rss_kb=[0-9]*' "$TF_LOG_PATH" || true; } | cut -d= -f2 | sort -n | tail -1)
  printf '| %s | %s | %d | %s | %.2f | %s | %d | %s |\n' "$MODE" "$label" "$N" "$(du -sh src | cut -f1)" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" "$provider_s" "$((tofu_kb / 1024))" \
    "$( [[ -n "$provider_kb" ]] && echo $((provider_kb / 1024)) || echo -)"
}

echo "| resources | phase | files | data | wall s | wildside RPCs s | tofu peak MiB | provider peak MiB |"
echo "|---|---|---|---|---|---|---|---|"
measure "cold apply" "$TOFU" apply -auto-approve -input=false -no-color
# What every later plan decodes, diffs and rewrites.
STATE_BYTES=$(stat -c %s terraform.tfstate 2>/dev/null || echo 0)
measure "no-op plan" "$TOFU" plan -input=false -no-color -detailed-exitcode
# Edit 1% of the files on disk: plan must find them, apply heal them.
if [[ -d checkout ]]; then
  find checkout/platform -name '*.yaml' | sort | awk 'NR % 100 == 0' | while read -r f; do echo "drift: true" >> "$f"; done
fi
measure "apply healing 1% drift" "$TOFU" apply -auto-approve -input=false -no-color
measure "destroy" "$TOFU" destroy -auto-approve -input=false -no-color
echo
echo "$MODE: state after the cold apply: $STATE_BYTES bytes ($((STATE_BYTES / 1024)) KiB)"

