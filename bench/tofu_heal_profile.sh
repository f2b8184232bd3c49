#!/usr/bin/env bash
# Where the time of a 1 % heal goes (issue 10: the heal is the phase
# furthest from the terraform_data floor). One wildside tree of N files
# (default 10,000 x 4 KiB) is applied, 1 % of the files are edited on disk,
# then the heal is taken apart:
#   plan -out      refresh (ReadResource), the drift report and the plan,
#                  rendered (what a reviewer reads)
#   show           rendering the saved plan alone, no provider work
#   apply PLANFILE the writes alone (ApplyResourceChange), no refresh
# each with the provider's own RPC seconds (its DEBUG elapsed_ms).
# Usage: bench/tofu_heal_profile.sh [N] [SIZE]   (WILDSIDE_BENCH_MIRROR as
# for tofu_scale.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-10000}"
SIZE="${2:-4096}"
TOFU="$("$ROOT/scripts/install-tofu")"
MIRROR="${WILDSIDE_BENCH_MIRROR:-$ROOT/build/release/mirror}"
WORK="$(mktemp -d /tmp/wildside-heal-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
cat > cli.tfrc <<RC
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.opentofu.org/wildside/*"]
  }
  direct {
    exclude = ["registry.opentofu.org/wildside/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
python3 - "$N" "$SIZE" <<'PY'
import os, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
comps = ["sources", "traefik", "cert-manager", "external-dns", "vault", "databases", "redis"]
for i in range(n):
    d = f"src/platform/{comps[i % 7]}/d{i // 100:03d}"
    os.makedirs(d, exist_ok=True)
    body, k = f"# file {i}\n", 0
    while len(body) + 60 < size:
        body += f"key{k:05d}: value-0123456789abcdefghijklmnopqrstuvwxyz\n"
        k += 1
    body += "#" * (size - len(body) - 1) + "\n"
    open(f"{d}/m{i:05d}.yaml", "w").write(body)
PY
cat > main.tf <<'TF'
terraform {
  required_providers {
    wildside = { source = "registry.opentofu.org/wildside/wildside" }
  }
}
resource "wildside_gitops_tree" "t" {
  path               = "checkout"
  cluster            = "bench"
  rendered_manifests = { for f in fileset("${path.module}/src", "**") : f => file("${path.module}/src/${f}") }
}
TF
"$TOFU" init -input=false -no-color >/dev/null
"$TOFU" apply -auto-approve -input=false -no-color >/dev/null
find checkout/platform -name '*.yaml' | sort | awk 'NR % 100 == 0' | while read -r f; do echo "drift: true" >> "$f"; done
sync
export TF_LOG_PROVIDER=DEBUG TF_LOG_PATH="$WORK/tofu.log"
step() {
  local label=$1
  shift
  : > "$TF_LOG_PATH"
  local start end
  start=$(date +%s.%N)
  "$@" > out.txt 2>&1 || { [[ $? == 2 ]] || { cat out.txt >&2; exit 1; }; }
  end=$(date +%s.%N)
  printf '| %s | %.2f | %s | %s |\n' "$label" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" \
    "$( { grep -o 'elapsed_ms=[0-9.]*' "$TF_LOG_PATH" || true; } | cut -d= -f2 | awk '{s+=$1} END {printf "%.2f", s/1000}')" \
    "$(wc -c < out.txt)"
}
echo "| step of the 1 % heal ($N files) | wall s | provider RPCs s | output bytes |"
echo "| --- | ---: | ---: | ---: |"
step "plan -out (refresh, drift report, plan)" "$TOFU" plan -input=false -no-color -detailed-exitcode -out=heal.tfplan
step "show the saved plan (rendering only)" "$TOFU" show -no-color heal.tfplan
step "apply the saved plan (writes only)" "$TOFU" apply -input=false -no-color heal.tfplan
step "no-op plan afterwards" "$TOFU" plan -input=false -no-color -detailed-exitcode
