"""Finding faces: dlib HOG on a downscaled frame, 5-point landmarks on the full-resolution frame.

`find_near` looks only around faces already being followed: HOG's cost grows with the pixels it
scans, and a region of 1 + 2 x NEAR_MARGIN face widths around an 87-px face in a 640x360 frame
costs ~3 ms instead of ~20 ms (measured on the build machine). The recogniser still scans the whole
frame every `FULL_FRAME_SECONDS` (kiosk/face/recognizer.py), so a second person is found too.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import dlib
import numpy as np

from kiosk.face.models import FaceModels
from kiosk.feedback import FaceBox


@dataclass(frozen=True, eq=False)
class Face:
    box: FaceBox  # in full-resolution frame pixels
    score: float  # HOG detection confidence
    shape: object  # dlib.full_object_detection (5 points), needed by the encoder
    points: np.ndarray  # (5, 2) float: the same points as an array

    @property
    def width(self) -> int:
        return self.box.right - self.box.left


def detection_scale(width: int, detect_width: int) -> float:
    """Factor from the detection image back to the frame (>= 1: never upscale the frame)."""
    return max(1.0, width / detect_width)


class Detector:
    def __init__(self, models: FaceModels, detect_width: int = 640, upsample: int = 0) -> None:
        self.models, self.detect_width, self.upsample = models, detect_width, upsample

    def find(self, rgb: np.ndarray) -> list[Face]:
        """All faces in an RGB frame, best detection first."""
        rects = self.detect_boxes(rgb)
        return [self.landmarks(rgb, rect, score) for rect, score in rects]

    def find_near(self, rgb: np.ndarray, boxes: list[FaceBox]) -> list[Face]:
        """Faces within the regions around `boxes` (the tracked faces), best detection first.

        The regions are scanned at the same scale as the whole frame would be, so the smallest face
        found is the same; a detection seen from two overlapping regions is kept once."""
        height, width = rgb.shape[:2]
        scale = detection_scale(width, self.detect_width)
        found: list[tuple[dlib.rectangle, float]] = []
        for left, top, right, bottom in {near_region(box, width, height) for box in boxes}:
            crop = np.ascontiguousarray(rgb[top:bottom, left:right])
            for rect, score in self._run(crop, scale):
                moved = dlib.translate_rect(rect, dlib.point(left, top))
                if not any(_same(moved, other) for other, _ in found):
                    found.append((moved, score))
        found.sort(key=lambda item: -item[1])
        return [self.landmarks(rgb, rect, score) for rect, score in found]

    def detect_boxes(self, rgb: np.ndarray) -> list[tuple[dlib.rectangle, float]]:
        return sorted(self._run(rgb, detection_scale(rgb.shape[1], self.detect_width)), key=lambda item: -item[1])

    def _run(self, rgb: np.ndarray, scale: float) -> list[tuple[dlib.rectangle, float]]:
        height, width = rgb.shape[:2]
        small = rgb
        if scale > 1.0:
            small = cv2.resize(rgb, (round(width / scale), round(height / scale)), interpolation=cv2.INTER_AREA)
        rects, scores, _ = self.models.detector.run(small, self.upsample, 0.0)
        return [(scale_rect(r, scale), float(s)) for r, s in zip(rects, scores, strict=True)]

    def landmarks(self, rgb: np.ndarray, rect: dlib.rectangle, score: float = 0.0) -> Face:
        shape = self.models.landmarks(rgb, rect)
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        height, width = rgb.shape[:2]
        # HOG boxes may poke out of the frame (partial faces): clip the reported box, not the landmark input.
        box = FaceBox(max(0, rect.left()), max(0, rect.top()), min(width - 1, rect.right()), min(height - 1, rect.bottom()))
        return Face(box=box, score=score, shape=shape, points=points)


NEAR_MARGIN = 0.6  # face widths scanned on each side of a tracked face: 6 widths a second at 10 detections a second


def near_region(box: FaceBox, width: int, height: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the frame region `find_near` scans around a face box."""
    margin = round(NEAR_MARGIN * max(box.right - box.left, box.bottom - box.top, 1))
    return max(0, box.left - margin), max(0, box.top - margin), min(width, box.right + margin), min(height, box.bottom + margin)


def _same(a: dlib.rectangle, b: dlib.rectangle) -> bool:
    return a.intersect(b).area() > 0.5 * min(a.area(), b.area())


def scale_rect(rect: dlib.rectangle, scale: float) -> dlib.rectangle:
    if scale == 1.0:
        return rect
    return dlib.rectangle(round(rect.left() * scale), round(rect.top() * scale), round(rect.right() * scale), round(rect.bottom() * scale))
