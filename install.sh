#!/usr/bin/env bash
# Install siap-kiosk into a virtual environment (.venv beside this file).
#   ./install.sh          on Debian/Ubuntu (x86_64 or aarch64)
#   ./install.sh --pi     on Raspberry Pi OS: the venv also sees apt's python3-picamera2
# Nothing is compiled: dlib comes from the dlib-bin wheels.
set -euo pipefail
cd "$(dirname "$0")"

pi=0
[ "${1:-}" = "--pi" ] && pi=1
python=${PYTHON:-python3}

need_apt=()
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || {
    echo "error: siap-kiosk needs Python 3.11 or newer (Debian 12, Ubuntu 24.04, Raspberry Pi OS bookworm)." >&2
    exit 1
}
"$python" -c 'import ensurepip, venv' 2>/dev/null || need_apt+=(python3-venv)
if [ $pi = 1 ]; then
    "$python" -c 'import picamera2' 2>/dev/null || need_apt+=(python3-picamera2)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "Installing system packages: ${need_apt[*]}"
    $sudo apt-get update -q
    $sudo apt-get install -y -q "${need_apt[@]}"
fi

venv_args=()
[ $pi = 1 ] && venv_args+=(--system-site-packages)   # picamera2 only comes from apt
"$python" -m venv "${venv_args[@]}" .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q --only-binary=dlib-bin -e '.[test,bench]'
# The service runs with ProtectSystem=strict as user kiosk: it cannot write __pycache__ next to the
# sources, so without this every start compiles ~110 modules again (~0.1 CPU-s on x86, most of a
# second on a Pi core), all before READY=1 (docs/face-recognition.md, "Start-up").
.venv/bin/python -m compileall -q kiosk drivers sync
echo
echo "Installed. Next: .venv/bin/kiosk demo   (or: source .venv/bin/activate)"
