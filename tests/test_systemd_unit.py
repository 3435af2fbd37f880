"""systemd/kiosk.service: systemd's own verifier, and the options the field depends on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parent.parent / "systemd" / "kiosk.service"


def directives() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_systemd_analyze_verify() -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd); CI installs it")
    if not Path("/usr/local/bin/kiosk").exists():
        pytest.skip("/usr/local/bin/kiosk is missing: the install step `ln -s .../.venv/bin/kiosk /usr/local/bin/kiosk`")
    result = subprocess.run(["systemd-analyze", "verify", str(UNIT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kiosk.service" not in result.stderr, result.stderr


def test_notify_watchdog_restart_and_identity() -> None:
    unit = directives()
    assert unit["Type"] == ["notify"]
    assert unit["WatchdogSec"] and int(unit["WatchdogSec"][0]) > 0
    assert unit["Restart"] == ["on-failure"]
    assert unit["User"] == ["kiosk"]
    assert set(unit["SupplementaryGroups"][0].split()) >= {"video", "dialout"}
    assert unit["StateDirectory"] == ["kiosk"] and unit["ConfigurationDirectory"] == ["kiosk"]
    assert "run" in unit["ExecStart"][0].split()


def test_hardening_keeps_devices_usable() -> None:
    unit = directives()
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["NoNewPrivileges"] == ["yes"]
    assert "PrivateDevices" not in unit  # it would hide /dev/video*, /dev/dma_heap and serial ports
    allowed = " ".join(unit["DeviceAllow"])
    for device in ("char-video4linux", "/dev/dma_heap", "char-ttyUSB", "char-ttyAMA"):
        assert device in allowed
    # No dependency on time sync or the network being up: an offline boot must record punches.
    ordering = " ".join(unit.get("After", []) + unit.get("Wants", []) + unit.get("Requires", []))
    assert "time-sync.target" not in ordering and "network-online.target" not in ordering
    assert "Wants" not in unit and "Requires" not in unit


def test_port_80_without_root() -> None:
    """[soap] listens on port 80 by default: the unit grants that one capability and nothing else."""
    unit = directives()
    assert unit["User"] == ["kiosk"]
    assert unit["AmbientCapabilities"] == ["CAP_NET_BIND_SERVICE"]
    assert unit["CapabilityBoundingSet"] == ["CAP_NET_BIND_SERVICE"]
