#!/usr/bin/env bash
# Install what the report's headless-browser test needs: Debian's chromium (unless a Chromium is
# there) and Debian's CJK font (fonts-noto-cjk), so Chinese names render instead of boxes.
# Idempotent: does nothing (and needs no network) when both are already installed.
# Called by `make browser` / `make test` and by tests/report/conftest.py when Chromium is missing.
set -euo pipefail

chromium_path=""
for candidate in "${REEKG_CHROMIUM:-}" chromium chromium-browser; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
        chromium_path="$(command -v "$candidate")"
        break
    fi
done

has_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -qi "Noto Sans CJK"
}

packages=()
[ -n "$chromium_path" ] || packages+=(chromium)
has_cjk_font || packages+=(fonts-noto-cjk)

if [ "${#packages[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo "missing ${packages[*]} and this user cannot install it: run 'apt-get install ${packages[*]}' as root" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # apt's own lock serializes concurrent installs; wait for it rather than failing.
    "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
    "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${packages[@]}" >/dev/null
    chromium_path="$(command -v chromium)"
fi
echo "chromium: $chromium_path ($("$chromium_path" --version 2>/dev/null || true))"
echo "CJK font: $(fc-list :lang=zh family 2>/dev/null | grep -i -m1 "Noto Sans CJK" || echo none)"
