#!/usr/bin/env bash
# Install Debian's chromium for the report's headless-browser test, unless a Chromium is there.
# Idempotent: does nothing (and needs no network) when `chromium` is already installed.
# Called by `make browser` / `make test` and by tests/report/conftest.py when Chromium is missing.
set -euo pipefail

for candidate in "${REEKG_CHROMIUM:-}" chromium chromium-browser; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
        echo "chromium: $(command -v "$candidate") ($("$candidate" --version 2>/dev/null || true))"
        exit 0
    fi
done

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "chromium is missing and this user cannot install it: run 'apt-get install chromium' as root" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# apt's own lock serializes concurrent installs; wait for it rather than failing.
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium >/dev/null
echo "chromium: $(command -v chromium) ($(chromium --version 2>/dev/null || true))"
