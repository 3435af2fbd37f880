"""The dlib models, loaded from the face_recognition_models package (5-point landmarks, never 68)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dlib


class ModelsMissing(RuntimeError):
    """The model files of face_recognition_models are not installed."""


@dataclass(frozen=True, eq=False)
class FaceModels:
    detector: object  # dlib.fhog_object_detector
    landmarks: object  # dlib.shape_predictor, 5 points
    encoder: object  # dlib.face_recognition_model_v1, 128-d

    @classmethod
    def load(cls) -> FaceModels:
        landmarks_path, encoder_path = model_paths()
        return cls(
            detector=dlib.get_frontal_face_detector(),
            landmarks=dlib.shape_predictor(str(landmarks_path)),
            encoder=dlib.face_recognition_model_v1(str(encoder_path)),
        )


def model_paths() -> tuple[Path, Path]:
    try:
        import face_recognition_models as frm
    except ImportError:
        raise ModelsMissing(
            "the face model files are missing; install them with `pip install 'face_recognition_models>=0.3,<0.4'`"
        ) from None
    paths = (Path(frm.pose_predictor_five_point_model_location()), Path(frm.face_recognition_model_location()))
    for path in paths:
        if not path.is_file():
            raise ModelsMissing(f"face model file {path} is missing; reinstall face_recognition_models")
    return paths
