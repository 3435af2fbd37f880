"""The recognition loop: camera frames -> recogniser -> recorder -> feedback, in one worker thread.

    pipeline = Pipeline(camera, recognizer, recorder, hub, photo_settings, stop_event, ...)
    pipeline.start(); ...; pipeline.stop(); pipeline.join()

Feedback about a punch is published only after the recorder has committed it. A failing camera
never ends the loop (ReopeningCamera retries it); an error on one frame is logged and counted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

import numpy as np

from drivers.camera.base import CameraError, EndOfStream
from drivers.camera.reopen import CameraStatus, ReopeningCamera
from kiosk.domain import Classification, Method
from kiosk.face.evidence import evidence_jpeg
from kiosk.face.match import Matcher
from kiosk.face.recognizer import Event, Recognizer
from kiosk.feedback import Cue, Feedback, FeedbackHub
from kiosk.recorder import PunchRecorder
from kiosk.settings.photos import PhotoSettings
from kiosk.store import StoreError
from kiosk.timeutil import in_zone

log = logging.getLogger(__name__)

TEMPLATES_EVERY = 2.0  # seconds between checks for new or removed face templates


@dataclass(frozen=True)
class PipelineStatus:
    state: str  # "starting", "running", "ended", "stopped"
    frames: int  # frames processed
    fps: float  # frames processed per second, over the last few seconds
    punches: int  # punches recorded by this pipeline
    repeats: int  # accepted faces within face.repeat_minutes (no new punch)
    errors: int  # frames whose processing raised
    templates: int  # face templates being matched against
    last_cue: str
    last_detail: str
    camera: CameraStatus

    def as_dict(self) -> dict:
        return asdict(self)


class Pipeline:
    def __init__(
        self,
        camera: ReopeningCamera,
        recognizer: Recognizer,
        recorder: PunchRecorder,
        hub: FeedbackHub,
        photos: PhotoSettings,
        stop: threading.Event,
        now: Callable[[], datetime],
        matcher_factory: Callable[[], Matcher] | None = None,
        exit_at_end: bool = False,
        on_frame: Callable[[np.ndarray], None] | None = None,
        templates_version: Callable[[], tuple] | None = None,
    ) -> None:
        self.camera, self.recognizer, self.recorder, self.hub = camera, recognizer, recorder, hub
        self.photos, self.stop_event, self.now = photos, stop, now
        self.matcher_factory, self.exit_at_end = matcher_factory, exit_at_end
        self._thread: threading.Thread | None = None
        self._state = "starting"
        self._frames = self._punches = self._repeats = self._errors = 0
        self._recent: deque[float] = deque(maxlen=64)
        self._last: Feedback | None = None
        self._next_templates = 0.0
        self._template_count = len(recognizer.matcher)
        self.on_frame = on_frame  # the door screen's preview
        self.templates_version = templates_version
        self._seen_version: tuple | None = None  # the first check reloads once, closing any start-up race
        self.last_beat = time.monotonic()  # every loop turn: the watchdog's proof of life
        self.failure = ""  # why a replay stopped early ("" = it did not)

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="face-pipeline", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stop_event.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        self._state = "running"
        try:
            while not self.stop_event.is_set():
                self.last_beat = time.monotonic()
                try:
                    frame = self.camera.read()
                except EndOfStream:
                    self._state = "ended"
                    log.info("camera source ended; stopping (--exit-at-end)")
                    break
                except CameraError as exc:  # only a replay gives up (ReopeningCamera.give_up)
                    self._state, self.failure = "failed", str(exc)
                    log.error("camera source failed; stopping the replay: %s", exc)
                    break
                if frame is not None:
                    self._process(frame)
                self._housekeeping()
        finally:
            self.camera.close()
            if self._state not in ("ended", "failed"):
                self._state = "stopped"

    # --- one frame --------------------------------------------------------------------------
    def _process(self, frame) -> None:
        self._frames += 1
        if self.on_frame is not None:
            self.on_frame(frame.image)
        self._recent.append(time.monotonic())
        try:
            events = self.recognizer.process(frame)
        except Exception:  # one bad frame must not stop the door
            self._errors += 1
            log.exception("face processing failed on frame %d", frame.index)
            return
        for event in events:
            self._handle(event)

    def _handle(self, event: Event) -> None:
        if event.accepted:
            self._publish(self._record(event))
        else:
            # The near-miss employee goes only into the technician detail, never onto the screen.
            detail = f"{event.detail}; nearest {_best(event)}" if _best(event) else event.detail
            self._publish(Feedback(cue=event.cue, at=self.now(), box=event.box, detail=detail))

    def _record(self, event: Event) -> Feedback:
        match, at = event.match, self.now()
        assert match is not None and match.nip is not None
        try:
            photo = evidence_jpeg(event.frame.image, event.box, self.photos) if event.box else None
            outcome = self.recorder.record(
                match.nip, Method.FACE, at, distance=round(match.distance, 4), liveness=event.liveness, photo_jpeg=photo
            )
        except (StoreError, OSError, ValueError) as exc:
            log.error("face punch for %s NOT recorded: %s", match.nip, exc)
            return Feedback(cue=Cue.NOT_RECORDED, at=at, nip=match.nip, box=event.box, detail=str(exc))
        punch = outcome.punch
        if outcome.repeated:
            self._repeats += 1
        else:
            self._punches += 1
            log.info("face punch seq %d for %s (distance %.3f)", punch.seq, match.nip, match.distance)
        return Feedback(
            cue=Cue.ALREADY_RECORDED if outcome.repeated else Cue.RECORDED,
            at=at,
            name=outcome.employee.name,
            nip=punch.nip,
            punch_time=in_zone(punch.time_utc, at.tzinfo),  # a repeat may show a punch typed in another offset
            classification=Classification(punch.kind, punch.status, punch.status_minutes),
            box=event.box,
            detail=f"distance {match.distance:.3f}",
        )

    def _publish(self, feedback: Feedback) -> None:
        self._last = feedback
        log.info("door: %s %s %s", feedback.cue, feedback.nip, feedback.detail)
        self.hub.publish(feedback)

    # --- housekeeping -----------------------------------------------------------------------
    def _housekeeping(self) -> None:
        now = time.monotonic()
        if self.matcher_factory is not None and now >= self._next_templates:
            self._next_templates = now + TEMPLATES_EVERY
            self._refresh_templates()

    def _refresh_templates(self) -> None:
        """Pick up enrollments and removals made by `kiosk enroll` while the kiosk runs."""
        try:
            if self.templates_version is not None:
                # With 10,000 templates a reload reads megabytes: only when something changed.
                version = self.templates_version()
                if version == self._seen_version:
                    return
                self._seen_version = version
            matcher = self.matcher_factory()  # type: ignore[misc]
        except StoreError:
            log.exception("could not reload face templates; keeping the previous ones")
            return
        if len(matcher) != self._template_count:
            log.info("face templates: %d -> %d", self._template_count, len(matcher))
        self.recognizer.matcher, self._template_count = matcher, len(matcher)

    def status(self) -> PipelineStatus:
        recent = list(self._recent)
        fps = (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 1 and recent[-1] > recent[0] else 0.0
        last = self._last
        return PipelineStatus(
            self._state, self._frames, round(fps, 1), self._punches, self._repeats, self._errors,
            self._template_count, str(last.cue) if last else "", last.detail if last else "", self.camera.status(),
        )


def _best(event: Event) -> str:
    return (event.match.best_nip or "") if event.match else ""
