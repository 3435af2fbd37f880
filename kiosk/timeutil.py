"""Time helpers: the store keeps UTC text; people see device-local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Years a punch, a report or an export may name. Far outside them date arithmetic overflows
# (9999-12-31 + 1 day), and no attendance record of this terminal can be there.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class OutOfRange(ValueError):
    """A date or time outside FIRST_YEAR..LAST_YEAR."""


def check_year(moment: date, what: str) -> None:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise OutOfRange(f"{what} {moment.isoformat()} is outside the years {FIRST_YEAR}-{LAST_YEAR} the kiosk handles; check the year")


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_utc_text(moment: datetime) -> str:
    """Fixed-width UTC text, so text order is time order inside SQLite."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a time without its UTC offset cannot be stored")
    return moment.astimezone(UTC).strftime(UTC_FORMAT)


def from_utc_text(text: str) -> datetime:
    # fromisoformat (3.11+ reads the trailing Z) is ~10x faster than strptime on page reads.
    return datetime.fromisoformat(text)


def offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("naive datetime has no UTC offset")
    return int(offset.total_seconds() // 60)


def parse_local_time(text: str, zone: ZoneInfo) -> tuple[datetime, bool]:
    """Parse ISO 8601; a time without an offset is taken in `zone`. Raises OutOfRange (a ValueError)
    for a year outside FIRST_YEAR..LAST_YEAR, ValueError for text that is not ISO 8601.

    Returns the aware time and whether the zone had to be assumed, so callers can say so.
    """
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00") if text.strip().endswith("Z") else text.strip())
    check_year(moment, "the time")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone), True
    return moment, False


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """The same instant on `zone`'s clock, offset kept (07:35+07:00 for 00:35+00:00 in WIB).

    Punches keep the offset they were recorded with, which may not be the device's: a manual punch
    typed with +00:00, a terminal log in another zone. Every wire and rule that shows a wall clock
    must first bring the instant to the device's zone, or the same instant shows two times.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: a time without its UTC offset has no instant to convert")
    return moment.astimezone(zone)


def device_wall_clock(moment: datetime, zone: tzinfo) -> datetime:
    """This instant on the device's wall clock, naive: what wires without an offset carry."""
    return in_zone(moment, zone).replace(tzinfo=None)
