"""[photos]: evidence photos kept with each face punch."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PhotoSettings:
    enabled: bool = True
    crop: str = field(default="face", metadata={"choices": ("face", "frame"), "help": "face crop or whole frame"})
    max_width: int = field(default=480, metadata={"min": 64, "max": 3840})
    jpeg_quality: int = field(default=80, metadata={"min": 30, "max": 100})
    retention_days: int = field(default=400, metadata={"min": 1, "max": 3650, "help": "delete evidence older than this"})
