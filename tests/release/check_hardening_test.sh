#!/usr/bin/env bash
# scripts/check-hardening can fail: a tiny program built without the
# hardening flags is refused, the same program built with them passes
# (issue 21). With a build directory and binary as arguments, that
# release build is checked too (scripts/test passes the amd64 one).
#
#   tests/release/check_hardening_test.sh [BUILD_DIR BINARY]
set -euo pipefail
cd "$(dirname "$0")/../.."

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# An array on the stack (a canary with -fstack-protector-strong) and a
# copy into it of a size the compiler cannot check (__memcpy_chk with
# FORTIFY).
cat >"$tmp/a.cc" <<'CC'
#include <cstring>
int main(int argc, char** argv) {
  char buf[16];
  std::memcpy(buf, argv[0], std::strlen(argv[argc - 1]));
  return buf[0];
}
CC

build() {
  local dir=$1 flags=$2 link=$3
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # flag lists, split on purpose
  c++ -O2 $flags -c "$tmp/a.cc" -o "$dir/a.o"
  # shellcheck disable=SC2086
  c++ -static $link "$dir/a.o" -o "$dir/a"
  printf '[\n{\n  "directory": "%s",\n  "command": "c++ -O2 %s -o a.o -c %s",\n  "file": "%s"\n}\n]\n' \
    "$dir" "$flags" "$tmp/a.cc" "$tmp/a.cc" >"$dir/compile_commands.json"
}

build "$tmp/plain" "" ""
if scripts/check-hardening "$tmp/plain" "$tmp/plain/a" 2>"$tmp/plain.log"; then
  echo "check_hardening_test: an unhardened build passed:" >&2
  cat "$tmp/plain.log" >&2
  exit 1
fi
grep -q 'compiled without -fstack-protector-strong' "$tmp/plain.log"
grep -q 'the flags did not take effect' "$tmp/plain.log"
echo "check_hardening_test: the unhardened build is refused" >&2

build "$tmp/hardened" "-fstack-protector-strong -Werror=vla -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2" \
  "-Wl,-z,relro -Wl,-z,now"
scripts/check-hardening "$tmp/hardened" "$tmp/hardened/a"
echo "check_hardening_test: the hardened build passes" >&2

if (($# == 2)); then
  scripts/check-hardening "$1" "$2"
fi
