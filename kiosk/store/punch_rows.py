"""Many punch rows into Punch values, fast: page() and between() convert 100,000s of rows for the
pull API, SOAP GetAttLog, the ZK attendance dataset, delivery and the exports.

bench/store_bench.py measures it beside bare sqlite3 reading the same pages. Beyond the fetch itself
the cost is Python work per row, so:

- SQLite decodes the four low-cardinality columns (method, kind, status, clock_synced) into one
  small integer, the position of that combination in DECODED: one value per row crosses into Python
  instead of four, and one look-up replaces three Enum() calls and a bool(). A value outside the
  enums decodes to NULL, and punches_of_rows() raises OutsideTheEnums: the caller reads those rows
  again through the reference conversion (punches.punch_of), which raises the same ValueError as any
  other read.
- _punch_of_row fills the slots of an _Unfrozen object (Punch's slots, no frozen __setattr__) with
  plain attribute stores, which CPython specialises, then makes it a Punch by setting its __class__
  (the same slots, so the same memory layout). The frozen dataclass's own __init__ makes 19
  object.__setattr__ calls, three times the cost. What comes out is an ordinary Punch: frozen, equal
  to and hashing like punch_of()'s (tests/test_store_pages.py compares every field and its type, for
  every decoded combination).
- Times are parsed by datetime.fromisoformat, as timeutil.from_utc_text does (C; reads the trailing Z),
  called directly to save a Python call per time.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kiosk.domain import Kind, Method, Punch, Status

DECODED = tuple(itertools.product(Method, Kind, Status, (False, True)))
_DECODED_AT = dict(enumerate(DECODED))  # a dict, so NULL (None) is a KeyError, never a wrong index


def _position_sql(column: str, values: Sequence[str | bool]) -> str:
    """The position of `column`'s value in `values`; NULL when it is none of them."""
    literals = [str(int(value)) if isinstance(value, bool) else "'" + value.replace("'", "''") + "'" for value in values]
    return f"CASE {column} " + " ".join(f"WHEN {literal} THEN {i}" for i, literal in enumerate(literals)) + " END"


# Mixed radix in the order of itertools.product above: method, kind, status, clock_synced. Only the
# integers 0 and 1 decode as clock flags; anything else goes the reference way, bool().
_DECODED_SQL = (
    f"((({_position_sql('method', list(Method))}) * {len(Kind)} + {_position_sql('kind', list(Kind))})"
    f" * {len(Status)} + {_position_sql('status', list(Status))}) * 2 + {_position_sql('clock_synced', [False, True])}"
)


class _Unfrozen:
    """Punch's slots without Punch's frozen __setattr__: _punch_of_row fills one, then makes it a Punch."""

    __slots__ = Punch.__slots__


_parse_utc = datetime.fromisoformat  # timeutil.from_utc_text, without a Python call per time


def _punch_of_row(
    seq: int, uuid: str, nip: str, time_utc: str, utc_offset_minutes: int, decoded: int, status_minutes: int,
    distance: float | None, liveness: float | None, photo: str | None, boot_id: str, monotonic_ns: int,
    source_key: str | None, note: str, device_id: str, recorded_utc: str,
) -> Punch:  # fmt: skip
    """One Punch from one row; the parameters are the columns of PUNCH_ROW_SQL, in order."""
    punch: Any = _Unfrozen()
    punch.seq = seq
    punch.uuid = uuid
    punch.nip = nip
    punch.time_utc = _parse_utc(time_utc)
    punch.utc_offset_minutes = utc_offset_minutes
    punch.method, punch.kind, punch.status, punch.clock_synced = _DECODED_AT[decoded]
    punch.status_minutes = status_minutes
    punch.distance = distance
    punch.liveness = liveness
    punch.photo = photo
    punch.boot_id = boot_id
    punch.monotonic_ns = monotonic_ns
    punch.source_key = source_key
    punch.note = note
    punch.device_id = device_id
    punch.recorded_utc = _parse_utc(recorded_utc)
    punch.__class__ = Punch
    return punch


_COLUMNS = tuple(inspect.signature(_punch_of_row).parameters)
_FILLED = {*_COLUMNS} - {"decoded"} | {"method", "kind", "status", "clock_synced"}
if _FILLED != {field.name for field in dataclasses.fields(Punch)}:  # a new Punch field must be read here too
    raise ImportError(f"_punch_of_row fills {sorted(_FILLED)}, not every Punch field")

# What to SELECT FROM punches for punches_of_rows().
PUNCH_ROW_SQL = ", ".join(_DECODED_SQL if name == "decoded" else name for name in _COLUMNS)


class OutsideTheEnums(Exception):
    """A row holds a method, kind, status or clock flag that the fast conversion does not decode."""


def punches_of_rows(rows: list[tuple]) -> list[Punch]:
    """The rows' Punch values, in order. Raises OutsideTheEnums (see the module's docstring)."""
    try:
        return list(itertools.starmap(_punch_of_row, rows))
    except KeyError:
        raise OutsideTheEnums from None
