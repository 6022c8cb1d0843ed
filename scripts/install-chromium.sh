#!/usr/bin/env bash
# Installs Debian's chromium for the report's browser test
# (internal/report's TestBrowser), which is skipped without it. Run as root,
# or with sudo available. Idempotent: does nothing when /usr/bin/chromium
# is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
sudo=
if [ "$(id -u)" != 0 ]; then
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# fonts-dejavu-core: text in screenshots; chromium alone pulls no font.
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: $(/usr/bin/chromium --version)"
