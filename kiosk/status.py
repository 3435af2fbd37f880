"""`kiosk status`: what the running daemon reports, plus what the store and the system say.

The daemon writes a small JSON snapshot every few seconds (atomically); `kiosk status` is another
process, so it reads that file, the database and the clock itself. Under systemd the file goes to
the service's RuntimeDirectory (/run/kiosk, a tmpfs): a write every 2 s for years would wear an
SD card. Elsewhere it goes to data_dir/run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.clock import read_clock
from kiosk.clocktrust import JUMP_KEY, load_references
from kiosk.private import make_private_dirs
from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.timeutil import in_zone, utc_now

STATUS_FILE = "status.json"
STALE_SECONDS = 15.0
RUNTIME_DIR = Path("/run/kiosk")  # RuntimeDirectory=kiosk in systemd/kiosk.service


@dataclass(frozen=True)
class DaemonSnapshot:
    """Written by the daemon: only facts another process cannot find out by itself."""

    pid: int
    started_utc: str
    updated_utc: str
    data_dir: str  # which kiosk this is: `kiosk status` matches it against its own config
    pipeline: dict = field(default_factory=dict)  # state, frames, fps, punches, camera {state, faults, ...}
    fingerprint: dict = field(default_factory=dict)
    faults: list[dict] = field(default_factory=list)  # {part, message, since_utc}
    parts: dict = field(default_factory=dict)  # part -> "running" | "off" | "restarting (...)" | "failed (...)"
    uart_socket: str = ""  # where the UART module takes enroll/delete requests (docs/uart-fingerprint.md)


def snapshot_dir(data_dir: Path, environ: dict[str, str] | None = None) -> Path:
    """Where the daemon writes: systemd's $RUNTIME_DIRECTORY when it set one, else data_dir/run."""
    runtime = (os.environ if environ is None else environ).get("RUNTIME_DIRECTORY", "")
    return Path(runtime.split(":")[0]) if runtime else data_dir / "run"


def find_snapshot(data_dir: Path) -> dict | None:
    """What `kiosk status` reads: the snapshot of the daemon that runs on this data_dir."""
    for folder in (RUNTIME_DIR, data_dir / "run"):
        snapshot = read_snapshot(folder)
        if snapshot is not None and snapshot.get("data_dir") == str(data_dir):
            return snapshot
    return None


def write_snapshot(folder: Path, snapshot: DaemonSnapshot) -> None:
    """Atomic replace, so a reader never sees half a file."""
    make_private_dirs(folder)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".status-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(snapshot), handle)
        os.replace(tmp, folder / STATUS_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_snapshot(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None


def daemon_state(snapshot: dict | None, now: datetime) -> tuple[str, float | None]:
    """("running" | "not running" | "stale"), uptime seconds."""
    if snapshot is None:
        return "not running", None
    updated = datetime.fromisoformat(snapshot["updated_utc"])
    started = datetime.fromisoformat(snapshot["started_utc"])
    if (now - updated).total_seconds() > STALE_SECONDS or not _pid_alive(snapshot["pid"]):
        return "not running", None
    return "running", (now - started).total_seconds()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def collect_status(settings: Settings, store: Store, target_names: list[str]) -> dict:
    now = utc_now()
    snapshot = find_snapshot(settings.data_dir)
    state, uptime = daemon_state(snapshot, now)
    last = store.punches.page(after_seq=store.punches.last_seq() - 1, limit=1) if store.punches.last_seq() else []
    clock = read_clock()
    disk = shutil.disk_usage(settings.data_dir)
    return {
        "device_id": settings.device.id,
        "daemon": state,
        "uptime_seconds": None if uptime is None else round(uptime),
        "camera": _camera(snapshot) if state == "running" else {},
        "fingerprint": (snapshot or {}).get("fingerprint", {}) if state == "running" else {},
        "parts": (snapshot or {}).get("parts", {}) if state == "running" else {},
        "faults": (snapshot or {}).get("faults", []) if state == "running" else [],
        "last_punch": None
        if not last
        else {"seq": last[0].seq, "nip": last[0].nip, "time": in_zone(last[0].time_utc, settings.tz).isoformat(), "method": last[0].method.value},
        "punches": store.punches.count(),
        "queues": {name: _queue(store, name) for name in target_names},
        "clock": {
            "ntp_synchronised": clock.synced,
            "boot_id": clock.boot_id,
            "references": [asdict(r) for r in load_references(store)],
            "last_jump": store.meta.get_json(JUMP_KEY),
        },
        "disk": {"free_mb": disk.free // 2**20, "total_mb": disk.total // 2**20},
    }


def _queue(store: Store, name: str) -> dict:
    state = store.delivery.state(name)
    return {
        "queue": store.delivery.queue_depth(name),
        "oldest_undelivered": _iso(store.delivery.oldest_undelivered(name)),
        "last_success": _iso(state.last_success_utc),
        "last_error": state.last_error,
        "halted": state.halted_reason,
        "parked": len(store.delivery.parked(name)),
    }


def _camera(snapshot: dict | None) -> dict:
    pipeline = (snapshot or {}).get("pipeline", {})
    return {
        **pipeline.get("camera", {}),
        "fps": pipeline.get("fps", 0.0),
        "templates": pipeline.get("templates", 0),
        "processed": pipeline.get("frames", 0),  # frames the face pipeline worked on
        "dropped": pipeline.get("dropped", 0),  # live frames that came while it was busy (never queued)
        "lag_seconds": pipeline.get("lag_seconds", 0.0),  # how old the last frame was when its processing ended
        "max_lag_seconds": pipeline.get("max_lag_seconds", 0.0),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
