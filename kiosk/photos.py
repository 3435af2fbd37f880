"""Evidence photos: JPEG files under data_dir/photos, owner-only, referenced by their punch."""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np

from kiosk.private import make_private_dirs
from kiosk.settings.photos import PhotoSettings


def encode_evidence(image: np.ndarray, settings: PhotoSettings) -> bytes:
    """Downscale to max_width and JPEG-encode at the configured quality."""
    height, width = image.shape[:2]
    if width > settings.max_width:
        scale = settings.max_width / width
        image = cv2.resize(image, (settings.max_width, max(1, int(height * scale))), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, settings.jpeg_quality])
    if not ok:
        raise ValueError("could not encode the evidence photo as JPEG")
    return data.tobytes()


class PhotoStore:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.root = data_dir / "photos"

    def save(self, jpeg: bytes, nip: str, at: datetime) -> str:
        """Write durably with mode 0600; return the path relative to data_dir."""
        folder = self.root / at.strftime("%Y/%m/%d")
        make_private_dirs(folder)  # photos/YYYY/MM/DD, every level 0700
        name = f"{nip}-{at.strftime('%H%M%S')}-{secrets.token_hex(4)}.jpg"
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, jpeg)
            os.fsync(fd)
        finally:
            os.close(fd)
        return str(path.relative_to(self.root.parent))

    def path_of(self, relative: str) -> Path:
        path = (self.root.parent / relative).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"photo path {relative!r} is outside the photo folder")
        return path

    def remove_for(self, nip: str) -> int:
        removed = 0
        for path in self.root.rglob(f"{nip}-*.jpg"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed

    def remove_older_than(self, days: int, now: datetime) -> int:
        cutoff = (now - timedelta(days=days)).timestamp()
        removed = 0
        for path in self.root.rglob("*.jpg"):
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
