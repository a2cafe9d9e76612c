#!/usr/bin/env bash
# Install Debian's PostgreSQL server for tests/deploy, unless its binaries are there.
# Idempotent: does nothing (and needs no network) when `initdb` is already installed.
# Called by `make postgres` / `make test` and by tests/deploy/conftest.py when it is missing.
# The test starts its own server (initdb in a temporary folder, a free port, as the
# `postgres` user); it never touches the package's default cluster.
set -euo pipefail

for candidate in /usr/lib/postgresql/*/bin/initdb "$(command -v initdb 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        echo "postgresql: $candidate ($("$candidate" --version 2>/dev/null || true))"
        exit 0
    fi
done

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "postgresql is missing and this user cannot install it: run 'apt-get install postgresql' as root" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# apt's own lock serializes concurrent installs; wait for it rather than failing.
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends postgresql >/dev/null
found=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)
echo "postgresql: $found ($("$found" --version))"
