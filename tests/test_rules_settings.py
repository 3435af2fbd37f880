"""[schedule] parsing: presets, custom schedules, rotations, overrides, and errors naming the key."""

from __future__ import annotations

import tomllib
from datetime import date, time
from pathlib import Path

import pytest

from kiosk.app.wiring import load_holidays
from kiosk.domain import Employee
from kiosk.rules.holidays import HolidayKind
from kiosk.rules.schedule import Hours
from kiosk.settings import Settings, load_settings
from kiosk.settings.errors import ConfigError
from kiosk.settings.schedule import ScheduleSettings

FULL = """
default = "5-hari"
siang = "12:00-13:30"
apel_time = "07:30"
[units]
"Dinas Kesehatan" = "6-hari"
"RSUD" = "igd"
[custom.igd]
rotation = ["07:00-14:00", "14:00-21:00", "21:00-07:00", "off"]
anchor = 2026-01-05
holidays = false
siang = "off"
[custom.pelayanan]
base = "5-hari"
mon-thu = "07:30-16:00"
sat = "08:00-12:00"
[[overrides]]
name = "Ramadan 1447 H"
from = 2026-02-19
to = "2026-03-19"
applies_to = ["5-hari"]
mon-thu = "08:00-15:00"
fri = "08:00-15:30"
"""


def parse(text: str) -> ScheduleSettings:
    return ScheduleSettings.from_toml(tomllib.loads(text), "schedule")


def test_defaults_are_the_presets() -> None:
    settings = ScheduleSettings()
    assert settings.for_employee(Employee("1", "A")).name == "5-hari"
    assert str(settings.schedule("6-hari").week[5]) == "07:45-13:15"  # Perbup Musi Rawas 50/2022 Pasal 2(6)b3


def test_full_section() -> None:
    s = parse(FULL)
    five, six, igd, pelayanan = (s.schedule(n) for n in ("5-hari", "6-hari", "igd", "pelayanan"))
    assert five.siang == Hours.parse("12:00-13:30") and five.apel_time == time(7, 30)
    assert igd.siang is None and not igd.observe_holidays
    assert igd.hours_on(date(2026, 1, 7)) == Hours.parse("21:00-07:00") and igd.hours_on(date(2026, 1, 8)) is None
    assert pelayanan.week[0] == Hours.parse("07:30-16:00") and pelayanan.week[4] == Hours.parse("07:45-16:45")
    assert pelayanan.week[5] == Hours.parse("08:00-12:00") and pelayanan.week[6] is None
    assert five.hours_on(date(2026, 3, 2)) == Hours.parse("08:00-15:00")  # Ramadan, Pasal 2(11)
    assert six.overrides == () and pelayanan.overrides == ()  # applies_to = ["5-hari"] only
    assert s.for_employee(Employee("1", "A", unit="Dinas Kesehatan")).name == "6-hari"
    assert s.for_employee(Employee("1", "A", unit="RSUD", schedule="pelayanan")).name == "pelayanan"


@pytest.mark.parametrize(
    "text, key, fix",
    [
        ('defualt = "5-hari"', "schedule.defualt", "did you mean 'default'"),
        ('default = "5-hary"', "schedule.default", "did you mean '5-hari'"),
        ('siang = "12.00 to 13.30"', "schedule.siang", "HH:MM-HH:MM"),
        ('[units]\nX = "7-hari"', "schedule.units.X", "known schedules"),
        ('[custom.x]\nmon = "25:00-26:00"', "schedule.custom.x.mon", "hours go to 23"),
        ('[custom.x]\nmonday = "07:00-15:00"', "schedule.custom.x.monday", "unknown key"),
        ('[custom.x]\nrotation = ["07:00-14:00"]', "schedule.custom.x.anchor", "anchor = YYYY-MM-DD"),
        ('[custom.5-hari]\nmon = "07:00-15:00"', "schedule.custom.5-hari", "is a preset"),
        ('[[overrides]]\nfrom = 2026-03-19\nto = 2026-02-19\nmon = "08:00-15:00"', "schedule.overrides[0].to", "swap"),
        ("[[overrides]]\nfrom = 2026-02-19\nto = 2026-03-19", "schedule.overrides[0]", "no hours"),
        (
            '[[overrides]]\nfrom = 2026-02-19\nto = 2026-03-19\nmon = "08:00-15:00"\napplies_to = ["6-harii"]',
            "schedule.overrides[0].applies_to",
            "did you mean '6-hari'",
        ),
        ("holidays_file = 1", "schedule.holidays_file", 'holidays_file = "/etc/kiosk/holidays.toml"'),
        ("apel_monday = 1", "schedule.apel_monday", "true or false"),
        ("opens_before_minutes = 721", "schedule.opens_before_minutes", "at most 720 minutes"),
        ('closes_after_minutes = "75"', "schedule.closes_after_minutes", "whole number of minutes"),
        ('apel_time = 730', "schedule.apel_time", 'a time in quotes such as "07:00"'),
        ("overrides = 1", "schedule.overrides", "[[schedule.overrides]]"),
        ("units = 1", "schedule.units", "must be a table"),
        ('[custom.x]\nbase = "5-hary"\nmon = "07:00-15:00"', "schedule.custom.x.base", "did you mean '5-hari'"),
        ('[custom.x]\nmon = "07:00-15:00"\nanchr = 2026-01-05', "schedule.custom.x.anchr", "did you mean 'anchor'"),
        ('[custom.x]\nmon = "07:00-15:00"\nzzz = 1', "schedule.custom.x.zzz", "days such as mon or mon-thu"),
    ],
)
def test_errors_name_key_and_fix(text: str, key: str, fix: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    assert caught.value.key == key and fix in caught.value.fix


def test_holidays_file_adds_and_removes(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.toml"
    extra.write_text(
        '[[holiday]]\ndate = 2026-11-23\nname = "Hari jadi Kabupaten"\n[[holiday]]\ndate = 2026-12-24\nremove = true\n'
    )
    calendar = load_holidays(Settings(schedule=parse(f'holidays_file = "{extra}"')))
    assert calendar.get(date(2026, 11, 23)).name == "Hari jadi Kabupaten"
    assert calendar.get(date(2026, 12, 24)) is None  # the cuti bersama was cancelled
    assert calendar.get(date(2026, 8, 17)).kind is HolidayKind.LIBUR


def test_bad_holidays_file_is_a_config_error_of_the_load_step(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.toml"
    extra.write_text('[[holiday]]\ndate = "17 Agustus"\nname = "x"\n')
    settings = Settings(schedule=parse(f'holidays_file = "{extra}"'))  # parsing reads no file
    with pytest.raises(ConfigError) as caught:
        load_holidays(settings)
    assert caught.value.key == "schedule.holidays_file" and caught.value.value == str(extra)
    assert "holiday #1" in caught.value.fix and "2026-08-17" in caught.value.fix


def test_parsing_reads_no_holiday_file_and_the_load_step_names_a_missing_one(tmp_path: Path) -> None:
    missing = tmp_path / "holidays.toml"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[schedule]\nholidays_file = "{missing}"\n')
    settings = load_settings(config)  # pure: succeeds though the file is not there
    assert settings.schedule.holidays_file == str(missing)
    with pytest.raises(ConfigError) as caught:
        load_holidays(settings)
    message = str(caught.value)
    assert message.startswith(f"{config}: schedule.holidays_file = '{missing}': file not found")
    assert "create it ([[holiday]] entries" in message and "holidays_file" in caught.value.fix


def test_bundled_calendar_2026_matches_the_skb() -> None:
    """SKB 3 Menteri 2026: 17 libur nasional and 8 cuti bersama, all verified; 2027 flagged."""
    calendar = load_holidays(Settings())
    kinds = [h.kind for h in calendar.year(2026)]
    assert kinds.count(HolidayKind.LIBUR) == 17 and kinds.count(HolidayKind.CUTI_BERSAMA) == 8
    assert calendar.unverified(2026) == [] and len(calendar.unverified(2027)) == len(calendar.year(2027)) > 0
