"""Is this face good enough to encode? Size, sharpness and pose, as pure functions of measurements."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.face.detect import Face
from kiosk.face.encode import aligned_grey
from kiosk.feedback import Cue

SHARPNESS_CHIP = 100  # sharpness is measured on the face scaled to 100x100, so it does not depend on distance


@dataclass(frozen=True)
class QualityLimits:
    min_face_px: int = 80
    min_sharpness: float = 15.0
    max_yaw: float = 0.3
    max_roll_degrees: float = 25.0


@dataclass(frozen=True)
class Quality:
    face_px: int
    sharpness: float  # variance of the Laplacian of the aligned 100x100 face
    yaw: float  # nose offset from the eyes' midpoint along the eye line, in eye distances (0 = frontal)
    roll_degrees: float  # tilt of the eye line

    @property
    def score(self) -> float:
        """Higher is better: used to decide whether a track deserves a new encoding."""
        return self.face_px * min(self.sharpness, 200.0) ** 0.5 * max(0.0, 1.0 - abs(self.yaw) * 2)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    cue: Cue | None  # what to tell the person when not ok
    reason: str  # technician-facing


def pose(points: np.ndarray) -> tuple[float, float]:
    """(yaw, roll) from dlib's 5 points: two corners of each eye, then the base of the nose."""
    eye_a, eye_b, nose = points[0:2].mean(axis=0), points[2:4].mean(axis=0), points[4]
    if eye_a[0] > eye_b[0]:
        eye_a, eye_b = eye_b, eye_a  # left-to-right in the image
    line = eye_b - eye_a
    distance = float(np.hypot(*line)) or 1.0
    yaw = float(np.dot(nose - (eye_a + eye_b) / 2, line / distance) / distance)
    roll = math.degrees(math.atan2(line[1], line[0]))
    return yaw, roll


def sharpness(grey: np.ndarray) -> float:
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


def measure(rgb: np.ndarray, face: Face) -> Quality:
    yaw, roll = pose(face.points)
    grey = aligned_grey(rgb, face, SHARPNESS_CHIP)
    return Quality(face_px=face.width, sharpness=sharpness(grey), yaw=yaw, roll_degrees=roll)


def judge(quality: Quality, limits: QualityLimits) -> Verdict:
    """The first failed check decides what the person is told."""
    if quality.face_px < limits.min_face_px:
        return Verdict(False, Cue.COME_CLOSER, f"face {quality.face_px} px wide, needs {limits.min_face_px}")
    if abs(quality.yaw) > limits.max_yaw or abs(quality.roll_degrees) > limits.max_roll_degrees:
        return Verdict(
            False, Cue.FACE_CAMERA, f"face turned (yaw {quality.yaw:.2f}, roll {quality.roll_degrees:.0f} degrees)"
        )
    if quality.sharpness < limits.min_sharpness:
        return Verdict(False, Cue.HOLD_STILL, f"face blurred (sharpness {quality.sharpness:.0f} < {limits.min_sharpness:.0f})")
    return Verdict(True, None, "ok")
