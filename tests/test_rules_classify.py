"""Punch classification, table-driven; every case names the article it comes from.

MR = Perbup Musi Rawas 50/2022, MB = Perbup Musi Banyuasin 9/2023. Rounding rule (kiosk.rules.classify):
the verdict is taken on the wall-clock minute of the punch, seconds dropped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from kiosk.domain import Classification, Employee, Kind, Status
from kiosk.rules import (
    FIVE_DAY,
    SIX_DAY,
    HolidayCalendar,
    Hours,
    Override,
    Rotation,
    Schedule,
    classify_day,
    classify_punch,
    make_classifier,
)
from kiosk.rules.holidays import bundled

WIB = timezone(timedelta(hours=7))
HOLIDAYS = bundled()
NONE = HolidayCalendar()

RAMADAN = Override(
    "Ramadan 1447 H",
    date(2026, 2, 19),
    date(2026, 3, 19),
    (*((d, Hours.parse("08:00-15:00")) for d in range(4)), (4, Hours.parse("08:00-15:30"))),
)
FIVE_RAMADAN = Schedule("5-hari", week=FIVE_DAY.week, overrides=(RAMADAN,))
NIGHT = Schedule(
    "igd", rotation=Rotation(date(2026, 11, 23), (Hours.parse("21:00-07:00"), None)), observe_holidays=False
)
WITH_SIANG = Schedule("5-hari", week=FIVE_DAY.week, siang=Hours.parse("12:00-13:30"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


D, S, P, OTHER = Kind.DATANG, Kind.SIANG, Kind.PULANG, Kind.OTHER
ON, LATE, EARLY, OUT, UNS = Status.ON_TIME, Status.LATE, Status.EARLY, Status.OUTSIDE_WINDOW, Status.UNSCHEDULED

# 2026-11-23 is a Monday, 27 a Friday, 28 a Saturday.
CASES = [
    # (article, schedule, earlier punches, punch, kind, status, minutes)
    ("MR 2(6)a1: 5-hari Mon starts 07:45, on time at 07:45:00", FIVE_DAY, [], "2026-11-23T07:45:00", D, ON, 0),
    ("MR 2(6)a1 + rounding: 07:45:59 is still 'pukul 07.45'", FIVE_DAY, [], "2026-11-23T07:45:59", D, ON, 0),
    ("MR 2(6)a1: late 1 minute at 07:46:00", FIVE_DAY, [], "2026-11-23T07:46:00", D, LATE, 1),
    ("MR 2(6)a1: late 12 minutes at 07:57:30", FIVE_DAY, [], "2026-11-23T07:57:30", D, LATE, 12),
    ("MR 2(6)a1: 5-hari Mon ends 16:15, on time", FIVE_DAY, ["2026-11-23T07:40"], "2026-11-23T16:15:00", P, ON, 0),
    ("MR 2(6)a1: early 1 minute at 16:14:59", FIVE_DAY, ["2026-11-23T07:40"], "2026-11-23T16:14:59", P, EARLY, 1),
    (
        "MR 2(6)a2: 5-hari Fri ends 16:45, 16:15 is 30 early",
        FIVE_DAY,
        ["2026-11-27T07:40"],
        "2026-11-27T16:15",
        P,
        EARLY,
        30,
    ),
    ("MR 2(6)a2: 5-hari Fri ends 16:45, on time", FIVE_DAY, ["2026-11-27T07:40"], "2026-11-27T16:45", P, ON, 0),
    ("MR 2(2)a: 5-hari units do not work Saturday", FIVE_DAY, [], "2026-11-28T08:00", OTHER, UNS, 0),
    ("MR 2(6)b1: 6-hari Mon ends 14:45", SIX_DAY, ["2026-11-23T07:40"], "2026-11-23T14:45", P, ON, 0),
    ("MR 2(6)b1: 6-hari Mon, 14:40 is 5 early", SIX_DAY, ["2026-11-23T07:40"], "2026-11-23T14:40", P, EARLY, 5),
    ("MR 2(6)b2: 6-hari Fri ends 11:45", SIX_DAY, ["2026-11-27T07:40"], "2026-11-27T11:45", P, ON, 0),
    ("MR 2(6)b2: 6-hari Fri, 11:30 is 15 early", SIX_DAY, ["2026-11-27T07:40"], "2026-11-27T11:30", P, EARLY, 15),
    ("MR 2(6)b3: 6-hari Sat starts 07:45, 07:50 is 5 late", SIX_DAY, [], "2026-11-28T07:50", D, LATE, 5),
    ("MR 2(6)b3: 6-hari Sat ends 13:15", SIX_DAY, ["2026-11-28T07:40"], "2026-11-28T13:15", P, ON, 0),
    ("MR 2(6)b3: 6-hari Sat, 13:00 is 15 early", SIX_DAY, ["2026-11-28T07:40"], "2026-11-28T13:00", P, EARLY, 15),
    ("MR 2(2)b: 6-hari units do not work Sunday", SIX_DAY, [], "2026-11-29T08:00", OTHER, UNS, 0),
    ("MB 7(6): arrival recording opens 07:00, 06:59:59 is outside", FIVE_DAY, [], "2026-11-23T06:59:59", D, OUT, 0),
    ("MB 7(6): 07:00:00 is inside, and on time", FIVE_DAY, [], "2026-11-23T07:00:00", D, ON, 0),
    (
        "MB 7(7): departure recording until 17:30 (inclusive)",
        FIVE_DAY,
        ["2026-11-23T07:40"],
        "2026-11-23T17:30:59",
        P,
        ON,
        0,
    ),
    (
        "MB 7(7): 17:31 is after departure recording closes",
        FIVE_DAY,
        ["2026-11-23T07:40"],
        "2026-11-23T17:31:00",
        P,
        OUT,
        0,
    ),
    ("MB 7(7): a first punch after closing is a departure outside", FIVE_DAY, [], "2026-11-23T19:00", P, OUT, 0),
    ("MR 2(11): Ramadan hours 08:00-15:00, 08:00 on time", FIVE_RAMADAN, [], "2026-03-02T08:00", D, ON, 0),
    ("MR 2(11): Ramadan hours, 08:05 is 5 late", FIVE_RAMADAN, [], "2026-03-02T08:05", D, LATE, 5),
    ("MR 2(11): Ramadan hours end 15:00", FIVE_RAMADAN, ["2026-03-02T07:58"], "2026-03-02T15:00", P, ON, 0),
    ("MR 2(11): Ramadan Friday ends 15:30", FIVE_RAMADAN, ["2026-03-06T07:58"], "2026-03-06T15:10", P, EARLY, 20),
    ("MR 2(11): after the override the regular hours return", FIVE_RAMADAN, [], "2026-03-30T08:00", D, LATE, 15),
    ("MR 1(10), 2(7): night shift 21:00-07:00, 21:10 is 10 late", NIGHT, [], "2026-11-23T21:10", D, LATE, 10),
    ("MR 1(10), 2(7): night shift ends 07:00 next day", NIGHT, ["2026-11-23T20:50"], "2026-11-24T07:00", P, ON, 0),
    (
        "MR 1(10), 2(7): night shift, 06:30 next day is 30 early",
        NIGHT,
        ["2026-11-23T20:50"],
        "2026-11-24T06:30",
        P,
        EARLY,
        30,
    ),
    ("MR 1(10), 2(7): night shift, arrival window opens 45 min ahead", NIGHT, [], "2026-11-23T20:14", D, OUT, 0),
    ("MR 2(1): national holiday (17 Aug 2026, Monday) is not judged", FIVE_DAY, [], "2026-08-17T07:40", OTHER, UNS, 0),
    ("MR 2(1): cuti bersama (24 Dec 2026) is not judged", FIVE_DAY, [], "2026-12-24T07:40", OTHER, UNS, 0),
    (
        "siang: with the midday check, 12:15 after an arrival",
        WITH_SIANG,
        ["2026-11-23T07:40"],
        "2026-11-23T12:15",
        S,
        ON,
        0,
    ),
    ("siang: without an arrival, 11:00 is a late arrival (MR 3(4))", WITH_SIANG, [], "2026-11-23T11:00", D, LATE, 195),
    ("a first punch from the midpoint (12:00) on is a departure", FIVE_DAY, [], "2026-11-23T12:00", P, EARLY, 255),
    (
        "a second punch in the morning is an early departure",
        FIVE_DAY,
        ["2026-11-23T07:40"],
        "2026-11-23T10:00",
        P,
        EARLY,
        375,
    ),
    (
        "outside-window punches do not count as the arrival",
        FIVE_DAY,
        ["2026-11-23T06:50"],
        "2026-11-23T07:50",
        D,
        LATE,
        5,
    ),
    ("yesterday's punches are ignored", FIVE_DAY, ["2026-11-20T07:40"], "2026-11-23T07:40", D, ON, 0),
]


@pytest.mark.parametrize("article, schedule, earlier, punch, kind, status, minutes", CASES, ids=[c[0] for c in CASES])
def test_classify_punch(article, schedule, earlier, punch, kind, status, minutes) -> None:
    got = classify_punch(schedule, [at(t) for t in earlier], at(punch), HOLIDAYS)
    assert got == Classification(kind, status, minutes), article


def test_wall_clock_of_the_punch_is_used() -> None:
    # 00:46 UTC is 07:46 WIB: the punch's own recorded offset decides (the time the screen showed).
    utc = datetime(2026, 11, 23, 0, 46, tzinfo=UTC)
    assert classify_punch(FIVE_DAY, [], utc.astimezone(WIB), NONE) == Classification(D, LATE, 1)


def test_classify_day_keeps_every_punch_and_picks_marks() -> None:
    """MB 7(6)-(7): outside-window punches are kept but do not count; the last departure counts."""
    punches = [
        at(t)
        for t in ("2026-11-23T06:50", "2026-11-23T07:50", "2026-11-23T15:00", "2026-11-23T16:20", "2026-11-23T17:45")
    ]
    day = classify_day(punches, FIVE_DAY, date(2026, 11, 23), NONE)
    assert [c.status for _, c in day.punches] == [OUT, LATE, EARLY, ON, OUT]
    assert day.datang.status is LATE and day.datang.minutes == 5
    assert day.pulang.time == datetime(2026, 11, 23, 16, 20) and day.pulang.status is ON
    assert day.outside == (datetime(2026, 11, 23, 6, 50), datetime(2026, 11, 23, 17, 45))
    assert day.missing == () and day.present


def test_classify_day_missing_and_siang() -> None:
    day = classify_day([at("2026-11-23T16:30")], WITH_SIANG, date(2026, 11, 23), NONE)
    assert day.datang is None and day.siang is None and day.pulang.status is ON
    assert day.missing == (Kind.DATANG, Kind.SIANG)


def test_six_day_friday_has_no_siang_check() -> None:
    six = Schedule("6-hari", week=SIX_DAY.week, siang=Hours.parse("12:00-13:30"))
    day = classify_day([], six, date(2026, 11, 27), NONE)
    assert not day.siang_expected and day.missing == (Kind.DATANG, Kind.PULANG)


def test_night_shift_day_collects_next_morning() -> None:
    """MR 1(10): the shift belongs to the date it starts; its departure is on the next date."""
    punches = [at("2026-11-23T20:55"), at("2026-11-24T07:05")]
    day = classify_day(punches, NIGHT, date(2026, 11, 23), NONE)
    assert day.datang.status is ON and day.pulang.status is ON and day.pulang.time.date() == date(2026, 11, 24)
    assert not classify_day(punches, NIGHT, date(2026, 11, 24), NONE).working  # rotation: day off


def test_holiday_day_is_not_working() -> None:
    """17 Aug 2026 (SKB 3 Menteri 2026): no period, so nothing can be TK."""
    day = classify_day([], FIVE_DAY, date(2026, 8, 17), HOLIDAYS)
    assert not day.working and day.holiday.name == "Proklamasi Kemerdekaan" and day.missing == ()


def test_shift_units_may_work_through_holidays() -> None:
    worked = Schedule("pelayanan", week=FIVE_DAY.week, observe_holidays=False)
    assert classify_punch(worked, [], at("2026-08-17T07:46"), HOLIDAYS) == Classification(D, LATE, 1)


def test_cuti_bersama_can_be_a_working_day() -> None:
    kept = Schedule("5-hari", week=FIVE_DAY.week, observe_cuti_bersama=False)
    assert classify_punch(kept, [], at("2026-12-24T07:40"), HOLIDAYS).status is ON
    assert classify_punch(kept, [], at("2026-12-25T07:40"), HOLIDAYS).status is UNS  # Natal stays a holiday


def test_apel_monday() -> None:
    """MR 2(8): Monday apel; with an apel time, an arrival after it missed the apel."""
    apel = Schedule("5-hari", week=FIVE_DAY.week, apel_time=time(7, 30))
    assert classify_day([at("2026-11-23T07:35")], apel, date(2026, 11, 23), NONE).apel_missed is True
    assert classify_day([at("2026-11-23T07:30:40")], apel, date(2026, 11, 23), NONE).apel_missed is False
    assert classify_day([at("2026-11-24T07:35")], apel, date(2026, 11, 24), NONE).apel_missed is None


def test_make_classifier_uses_the_employees_schedule() -> None:
    from kiosk.settings.schedule import ScheduleSettings

    settings = ScheduleSettings(units=(("Dinas Kesehatan", "6-hari"),))
    classify = make_classifier(settings, HOLIDAYS, WIB)
    five = Employee("198001012006041001", "Ani", unit="Setda")
    six = Employee("198001012006041002", "Budi", unit="Dinas Kesehatan")
    assert classify(five, at("2026-11-28T07:50"), []) == Classification(OTHER, UNS, 0)
    assert classify(six, at("2026-11-28T07:50"), []) == Classification(D, LATE, 5)


def test_classifier_never_raises_for_an_unknown_schedule() -> None:
    """Every punch is kept: a bad schedule name leaves it unjudged instead of failing the record."""
    from kiosk.settings.schedule import ScheduleSettings

    classify = make_classifier(ScheduleSettings(), HOLIDAYS, WIB)
    stray = Employee("198001012006041003", "Citra", schedule="shift-x")
    assert classify(stray, at("2026-11-23T07:50"), []) == Classification(OTHER, UNS, 0)
