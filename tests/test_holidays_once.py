"""The daemon reads the holiday file once and judges punches and shows the console by that one calendar.

A real kiosk in this process (a video file as the camera, the console on 127.0.0.1); the holiday
file's reads are counted by wrapping the real loader, which still does the reading.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.app.supervisor import RestartBudget
from kiosk.rules import holidays as holiday_files

from helpers import free_port
from test_daemon import door_config
from test_restarts import running_kiosk


def test_the_recorder_and_the_console_share_one_reading_of_the_holiday_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "holidays.toml"
    extra.write_text('[[holiday]]\ndate = 2026-11-23\nname = "Hari jadi Kabupaten"\n')
    reads: list[Path | None] = []
    real_load = holiday_files.load

    def counted(path: Path | None = None):
        reads.append(path)
        return real_load(path)

    monkeypatch.setattr(holiday_files, "load", counted)
    config = door_config(
        tmp_path,
        f"""
        [schedule]
        holidays_file = "{extra}"
        [console]
        enabled = true
        port = {free_port()}
        """,
    )
    with running_kiosk(config, RestartBudget()) as kiosk:
        assert kiosk.part_states()["console"] == "running"
        assert reads == [extra], f"the holiday file was read {len(reads)} times"
        assert kiosk.holidays.get(date(2026, 11, 23)).name == "Hari jadi Kabupaten"
