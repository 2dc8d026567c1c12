#!/usr/bin/env bash
# Set up what canteen-till needs on a fresh Debian/Ubuntu machine, then the Python environment.
# Idempotent and quiet when everything is present. As root it installs system packages with
# apt; otherwise it prints the one apt line to run and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

# swig + libpcsclite-dev + gcc build pyscard (no Linux wheel); pkg-config finds pcsclite;
# the lib* packages let Qt render offscreen; fonts for screen and receipts; poppler-utils
# turns PDF receipts into pictures; util-linux gives mount (full/read-only disk tests) and
# runuser; postgresql gives the binaries for the private cluster the server tests start.
PACKAGES=(swig libpcsclite-dev gcc pkg-config make libgl1 libegl1 libxkbcommon0
          libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-dejavu-core poppler-utils util-linux
          postgresql)

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
        echo "bootstrap: installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "bootstrap: missing system packages; run this, then try again:"
        echo "sudo apt-get install -y ${missing[*]}"
        exit 1
    fi
fi

export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
    echo "bootstrap: installing uv"
    python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
fi
uv sync --frozen --quiet
