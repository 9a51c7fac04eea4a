#!/usr/bin/env bash
# Checks the Debian packages Autodiag needs and installs the missing ones when run as root.
#   scripts/system-deps.sh run   WeasyPrint's libraries and fonts
#   scripts/system-deps.sh test  the same, plus Chromium for the browser tests
set -euo pipefail
target=${1:-run}

needed=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "$target" = test ]; then
  needed+=(chromium)
fi

missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 2
fi
