#!/usr/bin/env bash
# Makes sure a Chromium for the end-to-end tests exists: CHROMIUM_PATH, /usr/bin/chromium, or
# Debian's `chromium` package installed here (needs root and apt-get; the registry browsers of
# `playwright install` cannot be downloaded on every machine, Debian's package can).
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "e2e: installing Debian's chromium package" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "e2e: no Chromium at $path. Install it (sudo apt-get install chromium) or set CHROMIUM_PATH." >&2
exit 1
