"""What turns a face chip into a 128-d encoding: dlib's network run by numpy, else dlib itself.

Both read the same model file and give the same vectors (tests/test_resnet.py); numpy's takes ~7x
less CPU (kiosk/face/resnet.py). dlib's own is kept for a model file this reader does not know.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from kiosk.face.resnet import FaceResNet
from kiosk.face.resnet_file import UnsupportedModel

log = logging.getLogger(__name__)


class FaceEncoder(Protocol):
    def encode(self, chip: np.ndarray) -> np.ndarray: ...


class DlibEncoder:
    def __init__(self, path: Path) -> None:
        import dlib

        self.model: Any = dlib.face_recognition_model_v1(str(path))  # dlib ships no types

    def encode(self, chip: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.compute_face_descriptor(chip), dtype=np.float32)


def load_encoder(path: Path) -> FaceEncoder:
    try:
        return FaceResNet.load(path)
    except UnsupportedModel as exc:
        log.warning("face encoder: %s; using dlib's own (about 7x slower)", exc)
    try:
        return DlibEncoder(path)
    except RuntimeError as exc:  # dlib's error for a file it cannot read either
        raise UnsupportedModel(f"{path} is not a usable face encoder model ({exc}); reinstall face_recognition_models") from exc
