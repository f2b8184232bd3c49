# shellcheck shell=bash
# Sourced by scripts/release; defines
#
#   write_sbom OUT VERSION COMMIT SOURCE_DATE_EPOCH ARCH...
#
# which writes OUT, an SPDX 2.3 JSON document of what the release's
# binaries are made of besides the source at COMMIT:
#
#   - per ARCH, the provider: the zip next to OUT
#     (terraform-provider-wildside_VERSION_linux_ARCH.zip, which must exist)
#     with its SHA-256; the document DESCRIBES each;
#   - the Debian packages whose static libraries and headers are linked in
#     (SBOM_DEB_PACKAGES below; each zip STATIC_LINKs its arch's), with
#     their versions: amd64 the host's (dpkg-query), arm64 the sysroot's
#     ($SBOM_ARM64_PACKAGES, default wildside-packages.txt of
#     scripts/arm64-sysroot --path); purl pkg:deb/debian/NAME@VERSION?...;
#   - the Go modules whose files make the built-in schema bundle (each zip
#     CONTAINS them): the SOURCES lines ("module version h1:sum") of
#     $SBOM_SCHEMAS, default the directory scripts/install-schemas prints;
#     purl pkg:golang/MODULE@VERSION, and the h1: sum (not an SPDX checksum
#     algorithm) as an external reference of category OTHER.
#
# Deterministic: created is SOURCE_DATE_EPOCH, the namespace is made of the
# version and the commit, everything is sorted, no path or host name goes
# in; the same inputs give the same bytes. Plain bash, coreutils and
# dpkg-query (no jq or python: a fresh Debian 12 has neither). A package
# that is missing, or a zip that is, stops it (exit status 1).

# Linked into the provider: the -dev packages holding the static libraries
# and headers, and the C/C++ runtime (build-info lists these too, plus the
# build tools).
SBOM_DEB_PACKAGES=(
  libabsl-dev libc-ares-dev libc6-dev libgcc-12-dev libgrpc++-dev libgrpc-dev
  libprotobuf-dev libre2-dev libssl-dev libstdc++-12-dev libyaml-dev
  nlohmann-json3-dev zlib1g-dev
)
SBOM_REPOSITORY="https://github.com/wildside/terraform-provider-wildside"
# scripts/lib, absolute: the caller may change directory after sourcing.
SBOM_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# sbom_q STRING: STRING as a JSON string, quotes included.
sbom_q() {
  local s="$1" i hex c
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  for ((i = 1; i < 32; i++)); do
    printf -v hex '%02x' "$i"
    printf -v c '%b' "\\x$hex"
    [[ "$s" != *"$c"* ]] || s="${s//"$c"/\\u00$hex}"
  done
  printf '"%s"' "$s"
}

# sbom_purl_part STRING: STRING percent-encoded for a purl's name or
# version (":" is left as it is, as the purl spec allows).
sbom_purl_part() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9._~:-]) out+="$c" ;;
      *) printf -v c '%%%02X' "'$c"; out+="$c" ;;
    esac
  done
  printf '%s' "$out"
}

# sbom_id STRING...: an SPDX identifier: letters, digits, "." and "-".
sbom_id() {
  local s="$*"
  s="${s// /-}"
  s="${s//+/plus}"
  printf 'SPDXRef-%s' "${s//[^A-Za-z0-9.-]/-}"
}

sbom_die() {
  echo "sbom: $*" >&2
  return 1
}

write_sbom() {
  local out="$1" version="$2" commit="$3" epoch="$4"
  shift 4
  local arches=("$@") name="terraform-provider-wildside"
  local dir created schemas sources arm64_list
  ((${#arches[@]})) || { sbom_die "write_sbom: no architecture"; return 1; }
  dir="$(dirname "$out")"
  created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)" ||
    { sbom_die "bad SOURCE_DATE_EPOCH '$epoch'"; return 1; }
  local lib="$SBOM_LIB_DIR"
  schemas="${SBOM_SCHEMAS:-}"
  if [[ -z "$schemas" ]]; then
    schemas="$("$lib/../install-schemas")" || { sbom_die "scripts/install-schemas failed"; return 1; }
  fi
  sources="$schemas/SOURCES"
  [[ -s "$sources" ]] || { sbom_die "no $sources"; return 1; }

  # Provider packages, one per arch: "arch<TAB>sha256".
  local arch zip sum provider=()
  for arch in "${arches[@]}"; do
    zip="$dir/${name}_${version}_linux_$arch.zip"
    [[ -f "$zip" ]] || { sbom_die "no $zip"; return 1; }
    sum="$(sha256sum <"$zip")"
    provider+=("$arch"$'\t'"${sum%% *}")
  done

  # Debian packages: "name version arch" lines per release arch, then the
  # union, sorted, each once (an arch "all" package may serve both).
  local -A links=() ids=()
  local deb_lines=() line pkg ver parch id p found
  for arch in "${arches[@]}"; do
    local have=()
    case "$arch" in
      amd64)
        [[ "$(dpkg --print-architecture)" == amd64 ]] ||
          { sbom_die "amd64 packages are read from the host, which is $(dpkg --print-architecture)"; return 1; }
        # shellcheck disable=SC2016 # ${Package} is dpkg-query's field
        mapfile -t have < <(dpkg-query -W -f='${db:Status-Status} ${Package} ${Version} ${Architecture}\n' \
          "${SBOM_DEB_PACKAGES[@]}" 2>/dev/null | awk '$1 == "installed" && ($4 == "amd64" || $4 == "all") { print $2, $3, $4 }')
        ;;
      arm64)
        arm64_list="${SBOM_ARM64_PACKAGES:-$("$lib/../arm64-sysroot" --path)/wildside-packages.txt}"
        [[ -f "$arm64_list" ]] || { sbom_die "no $arm64_list (scripts/arm64-sysroot)"; return 1; }
        mapfile -t have < <(awk '$3 == "arm64" || $3 == "all" { print $1, $2, $3 }' "$arm64_list")
        ;;
      *) sbom_die "unsupported architecture $arch"; return 1 ;;
    esac
    for p in "${SBOM_DEB_PACKAGES[@]}"; do
      found=""
      for line in "${have[@]}"; do
        if [[ "${line%% *}" == "$p" ]]; then
          [[ -z "$found" ]] || { sbom_die "$p twice for $arch: $found, $line"; return 1; }
          found="$line"
        fi
      done
      [[ -n "$found" ]] || { sbom_die "Debian package $p is not there for $arch"; return 1; }
      read -r pkg ver parch <<<"$found"
      id="$(sbom_id "deb" "$pkg" "$ver" "$parch")"
      if [[ -n "${ids[$id]:-}" && "${ids[$id]}" != "$found" ]]; then
        sbom_die "$id stands for both ${ids[$id]} and $found"
        return 1
      fi
      [[ -n "${ids[$id]:-}" ]] || deb_lines+=("$found")
      ids[$id]="$found"
      links[$arch]+="$id "
    done
  done
  mapfile -t deb_lines < <(printf '%s\n' "${deb_lines[@]}" | LC_ALL=C sort)

  local mod_lines=() mod mver h1
  mapfile -t mod_lines < <(LC_ALL=C sort "$sources")
  for line in "${mod_lines[@]}"; do
    read -r mod mver h1 <<<"$line"
    [[ -n "$mod" && -n "$mver" && "$h1" == h1:* ]] || { sbom_die "$sources: bad line '$line'"; return 1; }
  done

  local NA='"NOASSERTION"' sep
  {
    printf '{\n'
    printf '  "spdxVersion": "SPDX-2.3",\n'
    printf '  "dataLicense": "CC0-1.0",\n'
    printf '  "SPDXID": "SPDXRef-DOCUMENT",\n'
    printf '  "name": %s,\n' "$(sbom_q "${name}_$version")"
    printf '  "documentNamespace": %s,\n' "$(sbom_q "$SBOM_REPOSITORY/spdx/$version-$commit")"
    printf '  "comment": %s,\n' "$(sbom_q "What the release's zips hold besides the source at commit $commit: the Debian packages whose static libraries and headers are linked in, and the Go modules whose files make the built-in schema bundle. Written by scripts/release.")"
    printf '  "creationInfo": {\n'
    printf '    "created": "%s",\n' "$created"
    printf '    "creators": ["Tool: scripts/release"]\n'
    printf '  },\n'
    printf '  "packages": [\n'
    sep=""
    for line in "${provider[@]}"; do
      arch="${line%%$'\t'*}" sum="${line#*$'\t'}"
      printf '%s    {\n' "$sep"
      printf '      "SPDXID": "%s",\n' "$(sbom_id "provider-linux" "$arch")"
      printf '      "name": %s,\n' "$(sbom_q "$name")"
      printf '      "versionInfo": %s,\n' "$(sbom_q "$version")"
      printf '      "packageFileName": %s,\n' "$(sbom_q "${name}_${version}_linux_$arch.zip")"
      printf '      "downloadLocation": %s,\n' "$NA"
      printf '      "filesAnalyzed": false,\n'
      printf '      "checksums": [{"algorithm": "SHA256", "checksumValue": "%s"}],\n' "$sum"
      printf '      "sourceInfo": %s,\n' "$(sbom_q "built from $SBOM_REPOSITORY at commit $commit for linux_$arch")"
      printf '      "licenseConcluded": %s,\n' "$NA"
      printf '      "licenseDeclared": %s,\n' "$NA"
      printf '      "copyrightText": %s,\n' "$NA"
      printf '      "primaryPackagePurpose": "APPLICATION"\n'
      printf '    }'
      sep=$',\n'
    done
    for line in "${deb_lines[@]}"; do
      read -r pkg ver parch <<<"$line"
      printf '%s    {\n' "$sep"
      printf '      "SPDXID": "%s",\n' "$(sbom_id "deb" "$pkg" "$ver" "$parch")"
      printf '      "name": %s,\n' "$(sbom_q "$pkg")"
      printf '      "versionInfo": %s,\n' "$(sbom_q "$ver")"
      printf '      "supplier": "Organization: Debian",\n'
      printf '      "downloadLocation": %s,\n' "$NA"
      printf '      "filesAnalyzed": false,\n'
      printf '      "licenseConcluded": %s,\n' "$NA"
      printf '      "licenseDeclared": %s,\n' "$NA"
      printf '      "copyrightText": %s,\n' "$NA"
      printf '      "primaryPackagePurpose": "LIBRARY",\n'
      printf '      "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": %s}]\n' \
        "$(sbom_q "pkg:deb/debian/$(sbom_purl_part "$pkg")@$(sbom_purl_part "$ver")?arch=$parch&distro=debian-12")"
      printf '    }'
    done
    for line in "${mod_lines[@]}"; do
      read -r mod mver h1 <<<"$line"
      printf '%s    {\n' "$sep"
      printf '      "SPDXID": "%s",\n' "$(sbom_id "gomod" "$mod")"
      printf '      "name": %s,\n' "$(sbom_q "$mod")"
      printf '      "versionInfo": %s,\n' "$(sbom_q "$mver")"
      printf '      "downloadLocation": %s,\n' "$NA"
      printf '      "filesAnalyzed": false,\n'
      printf '      "comment": %s,\n' "$(sbom_q "Go module zip with go.sum hash $h1; files of it make the built-in schema bundle (scripts/install-schemas).")"
      printf '      "licenseConcluded": %s,\n' "$NA"
      printf '      "licenseDeclared": %s,\n' "$NA"
      printf '      "copyrightText": %s,\n' "$NA"
      printf '      "primaryPackagePurpose": "SOURCE",\n'
      printf '      "externalRefs": [\n'
      printf '        {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": %s},\n' \
        "$(sbom_q "pkg:golang/$mod@$(sbom_purl_part "$mver")")"
      printf '        {"referenceCategory": "OTHER", "referenceType": "go-module-h1", "referenceLocator": %s}\n' \
        "$(sbom_q "$h1")"
      printf '      ]\n'
      printf '    }'
    done
    printf '\n  ],\n'
    printf '  "relationships": [\n'
    sep=""
    local pid m
    for line in "${provider[@]}"; do
      arch="${line%%$'\t'*}"
      pid="$(sbom_id "provider-linux" "$arch")"
      printf '%s    {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "%s"}' "$sep" "$pid"
      sep=$',\n'
      local -a arch_ids
      read -r -a arch_ids <<<"${links[$arch]}"
      mapfile -t arch_ids < <(printf '%s\n' "${arch_ids[@]}" | LC_ALL=C sort)
      for id in "${arch_ids[@]}"; do
        printf '%s    {"spdxElementId": "%s", "relationshipType": "STATIC_LINK", "relatedSpdxElement": "%s"}' "$sep" "$pid" "$id"
      done
      for m in "${mod_lines[@]}"; do
        read -r mod _ <<<"$m"
        printf '%s    {"spdxElementId": "%s", "relationshipType": "CONTAINS", "relatedSpdxElement": "%s"}' "$sep" "$pid" "$(sbom_id "gomod" "$mod")"
      done
    done
    printf '\n  ]\n'
    printf '}\n'
  } >"$out.tmp" || { rm -f "$out.tmp"; sbom_die "could not write $out"; return 1; }
  mv "$out.tmp" "$out"
}
