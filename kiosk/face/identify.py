"""Who is in this image or video? Diagnostic only: records nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kiosk.camera import is_image_file
from kiosk.face.detect import Face
from kiosk.face.encode import encode
from kiosk.face.image import UnreadableImage, read_image, shown, to_rgb
from kiosk.face.match import Matcher
from kiosk.face.models import FaceModels
from kiosk.face.photo import faces_in_photo, photo_detector
from kiosk.face.quality import QualityLimits, judge, measure


@dataclass(frozen=True)
class Identification:
    frame: int
    box: tuple[int, int, int, int]  # left, top, right, bottom
    best_nip: str | None
    distance: float | None
    second_distance: float | None
    decision: str  # "accepted" or "unknown: <reason>"
    quality: str  # "ok" or what the door would say is wrong


def _finite(value: float) -> float | None:
    """A distance for JSON: rounded, or None for "no template to compare with" (infinity)."""
    return round(value, 4) if value != float("inf") else None


def identify_faces(models: FaceModels, matcher: Matcher, rgb: np.ndarray, faces: list[Face], frame: int, limits: QualityLimits) -> list[Identification]:
    found = []
    for face in faces:
        match = matcher.match(encode(models, rgb, face))
        decision = "accepted" if match.accepted else f"unknown: {match.reason}"
        found.append(
            Identification(
                frame, (face.box.left, face.box.top, face.box.right, face.box.bottom), match.best_nip,
                _finite(match.distance), _finite(match.second_distance), decision, judge(measure(rgb, face), limits).reason,
            )
        )
    return found


def identify_file(models: FaceModels, matcher: Matcher, path: Path, limits: QualityLimits, every: int = 5) -> Iterator[Identification]:
    """Faces of an image, or of every `every`-th frame of a video."""
    if is_image_file(path):
        rgb, faces = faces_in_photo(models, read_image(path))
        yield from identify_faces(models, matcher, rgb, faces, 0, limits)
        return
    yield from _identify_video(models, matcher, path, limits, every)


def _identify_video(models: FaceModels, matcher: Matcher, path: Path, limits: QualityLimits, every: int) -> Iterator[Identification]:
    try:
        name = os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:  # OpenCV crashes the process on such a name
        raise UnreadableImage(f"{shown(path)}: a video's file name must be valid UTF-8 for OpenCV; rename the file") from None
    capture = cv2.VideoCapture(name)
    if not capture.isOpened():
        raise ValueError(f"{path}: not a readable image or video file")
    try:
        detector, index = None, 0
        while True:
            ok, image = capture.read()
            if not ok:
                break
            if index % every == 0:
                rgb = to_rgb(image)
                detector = detector or photo_detector(models, rgb.shape[1])
                yield from identify_faces(models, matcher, rgb, detector.find(rgb), index, limits)
            index += 1
    finally:
        capture.release()
