"""128-d face encodings (dlib's ResNet) and aligned face chips (for quality and liveness)."""

from __future__ import annotations

import cv2
import dlib
import numpy as np

from kiosk.face.detect import Face
from kiosk.face.encoder_process import CHIP_PADDING, CHIP_SIZE
from kiosk.face.models import FaceModels


def encode(models: FaceModels, rgb: np.ndarray, face: Face) -> np.ndarray:
    """The costly step (~13 ms of CPU here, a whole encoding of dlib's network): only when it is worth it."""
    return models.encoder.encode(face_chip(rgb, face))


def face_chip(rgb: np.ndarray, face: Face) -> np.ndarray:
    """The 150x150 aligned face the ResNet reads: encoding the chip gives exactly encode()'s vector."""
    return np.asarray(dlib.get_face_chip(rgb, face.shape, size=CHIP_SIZE, padding=CHIP_PADDING))


def aligned_grey(rgb: np.ndarray, face: Face, size: int, padding: float = 0.0) -> np.ndarray:
    """The face rotated and scaled to a fixed size by its landmarks, as grey float32."""
    chip = np.asarray(dlib.get_face_chip(rgb, face.shape, size=size, padding=padding))
    return cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY).astype(np.float32)
