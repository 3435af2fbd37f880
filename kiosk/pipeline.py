"""The recognition loop: camera frames -> recogniser -> recorder -> feedback.

    pipeline = Pipeline(camera, recognizer, recorder, hub, photo_settings, stop_event, ...)
    pipeline.start(); ...; pipeline.stop(); pipeline.join()

Feedback about a punch is published only after the recorder has committed it. A failing camera
never ends the loop (ReopeningCamera retries it); an error on one frame is logged and counted.

What runs where (docs/face-recognition.md, "What runs where"):
- a live source (camera, stream, realtime file): the "camera-intake" thread reads every frame and
  keeps only the newest (kiosk/camera/live.py); this "face-pipeline" thread takes the newest
  frame, runs gate, detection, tracking, quality and liveness and publishes cues; the encoder
  process encodes; the "punch-recorder" thread makes the evidence JPEG, commits the punch and
  publishes RECORDED; template reloads run on the recorder thread too.
- a file read as fast as possible: everything in this thread, frame after frame (video time).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import numpy as np

from kiosk.camera import CameraError, EndOfStream, Frame
from kiosk.camera.live import LatestFrame
from kiosk.camera.reopen import CameraStatus, ReopeningCamera
from kiosk.domain import Classification, Method
from kiosk.face.evidence_photo import evidence_jpeg
from kiosk.face.match import Matcher
from kiosk.face.recognizer import Event, Recognizer
from kiosk.feedback import Cue, Feedback, FeedbackHub
from kiosk.recorder import PunchRecorder
from kiosk.settings.photos import PhotoSettings
from kiosk.store import StoreError
from kiosk.timeutil import in_zone

log = logging.getLogger(__name__)

TEMPLATES_EVERY = 2.0  # seconds between checks for new or removed face templates
TAKE_TIMEOUT = 0.1  # seconds a live pipeline waits for a frame before doing its housekeeping


@dataclass(frozen=True)
class PipelineStatus:
    state: str  # "starting", "running", "ended", "stopped"
    frames: int  # frames processed
    fps: float  # frames processed per second, over the last few seconds
    punches: int  # punches recorded by this pipeline
    repeats: int  # accepted faces within face.repeat_minutes (no new punch)
    errors: int  # frames whose processing raised
    templates: int  # face templates being matched against
    dropped: int  # live source: frames that arrived while the pipeline was busy and were never worked on
    lag_seconds: float  # live source: age of the last frame when its processing ended (how far behind live)
    max_lag_seconds: float  # the largest lag since start
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
        self.live = camera.camera.live
        self.intake: LatestFrame | None = None
        # Live sources: evidence JPEG, durable commit and template reloads off the frame loop, in order.
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="punch-recorder") if self.live else None
        self._reload: Future | None = None
        self._lag = self._max_lag = 0.0
        self._state = "starting"
        self._frames = self._punches = self._repeats = self._errors = 0
        self._recent: deque[float] = deque(maxlen=64)
        self._last: Feedback | None = None
        self._next_templates = 0.0
        self._template_count = len(recognizer.matcher)
        self.on_frame = on_frame  # the door screen's preview
        self.templates_version = templates_version
        self._seen_version: tuple | None = None  # the first check reloads once, closing any start-up race
        self._beat = time.monotonic()
        self.failure = ""  # why a replay stopped early ("" = it did not)

    @property
    def last_beat(self) -> float:
        """The watchdog's proof of life: the older of this loop's last turn and the camera intake's last read."""
        return min(self._beat, self.intake.last_beat) if self.intake is not None and not self.intake.closed else self._beat

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
            if self.live:
                self._run_live()
            else:
                self._run_pulled()
        except EndOfStream:
            self._state = "ended"
            log.info("camera source ended; stopping (--exit-at-end)")
        except CameraError as exc:  # only a replay gives up (ReopeningCamera.give_up)
            self._state, self.failure = "failed", str(exc)
            log.error("camera source failed; stopping the replay: %s", exc)
        finally:
            self._finish()

    def _run_pulled(self) -> None:
        """Every frame in turn, encodings at once: a file replayed in video time."""
        try:
            while not self.stop_event.is_set():
                self._beat = time.monotonic()
                frame = self.camera.read()
                if frame is not None:
                    if self.on_frame is not None:
                        self.on_frame(frame.image)
                    self._process(frame)
                self._housekeeping()
        finally:
            self.camera.close()

    def _run_live(self) -> None:
        """Always the newest frame; encoding and recording go on elsewhere meanwhile."""
        self.intake = LatestFrame(self.camera, self.stop_event, self.on_frame)
        self.recognizer.on_encoded = self.intake.wake  # a finished encoding is decided on at once
        self.intake.start()
        try:
            while not self.stop_event.is_set():
                self._beat = time.monotonic()
                frame = self.intake.take(TAKE_TIMEOUT)
                self._handle_all(self.recognizer.collect())  # encodings finished meanwhile
                if frame is not None:
                    self._process(frame)
                self._housekeeping()
        finally:
            self.recognizer.on_encoded = None
            self.intake.join(2.0)

    def _finish(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)  # a punch being committed is finished, never abandoned
        self.recognizer.encoder.close()
        if self._state not in ("ended", "failed"):
            self._state = "stopped"

    # --- one frame --------------------------------------------------------------------------
    def _process(self, frame: Frame) -> None:
        self._frames += 1
        self._recent.append(time.monotonic())
        try:
            events = self.recognizer.process(frame)
        except Exception:  # one bad frame must not stop the door
            self._errors += 1
            log.exception("face processing failed on frame %d", frame.index)
            return
        self._handle_all(events)
        if frame.captured is not None:
            self._lag = time.monotonic() - frame.captured
            self._max_lag = max(self._max_lag, self._lag)

    def _handle_all(self, events: list[Event]) -> None:
        for event in events:
            self._handle(event)

    def _handle(self, event: Event) -> None:
        if event.accepted:
            at = self.now()  # the moment of the decision, not when the recorder thread gets to it
            if self._worker is not None:
                self._worker.submit(lambda: self._publish(self._record(event, at))).add_done_callback(_log_failure)
            else:
                self._publish(self._record(event, at))
        else:
            # The near-miss employee goes only into the technician detail, never onto the screen.
            detail = f"{event.detail}; nearest {_best(event)}" if _best(event) else event.detail
            self._publish(Feedback(cue=event.cue, at=self.now(), box=event.box, detail=detail))

    def _record(self, event: Event, at: datetime) -> Feedback:
        match = event.match
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
            # `at` comes from the door's aware clock; a repeat may show a punch typed in another offset
            punch_time=in_zone(punch.time_utc, at.tzinfo or UTC),
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
        if self._reload is not None and self._reload.done():
            self._reload = None
        if self.matcher_factory is not None and now >= self._next_templates and self._reload is None:
            self._next_templates = now + TEMPLATES_EVERY
            if self._worker is not None:  # 10,000 templates take a while to read: not on the frame loop
                self._reload = self._worker.submit(self._refresh_templates)
            else:
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
            self._state, self._frames, round(fps, 1), self._punches, self._repeats, self._errors, self._template_count,
            self.intake.dropped if self.intake else 0, round(self._lag, 3), round(self._max_lag, 3),
            str(last.cue) if last else "", last.detail if last else "", self.camera.status(),
        )


def _log_failure(future: Future) -> None:
    """The recorder thread's failures would vanish inside the Future: say so (the punch was NOT recorded)."""
    if not future.cancelled() and future.exception() is not None:
        log.error("face punch failed on the recorder thread", exc_info=future.exception())


def _best(event: Event) -> str:
    return (event.match.best_nip or "") if event.match else ""
