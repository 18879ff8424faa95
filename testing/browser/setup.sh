#!/usr/bin/env bash
# Installs the headless browser the portal tests drive: Debian's chromium and chromium-driver
# (/usr/bin/chromium, /usr/bin/chromedriver). Skips the install when both are present already.
# Called by scripts/test and .ci/run; safe to run by hand, needs root (or sudo) to install.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have chromedriver; then
  echo "browser-setup: $(chromium --version 2>/dev/null | head -n1), $(chromedriver --version | head -n1)"
  exit 0
fi

if ! have apt-get; then
  echo "browser-setup: chromium and chromedriver are missing and apt-get is not available;" \
       "install Chromium and its WebDriver (chromedriver) by hand" >&2
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then
    sudo_cmd=(sudo)
  else
    echo "browser-setup: installing chromium needs root (or sudo)" >&2
    exit 1
  fi
fi

echo "browser-setup: installing chromium and chromium-driver"
"${sudo_cmd[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends \
  chromium chromium-driver
echo "browser-setup: $(chromium --version 2>/dev/null | head -n1), $(chromedriver --version | head -n1)"
