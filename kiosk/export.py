"""CSV and JSON export of punches (`kiosk punch export`), in the canonical record form."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import tzinfo

from kiosk.domain import Punch
from kiosk.punch_record import punch_record

CSV_COLUMNS = (
    "seq", "uuid", "nip", "time", "time_utc", "utc_offset_minutes", "method", "kind", "status", "status_minutes",
    "distance", "liveness", "clock_synced", "photo", "device_id", "note",
)  # fmt: skip


def punches_csv(punches: Iterable[Punch], zone: tzinfo) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for punch in punches:
        writer.writerow(punch_record(punch, zone))
    return out.getvalue()
