"""Faces in a still photo (enrollment, identify): detection scaled to the photo, not to a camera frame."""

from __future__ import annotations

import numpy as np

from kiosk.face.detect import Detector, Face
from kiosk.face.image import to_rgb
from kiosk.face.models import FaceModels

PHOTO_DETECT_WIDTH = 1024  # larger photos are downscaled for detection only
SMALL_PHOTO = 800  # at or below this width, upsample once so faces of ~40 px are found


def photo_detector(models: FaceModels, width: int) -> Detector:
    upsample = 1 if min(width, PHOTO_DETECT_WIDTH) <= SMALL_PHOTO else 0
    return Detector(models, detect_width=PHOTO_DETECT_WIDTH, upsample=upsample)


def faces_in_photo(models: FaceModels, image_bgr: np.ndarray) -> tuple[np.ndarray, list[Face]]:
    """(the RGB image, its faces) — landmarks at full resolution, for the best encodings."""
    rgb = to_rgb(image_bgr)
    return rgb, photo_detector(models, rgb.shape[1]).find(rgb)
