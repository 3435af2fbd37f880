"""`kiosk doctor`: every check reported with a status; exit 1 on any failure, 0 when all is well."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sync.receiver import Receiver

from helpers import write_token

REPO = Path(__file__).resolve().parent.parent
CHECKS = {"config", "database", "disk", "clock", "camera", "face models"}


def example_config(tmp_path: Path, extra: str = "") -> Path:
    text = (REPO / "config" / "kiosk.example.toml").read_text()
    config = tmp_path / "kiosk.toml"
    config.write_text(text.replace('data_dir = "/var/lib/kiosk"', f'data_dir = "{tmp_path}/data"') + extra)
    return config


def test_example_config_without_camera_fails_clearly(kiosk, tmp_path: Path) -> None:
    if Path("/dev/video0").exists():
        pytest.skip("this machine has a camera at /dev/video0")
    config = example_config(tmp_path)
    table = kiosk("doctor", config=config)
    assert table.exit_code == 1
    assert "check(s) failed: camera" in table.output
    for name in CHECKS:
        assert name in table.output
    result = kiosk("doctor", "--json", config=config)
    assert result.exit_code == 1
    checks = {c["check"]: c for c in json.loads(result.output)}
    assert CHECKS <= set(checks)
    assert checks["camera"]["status"] == "fail" and "camera.source" in checks["camera"]["detail"]
    assert checks["database"]["status"] == "ok" and checks["face models"]["status"] == "ok"
    assert "run by numpy" in checks["face models"]["detail"]  # the fast encoder, not dlib's own fallback


def test_file_camera_and_running_receiver_pass(kiosk, tmp_path: Path, faces: Path) -> None:
    token = write_token(tmp_path / "siap.token", "doctor-token")
    with Receiver(tmp_path / "receiver.db", "doctor-token") as receiver:
        config = example_config(tmp_path).read_text()
        config = config.replace('source = "auto"', f'source = "{faces / "short_hamilton_clip.mp4"}"', 1)
        config = config.replace('url = ""', f'url = "{receiver.url}"', 1).replace('token_file = ""', f'token_file = "{token}"', 1)
        path = tmp_path / "kiosk.toml"
        path.write_text(config)
        result = kiosk("doctor", "--json", config=path)
        assert result.exit_code == 0, result.output
        checks = {c["check"]: c for c in json.loads(result.output)}
        assert checks["camera"]["status"] == "ok" and "640x360" in checks["camera"]["detail"]
        assert checks["server siap"]["status"] == "ok" and "token accepted" in checks["server siap"]["detail"]
        assert checks["clock"]["status"] in ("ok", "warn")  # an unsynchronised clock warns, never fails
        write_token(token, "wrong-token")
        refused = kiosk("doctor", "--json", config=path)
        assert refused.exit_code == 1
        assert "refused the token" in {c["check"]: c for c in json.loads(refused.output)}["server siap"]["detail"]
