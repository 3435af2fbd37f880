"""What the person at the door is told, as data.

The recognition pipeline and the fingerprint listener publish `Feedback` values; the screen, the
sound cue, the logs and `kiosk status` consume them. The wording lives in `kiosk.i18n`, so every
consumer says the same thing in the configured language.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain import Classification


class Cue(enum.StrEnum):
    """One thing the door can say. Values are message keys in `kiosk.i18n`."""

    RECORDED = "recorded"  # punch committed; carries name, time and classification
    ALREADY_RECORDED = "already_recorded"  # same person again within face.repeat_minutes
    UNKNOWN_USE_FINGERPRINT = "unknown_use_fingerprint"
    UNKNOWN = "unknown"  # not recognised yet; keep looking
    COME_CLOSER = "come_closer"  # face too small
    FACE_CAMERA = "face_camera"  # face not frontal
    HOLD_STILL = "hold_still"  # too blurred
    LIVENESS_CHECK = "liveness_check"  # waiting for signs of a live person
    NOT_RECORDED = "not_recorded"  # the punch could not be committed (disk full, ...)
    IDLE = "idle"  # nobody at the door


@dataclass(frozen=True)
class FaceBox:
    """A face rectangle in frame pixel coordinates."""

    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True)
class Feedback:
    cue: Cue
    at: datetime
    name: str = ""
    nip: str = ""
    punch_time: datetime | None = None
    classification: Classification | None = None
    box: FaceBox | None = None
    detail: str = ""  # technician-facing reason, never shown to the employee

    @property
    def accepted(self) -> bool:
        return self.cue in (Cue.RECORDED, Cue.ALREADY_RECORDED)


FeedbackListener = Callable[[Feedback], None]


class FeedbackHub:
    """Fan-out of feedback to listeners; a failing listener never breaks the publisher."""

    def __init__(self) -> None:
        self._listeners: list[FeedbackListener] = []
        self._lock = threading.Lock()
        self.last: Feedback | None = None

    def subscribe(self, listener: FeedbackListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def publish(self, feedback: Feedback) -> None:
        with self._lock:
            self.last = feedback
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(feedback)
            except Exception:  # a broken screen must not stop the door
                import logging

                logging.getLogger(__name__).exception("feedback listener failed")
