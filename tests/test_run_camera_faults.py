"""Must-show 5: the camera file truncated or deleted mid-run does not stop the kiosk; it reports and recovers."""

from __future__ import annotations

import os
import shutil

import cv2
import numpy as np
import pytest

from kiosk.app.daemon import Kiosk
from kiosk.settings import load_settings
from kiosk.status import find_snapshot

from faces import write_config
from helpers import wait_until


def make_avi(path, frames: int = 40) -> None:
    rng = np.random.default_rng(0)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 20, (320, 180))
    for _ in range(frames):
        writer.write((rng.integers(0, 4, (180, 320, 3)) * 64).astype(np.uint8))
    writer.release()


@pytest.fixture
def running(tmp_path):
    video = tmp_path / "camera.avi"
    make_avi(video)
    shutil.copy(video, tmp_path / "good.avi")
    camera = """
        realtime = true
        reopen_min_seconds = 0.05
        reopen_max_seconds = 1.0
        """
    config = write_config(tmp_path, tmp_path / "data", video, camera=camera)
    kiosk = Kiosk(load_settings(config))
    kiosk.start()
    yield kiosk, video, tmp_path / "good.avi"
    kiosk.stop()


def camera(kiosk) -> dict:
    return kiosk.status()["pipeline"]["camera"]


def written(kiosk) -> dict:
    """The pipeline as the status file shows it to `kiosk status`, another process."""
    return (find_snapshot(kiosk.settings.data_dir) or {}).get("pipeline", {})


def test_truncated_then_deleted_file_is_reported_and_recovered(running):
    kiosk, video, good = running
    wait_until(lambda: camera(kiosk)["frames"] >= 5, "first frames")

    os.truncate(video, video.stat().st_size // 3)  # truncated while being played
    wait_until(lambda: "truncated" in camera(kiosk)["last_error"], "the truncation fault")
    assert kiosk.pipeline.is_alive()

    video.unlink()  # the source disappears
    wait_until(lambda: "does not exist" in camera(kiosk)["last_error"], "the missing-file fault")
    assert camera(kiosk)["state"] == "fault" and kiosk.pipeline.is_alive()
    faults = camera(kiosk)["faults"]

    shutil.copy(good, video)  # the source is back
    frames = camera(kiosk)["frames"]
    wait_until(lambda: camera(kiosk)["state"] == "running" and camera(kiosk)["frames"] > frames + 5, "recovery")
    status = camera(kiosk)
    assert status["reopens"] >= 1 and status["faults"] >= faults >= 2
    assert kiosk.pipeline.is_alive()

    # `kiosk status` (another process) reads the same facts from the status file.
    wait_until(lambda: written(kiosk).get("camera", {}).get("faults", 0) >= 2, "status file")


def test_stop_ends_the_pipeline(running):
    kiosk, _, _ = running
    wait_until(lambda: camera(kiosk)["frames"] >= 1, "first frames")
    kiosk.stop()
    assert not kiosk.pipeline.is_alive()
    assert written(kiosk)["state"] == "stopped"
