"""[schedule]: working hours, holidays and who follows which schedule.

    [schedule]
    default = "5-hari"                  # or "6-hari" (Perbup Musi Rawas 50/2022 Pasal 2(6)), or a custom name
    siang = "12:00-13:30"               # optional midday check window
    apel_monday = true                  # Pasal 2(8)
    apel_time = "07:30"                 # optional: arrivals after it have missed the apel
    holidays_file = "/etc/kiosk/holidays.toml"   # optional: adds to / corrects the shipped calendar
    [schedule.units]
    "Dinas Kesehatan" = "6-hari"        # unit (OPD) -> schedule
    [schedule.custom.igd]               # a named schedule: weekly hours or a shift rotation
    rotation = ["07:00-14:00", "14:00-21:00", "21:00-07:00", "off"]
    anchor = 2026-01-05
    holidays = false
    [[schedule.overrides]]              # date-bounded hours, e.g. Ramadan by circular letter
    name = "Ramadan 1447 H"
    from = 2026-02-19
    to = 2026-03-19
    mon-thu = "08:00-15:00"
    fri = "08:00-15:30"

Each schedule is built once here, with the section's common values (windows, siang, apel, holidays,
overrides) applied, so the rules only ever see finished `Schedule` values. See docs/rules.md.

Parsing reads no file: `holidays_file` is only a path here. The calendar is loaded by a separate,
explicit step (`load_holidays` in kiosk/app/wiring.py), which `kiosk config check`, `kiosk doctor`,
the daemon, the reports and the console call.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import time
from typing import Any, cast

from kiosk.domain import Employee
from kiosk.rules.presets import PRESETS
from kiosk.rules.schedule import WEEKDAYS, Hours, Override, Rotation, Schedule, Windows, parse_clock
from kiosk.settings.errors import ConfigError
from kiosk.settings.validate import (
    check_choice,
    check_date,
    check_table,
    check_table_list,
    check_text_as,
    check_type,
    check_value,
    reject_unknown_keys,
)

_TOP_KEYS = (
    "default", "holidays_file", "cuti_bersama_off", "siang", "apel_monday", "apel_time", "arrival_opens",
    "departure_closes", "opens_before_minutes", "closes_after_minutes", "units", "custom", "overrides",
)  # fmt: skip
_COMMON_KEYS = ("siang", "apel_monday", "apel_time", "holidays", "cuti_bersama_off")
_CUSTOM_KEYS = ("base", "rotation", "anchor", *_COMMON_KEYS)
_OVERRIDE_KEYS = ("name", "from", "to", "applies_to")
_DAY_KEYS = "days such as mon or mon-thu"
_MINUTES: dict[str, Any] = {"min": 0, "max": 720, "unit": "minutes"}
_CLOCK = 'a time in quotes such as "07:00"'
_HOURS = 'hours in quotes such as "07:45-16:15", or "off"'


class UnknownSchedule(ValueError):
    """An employee names a schedule that [schedule] does not define."""


@dataclass(frozen=True)
class ScheduleSettings:
    default: str = "5-hari"
    holidays_file: str = ""  # a path only: load_holidays (kiosk/app/wiring.py) reads it
    units: tuple[tuple[str, str], ...] = ()  # (unit, schedule name)
    schedules: tuple[Schedule, ...] = tuple(PRESETS.values())  # presets and custom, finished

    @staticmethod
    def toml_keys() -> tuple[str, ...]:
        """The keys a [schedule] table may hold (its fields are the parsed, finished values)."""
        return _TOP_KEYS

    @classmethod
    def from_toml(cls, table: dict, where: str) -> ScheduleSettings:
        reject_unknown_keys(table, _TOP_KEYS, where)
        common = _common(table, where)
        custom = check_table(f"{where}.custom", table.get("custom", {}))
        schedules = [_finish(preset, common, {}) for preset in PRESETS.values()]
        schedules += [_custom(name, spec, common, f"{where}.custom.{name}") for name, spec in custom.items()]
        overrides = [
            _override(spec, f"{where}.overrides[{i}]")
            for i, spec in enumerate(check_table_list(f"{where}.overrides", table.get("overrides", [])))
        ]
        schedules = _attach(schedules, overrides, where)
        names = [s.name for s in schedules]
        units = check_table(f"{where}.units", table.get("units", {}))
        return cls(
            default=_known(table.get("default", "5-hari"), names, f"{where}.default"),
            holidays_file=_path(table.get("holidays_file", ""), f"{where}.holidays_file"),
            units=tuple((unit, _known(name, names, f"{where}.units.{unit}")) for unit, name in units.items()),
            schedules=tuple(schedules),
        )

    def schedule(self, name: str) -> Schedule:
        for schedule in self.schedules:
            if schedule.name == name:
                return schedule
        known = ", ".join(s.name for s in self.schedules)
        raise UnknownSchedule(
            f"no schedule named {name!r}; known schedules: {known} (define others in [schedule.custom])"
        )

    def for_employee(self, employee: Employee) -> Schedule:
        """The employee's own schedule, else their unit's, else the default."""
        return self.schedule(employee.schedule or dict(self.units).get(employee.unit) or self.default)


def _common(table: dict, where: str) -> dict:
    """The section-wide values every schedule starts from."""
    windows = Windows(
        arrival_opens=_clock(table.get("arrival_opens", "07:00"), f"{where}.arrival_opens"),
        departure_closes=_clock(table.get("departure_closes", "17:30"), f"{where}.departure_closes"),
        opens_before_minutes=_minutes(table.get("opens_before_minutes", 45), f"{where}.opens_before_minutes"),
        closes_after_minutes=_minutes(table.get("closes_after_minutes", 75), f"{where}.closes_after_minutes"),
    )
    return {"windows": windows, **_flags(table, where)}


def _flags(table: dict, where: str) -> dict:
    """The siang / apel / holiday values a table sets (a custom schedule's replace the section's)."""
    values: dict[str, object] = {}
    if "siang" in table:
        values["siang"] = _hours_or_off(table["siang"], f"{where}.siang")
    if "apel_monday" in table:
        values["apel_monday"] = check_type(f"{where}.apel_monday", table["apel_monday"], bool)
    if "apel_time" in table:
        values["apel_time"] = _clock(table["apel_time"], f"{where}.apel_time") if table["apel_time"] else None
    if "holidays" in table:
        values["observe_holidays"] = check_type(f"{where}.holidays", table["holidays"], bool)
    if "cuti_bersama_off" in table:
        values["observe_cuti_bersama"] = check_type(f"{where}.cuti_bersama_off", table["cuti_bersama_off"], bool)
    return values


def _finish(schedule: Schedule, common: dict, own: dict) -> Schedule:
    return dataclasses.replace(schedule, **{**common, **own})


def _custom(name: str, spec: object, common: dict, where: str) -> Schedule:
    if name in PRESETS:
        raise ConfigError(where, name, f"{name} is a preset; give the custom schedule another name")
    spec = check_table(where, spec)
    reject_unknown_keys(spec, _CUSTOM_KEYS + WEEKDAYS, where, allow=_is_day_key, others=_DAY_KEYS)
    base = PRESETS[_known(spec["base"], list(PRESETS), f"{where}.base")] if "base" in spec else None
    week = list(base.week if base else (None,) * 7)
    for day, hours in _days(spec, where):
        week[day] = hours
    rotation = _rotation(spec, where) if "rotation" in spec else None
    if rotation is None and not any(week):
        raise ConfigError(where, spec, 'no working day: set hours such as mon-thu = "07:45-16:15", or a rotation')
    own = {"week": tuple(week), "rotation": rotation, **_flags(spec, where)}
    return _finish(Schedule(name=name), common, own)


def _rotation(spec: dict, where: str) -> Rotation:
    cycle = spec["rotation"]
    if not isinstance(cycle, list) or not cycle:
        raise ConfigError(
            f"{where}.rotation", cycle, 'must be a list of shifts, e.g. ["07:00-14:00", "21:00-07:00", "off"]'
        )
    if "anchor" not in spec:
        raise ConfigError(f"{where}.anchor", None, "a rotation needs anchor = YYYY-MM-DD, the date of its first entry")
    shifts = tuple(_hours_or_off(item, f"{where}.rotation[{i}]") for i, item in enumerate(cycle))
    return Rotation(check_date(f"{where}.anchor", spec["anchor"]), shifts)


def _override(spec: dict, where: str) -> tuple[Override, tuple[str, ...]]:
    reject_unknown_keys(spec, _OVERRIDE_KEYS + WEEKDAYS, where, allow=_is_day_key, others=_DAY_KEYS)
    for key in ("from", "to"):
        if key not in spec:
            raise ConfigError(f"{where}.{key}", None, f"an override needs {key} = YYYY-MM-DD (inclusive)")
    first, last = check_date(f"{where}.from", spec["from"]), check_date(f"{where}.to", spec["to"])
    if last < first:
        raise ConfigError(f"{where}.to", spec["to"], f"ends before it starts ({first}); swap from and to")
    days = tuple(_days(spec, where))
    if not days:
        raise ConfigError(where, spec, 'no hours: set the days it changes, e.g. mon-thu = "08:00-15:00"')
    applies = cast(tuple[str, ...], check_value(f"{where}.applies_to", spec.get("applies_to", []), tuple[str, ...], {"example": '["5-hari"]'}))
    name = cast(str, check_value(f"{where}.name", spec.get("name", f"{first}..{last}"), str, {"example": "Ramadan 1447 H"}))
    return Override(name, first, last, days), applies


def _attach(schedules: list[Schedule], overrides: list[tuple[Override, tuple[str, ...]]], where: str) -> list[Schedule]:
    names = [s.name for s in schedules]
    for i, (_, applies) in enumerate(overrides):
        for name in applies:
            _known(name, names, f"{where}.overrides[{i}].applies_to")
    return [
        dataclasses.replace(s, overrides=tuple(o for o, applies in overrides if not applies or s.name in applies))
        for s in schedules
    ]


def _days(spec: dict, where: str) -> list[tuple[int, Hours | None]]:
    """mon..sun keys and ranges such as mon-thu -> [(weekday, hours or None)]."""
    found: list[tuple[int, Hours | None]] = []
    for key, value in spec.items():
        if _is_day_key(key):
            hours = _hours_or_off(value, f"{where}.{key}")
            found += [(day, hours) for day in _day_range(key)]
    return found


def _is_day_key(key: str) -> bool:
    parts = key.split("-")
    return (
        len(parts) in (1, 2)
        and all(p in WEEKDAYS for p in parts)
        and WEEKDAYS.index(parts[0]) <= WEEKDAYS.index(parts[-1])
    )


def _day_range(key: str) -> range:
    parts = key.split("-")
    return range(WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1]) + 1)


def _hours_or_off(value: object, key: str) -> Hours | None:
    if value in ("off", "", False):
        return None
    return check_text_as(key, value, Hours.parse, _HOURS)


def _clock(value: object, key: str) -> time:
    return check_text_as(key, value, parse_clock, _CLOCK)


def _minutes(value: object, key: str) -> int:
    return cast(int, check_value(key, value, int, _MINUTES))


def _known(name: object, names: list[str], key: str) -> str:
    return check_choice(key, name, names, noun="known schedules", more="; define others in [schedule.custom.NAME]")


def _path(value: object, key: str) -> str:
    """A file's path, not read here (see load_holidays in kiosk/app/wiring.py)."""
    return cast(str, check_value(key, value, str, {"example": "/etc/kiosk/holidays.toml"}))
