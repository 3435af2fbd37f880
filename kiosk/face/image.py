"""Reading photos for enrollment and identification into one format (8-bit BGR)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from drivers.camera.base import as_bgr


class UnreadableImage(ValueError):
    """The file is missing or not an image OpenCV can decode."""


def read_image(path: str | Path) -> np.ndarray:
    path = Path(path)
    if not path.is_file():
        raise UnreadableImage(f"{path}: no such file")
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None or image.size == 0:
        raise UnreadableImage(f"{path}: not a readable image (JPEG or PNG expected)")
    return as_bgr(image)


def to_rgb(image_bgr: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image_bgr[:, :, ::-1])
