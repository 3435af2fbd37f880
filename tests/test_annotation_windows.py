"""Musi Rawas Pasal 3(7)-(8): when the operator annotates absences (kiosk/rules/annotation.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.rules.annotation import in_annotation_window, works_six_days
from kiosk.rules.presets import PRESETS


@pytest.mark.parametrize(
    ("clock", "five_day", "six_day"),
    [("09:59", False, False), ("10:00", True, True), ("10:59", True, True), ("11:00", False, False),
     ("15:00", False, True), ("15:59", False, True), ("16:00", False, False),
     ("17:00", True, False), ("17:59", True, False), ("18:00", False, False)],
)  # fmt: skip
def test_windows_for_five_and_six_day_units(clock, five_day, six_day):
    moment = datetime.fromisoformat(f"2026-11-02T{clock}:00+07:00")
    assert in_annotation_window(moment, six_day=False) is five_day
    assert in_annotation_window(moment, six_day=True) is six_day


def test_six_day_units_are_recognised_by_their_saturday_hours():
    assert works_six_days(PRESETS["6-hari"], date(2026, 11, 2)) is True
    assert works_six_days(PRESETS["5-hari"], date(2026, 11, 2)) is False
