"""The evidence photo kept with a face punch: the face with some context, or the whole frame."""

from __future__ import annotations

import numpy as np

from kiosk.feedback import FaceBox
from kiosk.photos import encode_evidence
from kiosk.settings.photos import PhotoSettings

CONTEXT = 0.6  # widen the face box by this share on each side: hair, collar, background


def crop_box(box: FaceBox, width: int, height: int, context: float = CONTEXT) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the widened face box, inside the frame."""
    pad_x, pad_y = int((box.right - box.left) * context), int((box.bottom - box.top) * context)
    return (max(0, box.left - pad_x), max(0, box.top - pad_y), min(width, box.right + pad_x), min(height, box.bottom + pad_y))


def evidence_jpeg(image_bgr: np.ndarray, box: FaceBox, settings: PhotoSettings) -> bytes | None:
    if not settings.enabled:
        return None
    if settings.crop == "face":
        left, top, right, bottom = crop_box(box, image_bgr.shape[1], image_bgr.shape[0])
        image_bgr = image_bgr[top:bottom, left:right]
    return encode_evidence(np.ascontiguousarray(image_bgr), settings)
