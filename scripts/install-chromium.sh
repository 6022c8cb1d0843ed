#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report's browser test
# (internal/report's TestBrowser, skipped without /usr/bin/chromium), with
# fonts-dejavu-core and fonts-noto-color-emoji for the text and the verdict
# icons of its screenshots: chromium pulls in neither. Run as root, or with
# sudo. Does nothing when all three are installed.
set -euo pipefail
pkgs="chromium fonts-dejavu-core fonts-noto-color-emoji"
# shellcheck disable=SC2086
if dpkg -s $pkgs >/dev/null 2>&1; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
  exit 0
fi
sudo=
if [ "$(id -u)" != 0 ]; then
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
