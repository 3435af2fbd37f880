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
