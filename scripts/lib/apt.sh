# shellcheck shell=bash
# Sourced by the scripts that need Debian packages; defines:
#
#   apt_missing PKG...  prints, one a line, those of PKG... that dpkg does
#                       not report as installed;
#   apt_ensure PKG...   installs those, and calls apt only when there are
#                       some: running it again is cheap and touches nothing.
#
# apt_ensure says what it installs on stderr as "NAME: installing PKG...",
# NAME being the calling script's (APT_SAY_NAME overrides it). It uses sudo
# when not root, and waits up to five minutes for a dpkg lock another apt
# holds (a fresh machine often runs one at first) instead of failing.

apt_missing() {
  local p
  for p in "$@"; do
    if ! grep -q "install ok installed" <<<"$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)"; then
      echo "$p"
    fi
  done
}

apt_ensure() {
  local missing sudo=()
  mapfile -t missing < <(apt_missing "$@")
  ((${#missing[@]})) || return 0
  echo "${APT_SAY_NAME:-$(basename "$0")}: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  local lock=(-o DPkg::Lock::Timeout=300)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}
