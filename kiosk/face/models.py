"""The dlib models, loaded from the face_recognition_models package (5-point landmarks, never 68).

Start-up matters (a restart after a power cut is part of the door's latency), so:
- dlib's frontal face detector is built from text embedded in dlib, which takes ~0.6 s of CPU; its
  binary form, saved once in `cache_dir`, loads in ~2 ms. A damaged cache file is rebuilt.
- the ResNet encoder (~0.07 s, 22 MB, run by numpy: kiosk/face/resnet.py) is loaded on first use:
  the door's pipeline encodes in a worker process that loads its own copy (kiosk/face/encoder_process.py).
- the model files are found without importing face_recognition_models, whose import pulls in
  pkg_resources (~0.2 s).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlib

from kiosk.face.encoders import FaceEncoder, load_encoder

log = logging.getLogger(__name__)

LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
ENCODER_FILE = "dlib_face_recognition_resnet_model_v1.dat"
INSTALL_HINT = "install them with `pip install 'face_recognition_models>=0.3,<0.4'`"


class ModelsMissing(RuntimeError):
    """The model files of face_recognition_models are not installed."""


@dataclass(frozen=True, eq=False)
class FaceModels:
    # dlib ships no type information: Any says so instead of pretending to know the methods.
    detector: Any  # dlib.fhog_object_detector
    landmarks: Any  # dlib.shape_predictor, 5 points
    encoder_path: Path  # dlib_face_recognition_resnet_model_v1.dat

    @functools.cached_property
    def encoder(self) -> FaceEncoder:
        """The 128-d face encoder, loaded on first use."""
        return load_encoder(self.encoder_path)

    @classmethod
    def load(cls, cache_dir: Path | None = None) -> FaceModels:
        landmarks_path, encoder_path = model_paths()
        return cls(
            detector=frontal_face_detector(cache_dir),
            landmarks=dlib.shape_predictor(str(landmarks_path)),
            encoder_path=encoder_path,
        )


def model_paths() -> tuple[Path, Path]:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelsMissing(f"the face model files are missing; {INSTALL_HINT}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    paths = (folder / LANDMARKS_FILE, folder / ENCODER_FILE)
    for path in paths:
        if not path.is_file():
            raise ModelsMissing(f"face model file {path} is missing; reinstall face_recognition_models")
    return paths


def frontal_face_detector(cache_dir: Path | None) -> object:
    """dlib's HOG face detector, from the binary cache when there is one (the same detector, 300x faster)."""
    if cache_dir is None:
        return dlib.get_frontal_face_detector()
    path = cache_dir / f"frontal_face_detector-dlib-{dlib.__version__}.svm"
    if path.is_file():
        try:
            return dlib.fhog_object_detector(str(path))
        except RuntimeError as exc:  # truncated or damaged: rebuild it below
            log.warning("face detector cache %s is damaged (%s); rebuilding it", path, exc)
    detector = dlib.get_frontal_face_detector()
    try:
        _save_atomically(detector, path)
    except OSError as exc:  # a read-only data_dir only costs start-up time
        log.warning("cannot cache the face detector in %s: %s", cache_dir, exc)
    return detector


def _save_atomically(detector, path: Path) -> None:
    """Write, fsync, rename: a power cut leaves either the old state or a whole file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".detector-", suffix=".svm")
    os.close(fd)
    try:
        detector.save(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
