"""Live-camera semantics (issue 12): the newest frame is worked on, frames that come while the
pipeline is busy are dropped and counted, never queued.

Real video files are the camera (camera.realtime plays them at their frame rate, as a camera
would). A slow consumer is made by sleeping between takes, or by delaying the real recogniser: the
sleep stands for a slow CPU, which cannot be produced on demand here. No timed assertions: the
checks are on which frames were delivered and on the counts, whatever the machine's speed.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera.file import VideoFileCamera
from kiosk.camera import EndOfStream
from kiosk.camera.live import LatestFrame
from kiosk.camera.reopen import ReopeningCamera

from faces import read_frames, write_video
from helpers import REPO, wait_until

FPS = 30.0


def numbered_video(path: Path, count: int = 90, fps: float = FPS) -> Path:
    """Frames that differ visibly (a moving bar), so a delivered image can be matched to its index."""
    frames = []
    for i in range(count):
        image = np.full((120, 160, 3), 30, np.uint8)
        cv2.rectangle(image, (i % 150, 0), (i % 150 + 9, 119), (230, 230, 230), -1)
        cv2.putText(image, str(i), (20, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 255), 2)
        frames.append(image)
    return write_video(path, frames, fps)


def test_realtime_file_camera_drops_the_frames_a_slow_consumer_missed_and_counts_them(tmp_path: Path) -> None:
    video = numbered_video(tmp_path / "numbered.mp4")
    decoded = read_frames(video)  # the same file decoded independently, frame by frame
    stop = threading.Event()
    intake = LatestFrame(ReopeningCamera(VideoFileCamera(video, realtime=True), stop, end_is_fault=False), stop)
    intake.start()
    taken, live_at_take = [], []
    try:
        while True:
            frame = intake.take(timeout=5.0)
            if frame is not None:
                taken.append(frame)
                # frame.captured - frame.t is when frame 0 was live: which frame is live now?
                live_at_take.append(min(len(decoded) - 1, int((time.monotonic() - (frame.captured - frame.t)) * FPS)))
            time.sleep(0.2)  # a consumer that needs ~6 frame intervals per frame
    except EndOfStream:
        pass
    finally:
        stop.set()
        intake.join(5)

    indices = [frame.index for frame in taken]
    assert indices == sorted(set(indices)), "a frame was handed out twice or out of order"
    assert len(taken) < len(decoded) / 2, f"a slow consumer got {len(taken)} of {len(decoded)} frames: they were queued"
    # Every frame of the file is accounted for: worked on, or dropped and counted.
    assert len(taken) + intake.dropped == len(decoded)
    for frame in taken:  # each delivered image really is the frame its index says
        assert np.array_equal(frame.image, decoded[frame.index])
        assert frame.captured is not None
    # The consumer was handed the newest frame, not the next one: big jumps between takes, and never
    # more than a few frames behind the live one (a frame or two may go live between the hand-over and
    # this check on a busy machine; a queue would fall 5 frames further behind at every take).
    before_the_end = [index for index in indices if index < len(decoded) - 1]  # the last may follow its neighbour
    assert min(b - a for a, b in itertools.pairwise(before_the_end)) >= 2
    assert max(live - index for live, index in zip(live_at_take, indices, strict=True)) <= 3, list(zip(indices, live_at_take, strict=True))


def test_a_file_read_as_fast_as_possible_still_delivers_every_frame(tmp_path: Path) -> None:
    video = numbered_video(tmp_path / "numbered.mp4", count=40)
    camera = VideoFileCamera(video, realtime=False)
    assert not camera.live
    camera.open()
    indices = []
    try:
        while True:
            indices.append(camera.read().index)
            time.sleep(0.01)
    except EndOfStream:
        pass
    assert indices == list(range(40)) and camera.skipped == 0


class SlowRecognizer:
    """The real recogniser, with a delay before each frame (standing for a slow CPU) and a record of
    which frame it was given, when, and which frame was live at that moment."""

    def __init__(self, recognizer, delay: float, playing: dict) -> None:
        self.inner, self.delay, self.playing = recognizer, delay, playing
        self.seen: list[tuple[int, int]] = []  # (index given, index live at that moment)

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __setattr__(self, name, value):
        if name in ("inner", "delay", "playing", "seen"):
            object.__setattr__(self, name, value)
        else:
            setattr(self.inner, name, value)

    def process(self, frame):
        if frame.index == 0:
            self.playing["t0"] = frame.captured
        live = int((time.monotonic() - self.playing["t0"]) * FPS) if "t0" in self.playing else frame.index
        self.seen.append((frame.index, live))
        time.sleep(self.delay)
        return self.inner.process(frame)


def test_the_pipeline_works_on_the_newest_frame_and_reports_drops_and_lag(tmp_path: Path, models) -> None:
    from kiosk.face.encoder_process import LocalEncoder
    from kiosk.face.match import Matcher
    from kiosk.face.recognizer import Recognizer
    from kiosk.feedback import FeedbackHub
    from kiosk.photos import PhotoStore
    from kiosk.pipeline import Pipeline
    from kiosk.recorder import PunchRecorder
    from kiosk.settings.face import FaceSettings
    from kiosk.settings.photos import PhotoSettings
    from kiosk.store import Store
    from kiosk.store.templates import TemplateMatrix

    video = numbered_video(tmp_path / "numbered.mp4", count=75)
    stop = threading.Event()
    camera = ReopeningCamera(VideoFileCamera(video, realtime=True), stop, end_is_fault=False)
    empty = TemplateMatrix(np.zeros(0, np.int64), np.zeros(0, object), np.zeros((0, 128), np.float32))
    settings = FaceSettings()
    recognizer = SlowRecognizer(Recognizer(models, settings, Matcher(empty, 0.5, 0.06), encoder=LocalEncoder(models.encoder)), 0.15, {})
    with Store.open(tmp_path / "kiosk.db", device_id="T") as store:
        pipeline = Pipeline(
            camera, recognizer, PunchRecorder(store, PhotoStore(tmp_path)), FeedbackHub(), PhotoSettings(), stop,
            now=lambda: datetime.now(UTC), exit_at_end=True,
        )  # fmt: skip
        pipeline.run()
        status = pipeline.status()

    seen = recognizer.seen
    assert status.state == "ended" and status.frames == len(seen)
    assert status.dropped > 0 and status.frames + status.dropped == 75
    # Each frame handed over was the newest one: never more than a few frames behind the live one (a
    # frame or two may go live between the hand-over and this check on a busy machine; with a queue
    # the pipeline would fall ~4 frames further behind at every frame), and never the next one.
    behind = [min(live, 74) - index for index, live in seen]  # after the last frame, the last is the newest
    assert max(behind) <= 3, f"the pipeline was handed old frames: {seen}"
    before_the_end = [index for index, _ in seen if index < 74]  # the last frame may follow its neighbour: nothing newer came
    assert min(b - a for a, b in itertools.pairwise(before_the_end)) >= 2, seen
    # ... and the pipeline measured how far behind live it ended each frame: at least the delay.
    assert status.max_lag_seconds >= 0.15 and status.lag_seconds > 0


def test_pipeline_status_fields_are_zero_for_a_file_read_in_video_time(tmp_path: Path, models) -> None:
    from kiosk.face.match import Matcher
    from kiosk.face.recognizer import Recognizer
    from kiosk.feedback import FeedbackHub
    from kiosk.photos import PhotoStore
    from kiosk.pipeline import Pipeline
    from kiosk.recorder import PunchRecorder
    from kiosk.settings.face import FaceSettings
    from kiosk.settings.photos import PhotoSettings
    from kiosk.store import Store
    from kiosk.store.templates import TemplateMatrix

    video = numbered_video(tmp_path / "numbered.mp4", count=20)
    stop = threading.Event()
    empty = TemplateMatrix(np.zeros(0, np.int64), np.zeros(0, object), np.zeros((0, 128), np.float32))
    with Store.open(tmp_path / "kiosk.db", device_id="T") as store:
        pipeline = Pipeline(
            ReopeningCamera(VideoFileCamera(video), stop, end_is_fault=False),
            Recognizer(models, FaceSettings(), Matcher(empty, 0.5, 0.06)), PunchRecorder(store, PhotoStore(tmp_path)),
            FeedbackHub(), PhotoSettings(), stop, now=lambda: datetime.now(UTC), exit_at_end=True,
        )  # fmt: skip
        pipeline.run()
    status = pipeline.status()
    assert (status.frames, status.dropped, status.max_lag_seconds) == (20, 0, 0.0)


@pytest.mark.parametrize("fps", [120.0])
def test_kiosk_status_shows_dropped_frames_and_lag_of_the_running_daemon(tmp_path: Path, fps: float) -> None:
    # A 120 fps moving scene: a frame every 8 ms, while one HOG detection (every 0.1 s while something
    # moves) takes longer than that on any machine, so frames must be dropped while it runs.
    from test_daemon import NotifySocket, start_kiosk, terminate, write_config

    frames = []
    for i in range(240):
        image = np.full((360, 640, 3), 40, np.uint8)
        cv2.circle(image, (40 + (i * 5) % 560, 180), 40, (200, 200, 200), -1)
        frames.append(image)
    video = write_video(tmp_path / "fast.mp4", frames, fps)
    config = write_config(tmp_path, str(video))
    notify = NotifySocket(tmp_path / "notify.sock")
    process = start_kiosk(config, notify)
    try:
        notify.wait_for("READY=1", timeout=90)
        status = wait_until(
            lambda: _status(config),
            "`kiosk status` showing frames processed and dropped",
            until=lambda s: s.get("daemon") == "running" and s.get("camera", {}).get("processed", 0) > 20 and s.get("camera", {}).get("dropped", 0) > 0,
            interval=1.0,
        )
        camera = status["camera"]
        assert camera["lag_seconds"] >= 0 and camera["max_lag_seconds"] >= camera["lag_seconds"]
        assert camera["max_lag_seconds"] > 0
        text = _kiosk(config, "status").stdout
        assert f"{camera['dropped']} dropped" in text or " dropped, lag " in text, text
    finally:
        terminate(process)
        notify.close()


def _kiosk(config: Path, *args: str):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config), *args], capture_output=True, text=True, env=env, timeout=60)


def _status(config: Path) -> dict:
    """What `kiosk status --json` (another process) shows, or {} while it cannot tell yet."""
    result = _kiosk(config, "status", "--json")
    return json.loads(result.stdout) if result.returncode == 0 else {}
