"""Following one face across frames, so it is encoded once per visit rather than on every frame."""

from __future__ import annotations

import itertools
import math
from concurrent.futures import Future
from dataclasses import dataclass

from kiosk.camera import Frame
from kiosk.face.liveness import LivenessMeter
from kiosk.face.match import Match
from kiosk.feedback import Cue, FaceBox

MIN_OVERLAP = 0.3  # intersection over union that makes a detection the same face as a track
# Detections far apart in time (a starved core detects less often) may not overlap although they are
# the same face: a box of about the same size whose centre moved less than this share of its width
# is still the same face. Otherwise every sparse detection would start a new track (a new encoding,
# and the liveness evidence collected so far thrown away).
NEAR_SHARE = 0.6
SIZE_RATIO = 1.5


def near(a: FaceBox, b: FaceBox) -> bool:
    """Same face, seen again after it moved: similar size and a centre within NEAR_SHARE of a width."""
    width_a, width_b = a.right - a.left, b.right - b.left
    if min(width_a, width_b) <= 0 or max(width_a, width_b) > SIZE_RATIO * min(width_a, width_b):
        return False
    dx = (a.left + a.right - b.left - b.right) / 2
    dy = (a.top + a.bottom - b.top - b.bottom) / 2
    return (dx * dx + dy * dy) ** 0.5 <= NEAR_SHARE * max(width_a, width_b)


def overlap(a: FaceBox, b: FaceBox) -> float:
    """Intersection over union of two boxes."""
    width = min(a.right, b.right) - max(a.left, b.left)
    height = min(a.bottom, b.bottom) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / float(_area(a) + _area(b) - inter)


def _area(box: FaceBox) -> int:
    return (box.right - box.left) * (box.bottom - box.top)


@dataclass
class Track:
    """Mutable state of one face while it stays in view (owned by the recogniser's thread)."""

    id: int
    box: FaceBox
    last_t: float
    liveness: LivenessMeter
    encoded_quality: float = -1.0  # quality score of the frame last encoded
    last_encode_t: float = -math.inf
    attempts: int = 0  # encodings that matched nobody
    match: Match | None = None
    pending: Future | None = None  # an encoding being computed (by the encoder process)
    pending_frame: Frame | None = None  # the Frame that encoding was made from: the evidence photo
    done: bool = False  # handed to the recorder: nothing more to do until the face leaves
    last_cue: Cue | None = None


class Tracker:
    def __init__(self, timeout: float, new_meter) -> None:
        self.timeout = timeout
        self.new_meter = new_meter  # () -> LivenessMeter
        self.tracks: list[Track] = []
        self._ids = itertools.count(1)

    def expire(self, t: float) -> list[Track]:
        gone = [track for track in self.tracks if t - track.last_t > self.timeout]
        self.tracks = [track for track in self.tracks if track not in gone]
        return gone

    def update(self, boxes: list[FaceBox], t: float) -> list[Track]:
        """The track of each box (greedy by overlap; unmatched boxes start new tracks)."""
        free = list(self.tracks)
        result = []
        for box in boxes:
            best = max(free, key=lambda track: overlap(track.box, box), default=None)
            if best is not None and overlap(best.box, box) < MIN_OVERLAP and not near(best.box, box):
                best = None
            if best is None:
                best = Track(next(self._ids), box, last_t=t, liveness=self.new_meter())
                self.tracks.append(best)
            else:
                free.remove(best)
            best.box, best.last_t = box, t
            result.append(best)
        return result
