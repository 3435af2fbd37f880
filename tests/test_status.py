"""The status file the daemon writes and `kiosk status` reads."""

from __future__ import annotations

from pathlib import Path

from kiosk.status import DaemonSnapshot, find_snapshot, snapshot_dir, write_snapshot


def test_status_file_goes_to_the_runtime_directory_and_is_matched_by_data_dir(tmp_path) -> None:
    data_dir = tmp_path / "data"
    assert snapshot_dir(data_dir, {}) == data_dir / "run"
    assert snapshot_dir(data_dir, {"RUNTIME_DIRECTORY": "/run/kiosk"}) == Path("/run/kiosk")
    snapshot = DaemonSnapshot(pid=1, started_utc="2026-11-23T00:00:00+00:00", updated_utc="2026-11-23T00:00:01+00:00", data_dir=str(data_dir))
    write_snapshot(data_dir / "run", snapshot)
    assert find_snapshot(data_dir)["pid"] == 1
    assert find_snapshot(tmp_path / "another") is None  # another kiosk's file is not ours
