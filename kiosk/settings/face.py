"""[face]: recognition thresholds (values chosen from measurements: see docs/face-recognition.md)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FaceSettings:
    tolerance: float = field(default=0.5, metadata={"min": 0.2, "max": 0.8, "help": "largest accepted match distance"})
    margin: float = field(
        default=0.06, metadata={"min": 0.0, "max": 0.5, "help": "second-best other employee must be this much farther"}
    )
    repeat_minutes: int = field(default=5, metadata={"min": 0, "max": 240, "help": "same employee within this = one punch"})
    liveness: bool = field(default=True, metadata={"help": "refuse printed photos and phone screens"})
    attempts_before_fallback: int = field(default=3, metadata={"min": 1, "max": 20})
    # Detection: dlib HOG on a frame downscaled to this width; 0 upsampling finds faces >= ~80 px.
    detect_width: int = field(default=640, metadata={"min": 160, "max": 1920, "help": "frame width for face detection"})
    detect_upsample: int = field(default=0, metadata={"min": 0, "max": 2, "help": "HOG upsampling (finds smaller faces, 4x cost)"})
    detect_interval: float = field(
        default=0.1, metadata={"min": 0.0, "max": 2.0, "help": "seconds between detections while someone is at the door"}
    )
    idle_detect_seconds: float = field(
        default=2.0, metadata={"min": 0.2, "max": 60.0, "help": "detect at least this often even when nothing moves"}
    )
    motion_threshold: float = field(
        default=0.004, metadata={"min": 0.0, "max": 1.0, "help": "share of changed pixels (160x90) that counts as motion"}
    )
    track_timeout_seconds: float = field(default=1.0, metadata={"min": 0.1, "max": 10.0, "help": "a face unseen this long is gone"})
    # Quality checks before a face is encoded.
    min_face_px: int = field(default=80, metadata={"min": 40, "max": 1000, "help": "smaller faces: 'come closer'"})
    min_sharpness: float = field(default=15.0, metadata={"min": 0.0, "max": 1000.0, "help": "Laplacian variance of the aligned face"})
    max_yaw: float = field(default=0.3, metadata={"min": 0.05, "max": 1.0, "help": "nose offset / eye distance; larger: 'face the camera'"})
    max_roll_degrees: float = field(default=25.0, metadata={"min": 5.0, "max": 90.0})
    reencode_gain: float = field(
        default=0.15, metadata={"min": 0.0, "max": 5.0, "help": "re-encode a track when its quality beats the encoded one by this fraction"}
    )
    retry_seconds: float = field(
        default=0.4, metadata={"min": 0.0, "max": 10.0, "help": "an unrecognised face is re-tried after this (up to attempts_before_fallback)"}
    )
    # Enrollment photos must be better than what the door accepts.
    enroll_min_face_px: int = field(default=100, metadata={"min": 40, "max": 2000})
    enroll_min_sharpness: float = field(default=40.0, metadata={"min": 0.0, "max": 1000.0})
    # Liveness: normalised change of the aligned face (expression, blink, head rotation) over a window.
    liveness_threshold: float = field(
        default=0.4, metadata={"min": 0.05, "max": 2.0, "help": "aligned-face change a live face must show"}
    )
    liveness_window_seconds: float = field(default=3.0, metadata={"min": 0.3, "max": 30.0})
