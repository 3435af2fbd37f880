"""The canonical flat form of a punch: one definition shared by the CLI, the exports, the push
protocol and the pull API (docs/sync-protocol.md), so every interface shows the same fields."""

from __future__ import annotations

from datetime import tzinfo

from kiosk.domain import Punch
from kiosk.timeutil import in_zone, offset_minutes


def punch_record(punch: Punch, zone: tzinfo) -> dict:
    """Times carry their UTC offset; `time` is the instant on the device's wall clock (`zone`, the
    device.timezone), whatever offset the punch was recorded with; `time_utc` the same instant."""
    local = in_zone(punch.time_utc, zone)
    return {
        "seq": punch.seq,
        "uuid": punch.uuid,
        "nip": punch.nip,
        "time": local.isoformat(),
        "time_utc": punch.time_utc.isoformat().replace("+00:00", "Z"),
        "utc_offset_minutes": offset_minutes(local),
        "method": punch.method.value,
        "kind": punch.kind.value,
        "status": punch.status.value,
        "status_minutes": punch.status_minutes,
        "distance": None if punch.distance is None else round(punch.distance, 4),
        "liveness": None if punch.liveness is None else round(punch.liveness, 4),
        "clock_synced": punch.clock_synced,
        "boot_id": punch.boot_id,
        "monotonic_ns": punch.monotonic_ns,
        "photo": bool(punch.photo),
        "device_id": punch.device_id,
        "note": punch.note,
        "recorded_utc": punch.recorded_utc.isoformat().replace("+00:00", "Z"),
    }
