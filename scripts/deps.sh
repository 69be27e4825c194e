#!/usr/bin/env bash
# Installs what `make run` and `make check` need on a fresh Debian 12 machine:
# Debian packages through apt-get (with sudo when not root) and npm packages
# from the committed package-lock.json. Quiet and quick when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(meson ninja-build pkg-config gcc clang libclang-rt-14-dev
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev
      zlib1g-dev libcmocka-dev libcsv-dev libcurl4-openssl-dev libcmark-dev sqlite3
      libcairo2-dev libpango1.0-dev libglib2.0-dev libqrencode-dev libxlsxwriter-dev fonts-noto-core fonts-noto-cjk
      python3-fonttools python3-brotli)
if [ "${1:-}" = "--check" ]; then
  pkgs+=(postgresql chromium wrk nginx-light curl python3-aiosmtpd libimage-exiftool-perl
        poppler-utils zbar-tools libxml2-utils)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "deps: installing ${missing[*]}" >&2
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends nodejs npm >/dev/null
fi

# npm packages: reinstall only when the lock file changed since the last install.
stamp=node_modules/.haven-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "deps: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  cp package-lock.json "$stamp"
fi
