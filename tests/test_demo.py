"""`kiosk demo` works with no config, no camera and no network (public-domain sample photo shipped in kiosk/demo_data)."""

from __future__ import annotations

from click.testing import CliRunner

from kiosk.cli.main import cli
from kiosk.domain import Method


def test_demo_enrolls_the_sample_face_and_records_one_punch(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "absent.toml"))  # the demo must not need a config
    result = CliRunner().invoke(cli, ["demo", "--keep", str(tmp_path / "demo")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "liveness is OFF" in result.output
    assert "Punches recorded: 1" in result.output
    assert "Terima kasih, Eileen" in result.output  # the door speaks Bahasa Indonesia by default
    assert "sudah tercatat" in result.output.lower()  # walking up again within face.repeat_minutes
    assert "Delivered 1 punch(es) to the reference receiver" in result.output and "queue empty" in result.output

    from kiosk.store import Store

    with Store.open(tmp_path / "demo" / "kiosk.db") as store:
        (punch,) = store.punches.page()
    assert punch.method == Method.FACE and (tmp_path / "demo" / punch.photo).is_file()
