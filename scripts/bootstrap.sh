#!/usr/bin/env bash
# Set up what canteen-till needs on a fresh Debian/Ubuntu machine, then the Python environment.
# Idempotent and quiet when everything is present. As root it installs system packages with
# apt; otherwise it prints the one apt line to run and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

# swig + libpcsclite-dev + gcc build pyscard (no Linux wheel); pkg-config finds pcsclite;
# the lib* packages let Qt render offscreen; fonts for screen and receipts; poppler-utils
# turns PDF receipts into pictures; util-linux gives mount (full/read-only disk tests) and
# runuser, unshare and setpriv; postgresql gives the binaries for the private cluster the server
# tests start; pcscd and vsmartcard-vpcd are the PC/SC daemon and the virtual reader the reader
# tests drive with a virtual card; libusb lets pyusb reach USB printers.
PACKAGES=(swig libpcsclite-dev gcc pkg-config make libgl1 libegl1 libxkbcommon0
          libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-dejavu-core poppler-utils util-linux
          postgresql pcscd vsmartcard-vpcd libusb-1.0-0)
# A real display: what Qt's xcb platform plugin (libqxcb.so, libQt6XcbQpa.so.6 and its GL
# integrations) and its wayland plugin load, found with ldd until nothing was "not found";
# Xvfb and xauth let the tests start a real X server (tests/terminal/ui/test_real_display.py).
PACKAGES+=(libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
           libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0
           libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libx11-6 libx11-xcb1
           libwayland-client0 libwayland-cursor0 libwayland-egl1 xvfb xauth)

# The Python headers (for pyscard) come with pyenv/uv Pythons; only ask Debian for them if absent.
if ! python3 -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null; then
    PACKAGES+=(python3-dev)
fi
# Without uv we install it with pip; a bare Debian python3 has no pip and no venv.
if ! command -v uv >/dev/null 2>&1 && [[ ! -x "$HOME/.local/bin/uv" ]] \
    && ! python3 -m pip --version >/dev/null 2>&1; then
    PACKAGES+=(python3-pip python3-venv)
fi

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
        echo "sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
    echo "bootstrap: installing uv"
    # A Debian-managed python3 refuses --user installs (PEP 668) unless told it may.
    python3 -m pip install --quiet --user uv 2>/dev/null \
        || python3 -m pip install --quiet --user --break-system-packages uv 2>/dev/null \
        || { command -v pipx >/dev/null 2>&1 && pipx install --quiet uv; } \
        || python3 -m pip install --quiet uv
    hash -r
fi
uv sync --frozen --quiet
