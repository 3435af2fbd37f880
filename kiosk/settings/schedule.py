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
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from kiosk.domain import Employee
from kiosk.rules import holidays as holiday_files
from kiosk.rules.holidays import HolidayCalendar
from kiosk.rules.presets import PRESETS
from kiosk.rules.schedule import WEEKDAYS, Hours, Override, Rotation, Schedule, Windows, parse_clock
from kiosk.settings.errors import ConfigError

_TOP_KEYS = (
    "default", "holidays_file", "cuti_bersama_off", "siang", "apel_monday", "apel_time", "arrival_opens",
    "departure_closes", "opens_before_minutes", "closes_after_minutes", "units", "custom", "overrides",
)  # fmt: skip
_COMMON_KEYS = ("siang", "apel_monday", "apel_time", "holidays", "cuti_bersama_off")
_CUSTOM_KEYS = ("base", "rotation", "anchor", *_COMMON_KEYS)
_OVERRIDE_KEYS = ("name", "from", "to", "applies_to")


class UnknownSchedule(ValueError):
    """An employee names a schedule that [schedule] does not define."""


@dataclass(frozen=True)
class ScheduleSettings:
    default: str = "5-hari"
    holidays_file: str = ""
    units: tuple[tuple[str, str], ...] = ()  # (unit, schedule name)
    schedules: tuple[Schedule, ...] = tuple(PRESETS.values())  # presets and custom, finished

    @staticmethod
    def toml_keys() -> tuple[str, ...]:
        """The keys a [schedule] table may hold (its fields are the parsed, finished values)."""
        return _TOP_KEYS

    @classmethod
    def from_toml(cls, table: dict, where: str) -> ScheduleSettings:
        _reject_unknown(table, _TOP_KEYS, where)
        common = _common(table, where)
        custom = _table(table.get("custom", {}), f"{where}.custom")
        schedules = [_finish(preset, common, {}, f"{where}") for preset in PRESETS.values()]
        schedules += [_custom(name, spec, common, f"{where}.custom.{name}") for name, spec in custom.items()]
        overrides = [
            _override(spec, f"{where}.overrides[{i}]") for i, spec in enumerate(_list(table, "overrides", where))
        ]
        schedules = _attach(schedules, overrides, where)
        names = [s.name for s in schedules]
        settings = cls(
            default=_known(table.get("default", "5-hari"), names, f"{where}.default"),
            holidays_file=_holidays_file(table.get("holidays_file", ""), f"{where}.holidays_file"),
            units=tuple((unit, _known(name, names, f"{where}.units.{unit}")) for unit, name in _units(table, where)),
            schedules=tuple(schedules),
        )
        return settings

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

    def holidays(self) -> HolidayCalendar:
        """The shipped calendar with `holidays_file` applied (raises HolidayFileError naming the entry)."""
        return holiday_files.load(Path(self.holidays_file) if self.holidays_file else None)


def _common(table: dict, where: str) -> dict:
    """The section-wide values every schedule starts from."""
    windows = Windows(
        arrival_opens=_clock(table.get("arrival_opens", "07:00"), f"{where}.arrival_opens"),
        departure_closes=_clock(table.get("departure_closes", "17:30"), f"{where}.departure_closes"),
        opens_before_minutes=_minutes(table.get("opens_before_minutes", 45), f"{where}.opens_before_minutes"),
        closes_after_minutes=_minutes(table.get("closes_after_minutes", 75), f"{where}.closes_after_minutes"),
    )
    return {"windows": windows, **_flags(table, where, {})}


def _flags(table: dict, where: str, base: dict) -> dict:
    """siang / apel / holiday values of a table, falling back to `base`."""
    values = dict(base)
    if "siang" in table:
        values["siang"] = _hours_or_off(table["siang"], f"{where}.siang")
    if "apel_monday" in table:
        values["apel_monday"] = _bool(table["apel_monday"], f"{where}.apel_monday")
    if "apel_time" in table:
        values["apel_time"] = _clock(table["apel_time"], f"{where}.apel_time") if table["apel_time"] else None
    if "holidays" in table:
        values["observe_holidays"] = _bool(table["holidays"], f"{where}.holidays")
    if "cuti_bersama_off" in table:
        values["observe_cuti_bersama"] = _bool(table["cuti_bersama_off"], f"{where}.cuti_bersama_off")
    return values


def _finish(schedule: Schedule, common: dict, own: dict, where: str) -> Schedule:
    return dataclasses.replace(schedule, **{**common, **own})


def _custom(name: str, spec: object, common: dict, where: str) -> Schedule:
    if name in PRESETS:
        raise ConfigError(where, name, f"{name} is a preset; give the custom schedule another name")
    spec = _table(spec, where)
    _reject_unknown(spec, _CUSTOM_KEYS + WEEKDAYS, where, allow=_is_day_key)
    base = PRESETS[_known(spec.get("base", "5-hari"), list(PRESETS), f"{where}.base")] if "base" in spec else None
    week = list(base.week if base else (None,) * 7)
    for day, hours in _days(spec, where):
        week[day] = hours
    rotation = _rotation(spec, where) if "rotation" in spec else None
    if rotation is None and not any(week):
        raise ConfigError(where, spec, 'no working day: set hours such as mon-thu = "07:45-16:15", or a rotation')
    own = {"week": tuple(week), "rotation": rotation, **_flags(spec, where, {})}
    return _finish(Schedule(name=name), common, own, where)


def _rotation(spec: dict, where: str) -> Rotation:
    cycle = spec["rotation"]
    if not isinstance(cycle, list) or not cycle:
        raise ConfigError(
            f"{where}.rotation", cycle, 'must be a list of shifts, e.g. ["07:00-14:00", "21:00-07:00", "off"]'
        )
    if "anchor" not in spec:
        raise ConfigError(f"{where}.anchor", None, "a rotation needs anchor = YYYY-MM-DD, the date of its first entry")
    shifts = tuple(_hours_or_off(item, f"{where}.rotation[{i}]") for i, item in enumerate(cycle))
    return Rotation(_date(spec["anchor"], f"{where}.anchor"), shifts)


def _override(spec: object, where: str) -> tuple[Override, tuple[str, ...]]:
    spec = _table(spec, where)
    _reject_unknown(spec, _OVERRIDE_KEYS + WEEKDAYS, where, allow=_is_day_key)
    for key in ("from", "to"):
        if key not in spec:
            raise ConfigError(f"{where}.{key}", None, f"an override needs {key} = YYYY-MM-DD (inclusive)")
    first, last = _date(spec["from"], f"{where}.from"), _date(spec["to"], f"{where}.to")
    if last < first:
        raise ConfigError(f"{where}.to", spec["to"], f"ends before it starts ({first}); swap from and to")
    days = tuple(_days(spec, where))
    if not days:
        raise ConfigError(where, spec, 'no hours: set the days it changes, e.g. mon-thu = "08:00-15:00"')
    applies = spec.get("applies_to", [])
    if not isinstance(applies, list) or not all(isinstance(n, str) for n in applies):
        raise ConfigError(f"{where}.applies_to", applies, 'must be a list of schedule names, e.g. ["5-hari"]')
    return Override(str(spec.get("name", f"{first}..{last}")), first, last, days), tuple(applies)


def _attach(schedules: list[Schedule], overrides: list[tuple[Override, tuple[str, ...]]], where: str) -> list[Schedule]:
    names = [s.name for s in schedules]
    for i, (_override_, applies) in enumerate(overrides):
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
    if not isinstance(value, str):
        raise ConfigError(key, value, 'must be hours in quotes such as "07:45-16:15", or "off"')
    try:
        return Hours.parse(value)
    except ValueError as exc:
        raise ConfigError(key, value, str(exc)) from None


def _clock(value: object, key: str) -> time:
    if not isinstance(value, str):
        raise ConfigError(key, value, 'must be a time in quotes such as "07:00"')
    try:
        return parse_clock(value)
    except ValueError as exc:
        raise ConfigError(key, value, str(exc)) from None


def _date(value: object, key: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    raise ConfigError(key, value, "must be a date such as 2026-02-19 (YYYY-MM-DD)")


def _bool(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(key, value, "must be true or false (without quotes)")
    return value


def _minutes(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 720:
        raise ConfigError(key, value, "must be a whole number of minutes between 0 and 720")
    return value


def _known(name: object, names: list[str], key: str) -> str:
    if isinstance(name, str) and name in names:
        return name
    close = difflib.get_close_matches(str(name), names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise ConfigError(key, name, f"{hint}known schedules: {', '.join(names)} (define others in [schedule.custom.NAME])")


def _holidays_file(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(key, value, 'must be a path in quotes, e.g. "/etc/kiosk/holidays.toml"')
    if value and not Path(value).is_file():
        raise ConfigError(
            key, value, "file not found; create it ([[holiday]] entries, see docs/rules.md) or remove the key"
        )
    if value:
        try:
            holiday_files.load(Path(value))
        except holiday_files.HolidayFileError as exc:
            raise ConfigError(key, value, str(exc)) from None
    return value


def _units(table: dict, where: str) -> list[tuple[str, object]]:
    return list(_table(table.get("units", {}), f"{where}.units").items())


def _table(value: object, key: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(key, value, f"must be a table: [{key}]")
    return value


def _list(table: dict, name: str, where: str) -> list:
    value = table.get(name, [])
    if not isinstance(value, list):
        raise ConfigError(f"{where}.{name}", value, f"must be a list of tables: [[{where}.{name}]]")
    return value


def _reject_unknown(table: dict, known: tuple[str, ...], where: str, allow=lambda key: False) -> None:
    for key, value in table.items():
        if key in known or allow(key):
            continue
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"valid keys are: {', '.join(known)}"
        raise ConfigError(f"{where}.{key}", value, f"unknown key; {hint}")
