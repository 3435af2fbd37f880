"""The kiosk service: `Kiosk(settings).start()` lists its parts; `stop()` sets one event and joins them.

For now the parts are the store, the recorder and the camera pipeline; the scheduler, the ZK
server, the screen and the sync worker join this list as they land.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from drivers.camera.reopen import ReopeningCamera
from drivers.camera.select import make_camera
from kiosk.face.match import Matcher
from kiosk.face.models import FaceModels
from kiosk.face.recognizer import Recognizer
from kiosk.feedback import FeedbackHub
from kiosk.pipeline import Pipeline
from kiosk.recorder import PunchRecorder
from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.wiring import build_recorder

log = logging.getLogger(__name__)

JOIN_SECONDS = 10.0


def status_path(settings: Settings) -> Path:
    """Where a running kiosk writes its pipeline status for `kiosk status`."""
    return settings.data_dir / "run" / "pipeline.json"


def build_matcher(settings: Settings, store: Store) -> Matcher:
    return Matcher(store.templates.matrix(), settings.face.tolerance, settings.face.margin)


def build_pipeline(
    settings: Settings,
    store: Store,
    recorder: PunchRecorder,
    hub: FeedbackHub,
    stop: threading.Event,
    exit_at_end: bool = False,
    models: FaceModels | None = None,
) -> Pipeline:
    camera = ReopeningCamera(
        make_camera(settings.camera),
        stop,
        min_backoff=settings.camera.reopen_min_seconds,
        max_backoff=settings.camera.reopen_max_seconds,
        end_is_fault=not exit_at_end,
    )
    recognizer = Recognizer(models or FaceModels.load(), settings.face, build_matcher(settings, store))
    return Pipeline(
        camera, recognizer, recorder, hub, settings.photos, stop,
        now=lambda: datetime.now(settings.tz),
        matcher_factory=lambda: build_matcher(settings, store),
        exit_at_end=exit_at_end,
        status_path=status_path(settings),
    )


class Kiosk:
    def __init__(self, settings: Settings, exit_at_end: bool = False, hub: FeedbackHub | None = None) -> None:
        self.settings, self.exit_at_end = settings, exit_at_end
        self.hub = hub or FeedbackHub()
        self.stop_event = threading.Event()
        self.store: Store | None = None
        self.recorder: PunchRecorder | None = None
        self.pipeline: Pipeline | None = None

    def start(self) -> None:
        self.start_store()
        self.start_recorder()
        self.start_pipeline()

    def start_store(self) -> None:
        self.store = Store.open(self.settings.database_path, device_id=self.settings.device.id)

    def start_recorder(self) -> None:
        self.recorder = build_recorder(self.settings, self.store)  # type: ignore[arg-type]

    def start_pipeline(self) -> None:
        self.pipeline = build_pipeline(
            self.settings, self.store, self.recorder, self.hub, self.stop_event, self.exit_at_end  # type: ignore[arg-type]
        )
        self.pipeline.start()
        log.info("face pipeline started on %s", self.pipeline.camera.camera.describe())

    def wait(self, timeout: float | None = None) -> bool:
        """Block until stopped or (with --exit-at-end) the source ended; True when finished."""
        if self.pipeline is None:
            return True
        self.pipeline.join(timeout)
        return not self.pipeline.is_alive()

    def stop(self) -> None:
        self.stop_event.set()
        if self.pipeline is not None:
            self.pipeline.join(JOIN_SECONDS)
            if self.pipeline.is_alive():
                log.warning("face pipeline did not stop within %.0f s", JOIN_SECONDS)
        if self.store is not None:
            self.store.close()
            self.store = None

    def status(self) -> dict:
        return {"pipeline": self.pipeline.status().as_dict() if self.pipeline else None}
