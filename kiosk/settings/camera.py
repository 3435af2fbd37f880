"""[camera]: where frames come from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CameraSettings:
    source: str = field(
        default="auto",
        metadata={"help": "auto | picamera2 | /dev/videoN | rtsp://... | http://... | a video or image file"},
    )
    width: int = field(default=640, metadata={"min": 160, "max": 3840})
    height: int = field(default=360, metadata={"min": 120, "max": 2160})
    fps: float = field(default=15.0, metadata={"min": 1.0, "max": 60.0})
    loop: bool = field(default=False, metadata={"help": "replay a file source from the start when it ends"})
    reopen_max_seconds: float = field(default=30.0, metadata={"min": 1.0, "max": 600.0})
    reopen_min_seconds: float = field(
        default=0.5, metadata={"min": 0.05, "max": 60.0, "help": "first retry delay after a camera fault; doubles up to reopen_max_seconds"}
    )
    realtime: bool = field(
        default=False, metadata={"help": "play a file source at its own frame rate instead of as fast as possible"}
    )
