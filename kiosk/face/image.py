"""Reading photos for enrollment and identification into one format (8-bit BGR).

A photo is hostile input until proven otherwise, so it is read in three steps:

1. Python reads the file's bytes (any name the OS allows, also one that is not valid UTF-8: OpenCV
   crashes the process on such a name), at most MAX_PHOTO_BYTES.
2. Pillow reads only the header: JPEG or PNG, and at most MAX_PHOTO_PIXELS. A few hundred KB of
   PNG can declare 30000x30000 pixels, which would take gigabytes and minutes to decode on a Pi.
3. Pillow decodes from memory and refuses a file cut short (OpenCV would fill the missing part
   with grey and enroll a half face).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from PIL import Image

# A 50-megapixel phone photo (8160x6120) fits; decoding it takes ~150 MB per copy on the Pi.
MAX_PHOTO_PIXELS = 50_000_000
MAX_PHOTO_BYTES = 128 * 1024 * 1024  # far above a 50 MP JPEG (~25 MB) or PNG (~100 MB)


def _formats() -> tuple:
    """The header classes themselves, not Image.open: Image.open refuses very large images without
    telling their size, and the message must name it. Pillow is imported here, when a photo is read:
    the door's pipeline only needs `to_rgb`, and importing Pillow costs ~0.02 CPU-s before READY=1."""
    from PIL import JpegImagePlugin, PngImagePlugin

    return ((b"\xff\xd8\xff", JpegImagePlugin.JpegImageFile), (b"\x89PNG\r\n\x1a\n", PngImagePlugin.PngImageFile))

_HOW_TO_SHRINK = "scale it down (e.g. to 2000 pixels wide) and try again"


class UnreadableImage(ValueError):
    """The file is missing, too large, damaged, or not a JPEG or PNG photo."""


def shown(path: str | Path) -> str:
    """The path as text that can always be printed: undecodable bytes appear as \\xff."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_image(path: str | Path) -> np.ndarray:
    """The photo as 8-bit BGR, or UnreadableImage naming the file, the problem and the fix."""
    label = shown(path)
    data = _read_bytes(Path(path), label)
    with _open_header(data, label) as image:
        _check_size(image.size, label)
        try:
            image.load()
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise UnreadableImage(
                f"{label}: the photo is damaged or cut short ({exc}); copy it again from the original"
            ) from None
        return _bgr(image)


def _read_bytes(path: Path, label: str) -> bytes:
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_PHOTO_BYTES + 1)
    except FileNotFoundError:
        raise UnreadableImage(f"{label}: no such file") from None
    except IsADirectoryError:
        raise UnreadableImage(f"{label}: is a folder, not a photo") from None
    except OSError as exc:
        raise UnreadableImage(f"{label}: cannot read the file ({exc.strerror}); check its permissions") from None
    if len(data) > MAX_PHOTO_BYTES:
        raise UnreadableImage(f"{label}: the file is larger than {MAX_PHOTO_BYTES // 2**20} MB; {_HOW_TO_SHRINK}")
    return data


def _open_header(data: bytes, label: str) -> Image.Image:
    for magic, header_class in _formats():
        if data.startswith(magic):
            try:
                return header_class(io.BytesIO(data))
            except (OSError, ValueError, SyntaxError, EOFError, KeyError) as exc:
                raise UnreadableImage(
                    f"{label}: not a readable image, its header is damaged ({exc}); JPEG or PNG expected"
                ) from None
    raise UnreadableImage(f"{label}: not a readable image (JPEG or PNG expected)")


def _check_size(size: tuple[int, int], label: str) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise UnreadableImage(f"{label}: the photo has no pixels ({width}x{height}); JPEG or PNG expected")
    if width * height > MAX_PHOTO_PIXELS:
        raise UnreadableImage(
            f"{label}: the photo is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels), more than the "
            f"limit of {MAX_PHOTO_PIXELS / 1e6:.0f} megapixels; {_HOW_TO_SHRINK}"
        )


def _bgr(image: Image.Image) -> np.ndarray:
    if image.mode.startswith("I"):  # 16-bit grey: keep the high byte, as the camera path does
        grey = (np.asarray(image, dtype=np.uint32) >> 8).astype(np.uint8)
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)  # 10x faster than a reversed numpy copy


def to_rgb(image_bgr: np.ndarray) -> np.ndarray:
    """The same pixels as a reversed numpy copy, ~15x cheaper (0.08 instead of 1.2 ms for a 640x360 frame):
    it runs at every detection."""
    if image_bgr.ndim == 3 and image_bgr.shape[2] == 3 and image_bgr.dtype == np.uint8:
        return cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(image_bgr[:, :, ::-1])
