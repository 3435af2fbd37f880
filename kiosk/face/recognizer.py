"""Frame in, decisions out: gate -> detect -> track -> quality -> liveness -> encode -> match.

The recogniser does no I/O: it returns `Event`s. The pipeline records accepted faces through the
recorder and publishes cues; the enrollment camera mode and `kiosk identify` reuse the same parts.

Encodings go through an encoder that returns a Future (kiosk/face/encoder_process.py). With the
LocalEncoder the Future is done at once and the decision is taken on the same frame, as a file
replayed in video time needs. With the EncoderProcess the recogniser goes on with newer frames
(tracking, cues, liveness) while the worker computes; `collect()` applies finished encodings.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk.camera import Frame
from kiosk.face.detect import Detector, Face
from kiosk.face.encode import aligned_grey, face_chip
from kiosk.face.encoder_process import LocalEncoder
from kiosk.face.gate import MotionGate
from kiosk.face.image import to_rgb
from kiosk.face.liveness import CHIP_PADDING, CHIP_SIZE, LivenessMeter
from kiosk.face.match import Match, Matcher
from kiosk.face.models import FaceModels
from kiosk.face.quality import QualityLimits, judge, measure
from kiosk.face.timing import NoTimes, StageTimes
from kiosk.face.track import Track, Tracker
from kiosk.feedback import Cue, FaceBox
from kiosk.settings.face import FaceSettings

log = logging.getLogger(__name__)

# Live frames: detection waits at least this many times as long as the last detection took (wall
# clock). On a fast core that is well under face.detect_interval and changes nothing; on a starved
# core (a Pi 4 under load, a CPU quota) detection would otherwise run back to back and take all the
# CPU from the encoder process, the camera intake and the screen, which the punch also waits for.
DETECT_DUTY = 2.0
# Live frames with a face in view: detection scans only around the tracked faces (~7x cheaper, see
# kiosk/face/detect.py), and the whole frame this often, so someone else stepping in is found too.
FULL_FRAME_SECONDS = 1.0
# Live frames while a face is being encoded: detect at most this often, and only around the tracked
# faces. Tracking and liveness need only a few samples a second, and under a CPU quota every thread
# of the kiosk shares it with the encoder process, which the punch waits for (at 0.15 of a core an
# encoding given a quarter of the quota took ~2 s instead of ~0.6 s).
ENCODING_DETECT_INTERVAL = 0.3
ENCODING_FULL_FRAME_SECONDS = 3.0  # the whole frame still, if an encoding takes that long (a hung worker)

@dataclass(frozen=True, eq=False)
class Event:
    cue: Cue  # RECORDED here means "accepted: record it" (the pipeline turns it into the real outcome)
    track_id: int
    box: FaceBox | None
    frame: Frame
    match: Match | None = None
    liveness: float | None = None
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.cue == Cue.RECORDED


def limits_for(settings: FaceSettings) -> QualityLimits:
    return QualityLimits(settings.min_face_px, settings.min_sharpness, settings.max_yaw, settings.max_roll_degrees)


class Recognizer:
    def __init__(
        self, models: FaceModels, settings: FaceSettings, matcher: Matcher, times: StageTimes | None = None, encoder=None
    ) -> None:
        self.models, self.settings, self.matcher = models, settings, matcher
        self.encoder = encoder or LocalEncoder(models.encoder)  # LocalEncoder | EncoderProcess
        self.encode_errors = 0
        self._waiting: list[Track] = []  # tracks whose encoding is being computed
        self.on_encoded: Callable[[], None] | None = None  # called (from another thread) when an encoding finishes
        self.detector = Detector(models, settings.detect_width, settings.detect_upsample)
        self.gate = MotionGate(settings.motion_threshold)
        self.limits = limits_for(settings)
        self.tracker = Tracker(settings.track_timeout_seconds, self._new_meter)
        self.times = times or NoTimes()
        self._last_detect = -math.inf
        self._last_full = -math.inf  # the last detection that scanned the whole frame
        self._detect_wall = 0.0  # wall seconds the last detection step of a live frame took
        self._present = False

    def _new_meter(self) -> LivenessMeter:
        return LivenessMeter(self.settings.liveness_threshold, self.settings.liveness_window_seconds)

    def process(self, frame: Frame) -> list[Event]:
        live = frame.captured is not None
        if live and self._too_soon(frame.t):
            return []  # a live frame between detections costs nothing (not even the gate)
        if live and self.tracker.tracks:
            moved = True  # with a face in view the gate decides nothing (detection is due by the clock)
        else:
            with self.times.stage("gate"):
                moved = self.gate.moved(frame.image)
        if not self._detection_due(frame.t, moved, live):
            return []
        # A face unseen for track_timeout_seconds is gone; on a starved core, where detections come
        # further apart than that, only after it was missed by two detections (else every sparse
        # detection would start a new track: a new encoding, and liveness evidence thrown away).
        since = frame.t - self._last_detect if self._last_detect > -math.inf else 0.0
        self.tracker.timeout = max(self.settings.track_timeout_seconds, 2.0 * since) if live else self.settings.track_timeout_seconds
        self.tracker.expire(frame.t)
        self._last_detect = frame.t
        began = time.monotonic()
        rgb = to_rgb(frame.image)
        with self.times.stage("detect"):
            faces = self._find(rgb, frame.t, live)
        tracks = self.tracker.update([face.box for face in faces], frame.t)
        events = [event for track, face in zip(tracks, faces, strict=True) for event in self._step(track, face, rgb, frame)]
        self._detect_wall = time.monotonic() - began
        return events + self._idle_event(frame, bool(self.tracker.tracks))

    def _find(self, rgb: np.ndarray, t: float, live: bool) -> list[Face]:
        """Live frames with a face in view: only around the tracked faces, and the whole frame every
        FULL_FRAME_SECONDS; a file in video time scans every frame whole (results independent of the machine)."""
        since_full = t - self._last_full  # negative when a file source restarted: scan the whole frame
        every = ENCODING_FULL_FRAME_SECONDS if self._waiting else FULL_FRAME_SECONDS
        if live and self.tracker.tracks and 0 <= since_full < every:
            return self.detector.find_near(rgb, [track.box for track in self.tracker.tracks])
        self._last_full = t
        return self.detector.find(rgb)

    def _too_soon(self, t: float) -> bool:
        """No detection can be due yet, whatever the gate would say (see _detection_due)."""
        since = t - self._last_detect
        return 0 <= since < min(self._live_interval(), self.settings.idle_detect_seconds)

    def _live_interval(self) -> float:
        """Seconds between detections of live frames while someone is at the door (see DETECT_DUTY)."""
        pending = ENCODING_DETECT_INTERVAL if self._waiting else 0.0
        return max(self.settings.detect_interval, DETECT_DUTY * self._detect_wall, pending)

    def _detection_due(self, t: float, moved: bool, live: bool) -> bool:
        since = t - self._last_detect
        if since < 0:  # a file source restarted: its clock went back
            return True
        if self.tracker.tracks or moved:
            # A file in video time keeps the configured rate, so its results do not depend on the machine.
            return since >= (self._live_interval() if live else self.settings.detect_interval)
        return since >= self.settings.idle_detect_seconds

    def _idle_event(self, frame: Frame, present: bool) -> list[Event]:
        was, self._present = self._present, present
        return [Event(Cue.IDLE, 0, None, frame)] if was and not present else []

    def _step(self, track: Track, face: Face, rgb: np.ndarray, frame: Frame) -> list[Event]:
        if track.done:
            return []
        with self.times.stage("quality"):
            quality = measure(rgb, face)
            verdict = judge(quality, self.limits)
        if self.settings.liveness:
            with self.times.stage("liveness"):
                track.liveness.add(frame.t, aligned_grey(rgb, face, CHIP_SIZE, CHIP_PADDING))
        if not verdict.ok:
            return self._cue(track, verdict.cue, frame, verdict.reason)  # type: ignore[arg-type]
        if self._encode_due(track, quality.score, frame.t):
            self._encode(track, face, rgb, quality.score, frame)
        return self._decide(track, frame)

    def collect(self) -> list[Event]:
        """Decisions on the encodings that finished since the last call (a worker process's results)."""
        events = []
        for track in [track for track in self._waiting if track.pending.done()]:  # type: ignore[union-attr]
            if self._finish(track) and track.pending_frame is not None:  # set with every pending encoding
                events += self._decide(track, track.pending_frame)
            track.pending_frame = None
        return events

    @property
    def encoding(self) -> bool:
        return bool(self._waiting)

    @property
    def busy(self) -> bool:
        """Someone is at the door: a face is being followed or encoded (read from other threads)."""
        return bool(self.tracker.tracks) or bool(self._waiting)

    def _encode_due(self, track: Track, score: float, t: float) -> bool:
        if track.pending is not None:
            return False  # one encoding per track at a time
        if track.match is None:
            return True
        if track.match.accepted:
            return False  # known; only liveness is still awaited
        if score > track.encoded_quality * (1.0 + self.settings.reencode_gain):
            return True
        retry = t - track.last_encode_t >= self.settings.retry_seconds
        return retry and track.attempts < self.settings.attempts_before_fallback

    def _encode(self, track: Track, face: Face, rgb: np.ndarray, score: float, frame: Frame) -> None:
        with self.times.stage("encode"):  # with the LocalEncoder this is the encoding itself
            track.pending = self.encoder.submit(face_chip(rgb, face))
        track.encoded_quality, track.last_encode_t, track.pending_frame = score, frame.t, frame
        self._waiting.append(track)
        if track.pending.done():
            self._finish(track)
            track.pending_frame = None
        elif self.on_encoded is not None:
            on_encoded = self.on_encoded
            track.pending.add_done_callback(lambda _: on_encoded())

    def _finish(self, track: Track) -> bool:
        """Match a finished encoding; False when the encoder failed (the track will be retried)."""
        future, track.pending = track.pending, None
        self._waiting.remove(track)
        try:
            vector = future.result()  # type: ignore[union-attr]
        except Exception:  # a crashed worker or a broken chip: retry on a later frame
            self.encode_errors += 1
            log.exception("face encoding failed")
            return False
        with self.times.stage("match"):
            track.match = self.matcher.match(vector)
        if not track.match.accepted:
            track.attempts += 1
        return True

    def _decide(self, track: Track, frame: Frame) -> list[Event]:
        match = track.match
        if match is None:
            return []
        if not match.accepted:
            fallback = track.attempts >= self.settings.attempts_before_fallback
            cue = Cue.UNKNOWN_USE_FINGERPRINT if fallback else Cue.UNKNOWN
            return self._cue(track, cue, frame, f"{match.reason} (best {match.distance:.2f})", match)
        if self.settings.liveness and not track.liveness.passed:
            detail = track.liveness.why_not_passed()
            return self._cue(track, Cue.LIVENESS_CHECK, frame, detail, match)
        track.done = True
        score = track.liveness.score if self.settings.liveness else None
        return [Event(Cue.RECORDED, track.id, track.box, frame, match, score, "accepted")]

    def _cue(self, track: Track, cue: Cue, frame: Frame, detail: str, match: Match | None = None) -> list[Event]:
        """Say each thing once per track, not on every frame."""
        if track.last_cue == cue:
            return []
        track.last_cue = cue
        return [Event(cue, track.id, track.box, frame, match, None, detail)]
