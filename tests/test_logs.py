"""Logs: journald priority prefixes under systemd, and no employee names or face data in them."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.logs import JournalFormatter, configure_logging


def test_journal_prefix_per_line() -> None:
    formatter = JournalFormatter("%(name)s: %(message)s")
    record = logging.LogRecord("kiosk.x", logging.WARNING, __file__, 1, "camera %s gone", ("/dev/video0",), None)
    assert formatter.format(record) == "<4>kiosk.x: camera /dev/video0 gone"
    record = logging.LogRecord("kiosk.x", logging.ERROR, __file__, 1, "two\nlines", (), None)
    assert formatter.format(record) == "<3>kiosk.x: two\n<3>lines"


def test_under_systemd_uses_journal_format() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        handler = configure_logging(environ={"JOURNAL_STREAM": "8:12345"})
        assert isinstance(handler.formatter, JournalFormatter)
        handler = configure_logging(environ={})
        assert not isinstance(handler.formatter, JournalFormatter)
    finally:
        root.handlers[:], root.level = saved


def test_punch_logs_name_the_nip_not_the_person(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from kiosk.app.daemon import Kiosk
    from kiosk.domain import Employee
    from kiosk.settings import settings_from_dict

    settings = settings_from_dict({"device": {"data_dir": str(tmp_path)}})
    kiosk = Kiosk(settings)  # the store and the recorder exist from the constructor on
    kiosk.store.employees.add(Employee(nip="198001012006041001", name="Budi Santoso"))
    caplog.set_level(logging.DEBUG)
    kiosk.record_fingerprint("198001012006041001", datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Asia/Jakarta")), None)
    kiosk.stop()
    punch_lines = [r.getMessage() for r in caplog.records if "fingerprint punch" in r.getMessage()]
    assert len(punch_lines) == 1 and "198001012006041001" in punch_lines[0]  # the punch is logged, by NIP
    assert "Budi" not in caplog.text and "Santoso" not in caplog.text
