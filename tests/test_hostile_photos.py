"""Issue 11 items 7, 8 and 13 (truncated JPEG): hostile photo files get a clear refusal, not a crash.

The hostile files are made here: a real photo under a file name that is not UTF-8, PNGs whose
header declares 30000x30000 or 60000x60000 pixels (a few MB of zeros), a JPEG whose header claims
60000x60000, damaged files, and a JPEG cut to a third. `enroll` and `identify` run as the real CLI.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.face.image import MAX_PHOTO_PIXELS

from helpers import FACES, need_faces

NIP = "198001012006041001"


def png_declaring(width: int, height: int, rows: int | None = None) -> bytes:
    """A grey PNG of width x height; only `rows` rows of (zero) pixel data if given (a header-only bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    squeeze, block = zlib.compressobj(1), bytes(width + 1) * 1000
    count = height if rows is None else rows
    data = b"".join(squeeze.compress(block) for _ in range(count // 1000)) + squeeze.compress(
        bytes(width + 1) * (count % 1000)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data + squeeze.flush()) + chunk(b"IEND", b"")


def jpeg_declaring(width: int, height: int) -> bytes:
    """obama.jpg with the frame header (SOF0/SOF2) rewritten to claim another size."""
    data = bytearray((FACES / "obama.jpg").read_bytes())
    at = 2
    while data[at + 1] not in (0xC0, 0xC2):  # walk the segments: an EXIF thumbnail has its own SOF inside APP1
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> Path:
    need_faces()
    folder = tmp_path_factory.mktemp("bombs")
    (folder / "30000.png").write_bytes(png_declaring(30000, 30000))  # every row present: a real 900 MP image
    (folder / "60000.png").write_bytes(png_declaring(60000, 60000, rows=10))
    (folder / "60000.jpg").write_bytes(jpeg_declaring(60000, 60000))
    return folder


@pytest.fixture
def staff(kiosk):
    need_faces()
    assert kiosk("employee", "add", NIP, "--name", "Barack Obama").exit_code == 0
    return kiosk


def refused(kiosk, store, command: str, path: Path, *phrases: str) -> str:
    args = ("enroll", NIP, "--photo", str(path)) if command == "enroll" else ("identify", str(path))
    result = kiosk(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output
    assert store.templates.count() == 0
    return result.output


# --- item 7: a file name that is not UTF-8 ------------------------------------------------------


def run_kiosk(config: Path, *args: str | bytes) -> subprocess.CompletedProcess:
    """The real `kiosk` process: a segfault must show as a return code, not kill pytest."""
    argv = [sys.executable, "-m", "kiosk", "--config", str(config), *args]
    return subprocess.run(argv, check=False, capture_output=True, timeout=300)


def test_photo_name_with_an_undecodable_byte_enrolls_and_identifies(staff, store, config_file, tmp_path):
    photo = os.path.join(os.fsencode(tmp_path), b"bad\xff name.jpg")
    shutil.copyfile(FACES / "obama.jpg", photo)

    enrolled = run_kiosk(config_file, "enroll", NIP, "--photo", photo)
    assert enrolled.returncode == 0, (enrolled.returncode, enrolled.stderr.decode(errors="replace"))
    assert b"Enrolled 198001012006041001" in enrolled.stdout
    assert store.templates.count() == 1

    found = run_kiosk(config_file, "identify", photo, "--json")
    assert found.returncode == 0, (found.returncode, found.stderr.decode(errors="replace"))
    assert NIP.encode() in found.stdout and b"accepted" in found.stdout


def test_unreadable_file_with_an_undecodable_name_is_named_in_the_error(staff, store, config_file, tmp_path):
    junk = os.path.join(os.fsencode(tmp_path), b"junk\xff.jpg")
    Path(os.fsdecode(junk)).write_text("not a photo")
    for args in (("enroll", NIP, "--photo", junk), ("identify", junk)):
        result = run_kiosk(config_file, *args)
        assert result.returncode == 1, (result.returncode, result.stderr.decode(errors="replace"))
        assert b"junk\\xff.jpg: not a readable image" in result.stderr, result.stderr
        assert b"Traceback" not in result.stderr
    assert store.templates.count() == 0


def test_video_with_an_undecodable_name_is_refused_not_a_crash(config_file, tmp_path):
    from faces import CLIP

    need_faces()
    clip = os.path.join(os.fsencode(tmp_path), b"clip\xff.mp4")
    shutil.copyfile(CLIP, clip)
    result = run_kiosk(config_file, "identify", clip, "--every", "100")
    assert result.returncode == 1, (result.returncode, result.stderr.decode(errors="replace"))
    assert b"clip\\xff.mp4: a video's file name must be valid UTF-8" in result.stderr and b"rename" in result.stderr


# --- item 8: pixel bombs and damaged files ------------------------------------------------------


@pytest.mark.parametrize("command", ["enroll", "identify"])
def test_png_declaring_900_megapixels_is_refused_by_its_header(staff, store, bombs, command):
    assert (bombs / "30000.png").stat().st_size < 5_000_000  # small on disk, gigabytes once decoded
    refused(
        staff,
        store,
        command,
        bombs / "30000.png",
        "30000x30000 pixels",
        f"limit of {MAX_PHOTO_PIXELS // 1_000_000} megapixels",
        "scale it down",
    )


@pytest.mark.parametrize("name", ["60000.png", "60000.jpg"])
@pytest.mark.parametrize("command", ["enroll", "identify"])
def test_header_beyond_what_opencv_accepts_gets_a_message(staff, store, bombs, command, name):
    refused(staff, store, command, bombs / name, "60000x60000 pixels", "megapixels")


@pytest.mark.parametrize(
    "name, content, phrase",
    [
        ("header.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, "header is damaged"),
        ("pixels.png", png_declaring(64, 64, rows=0)[:-12] + b"\x00" * 30, "damaged or cut short"),
        ("pixels.jpg", b"\xff\xd8\xff\xe0" + os.urandom(2000), "not a readable image"),
        ("empty.jpg", b"", "not a readable image"),
    ],
)
def test_damaged_files_get_a_message(staff, store, tmp_path, name, content, phrase):
    path = tmp_path / name
    path.write_bytes(content)
    refused(staff, store, "enroll", path, name, phrase)
    refused(staff, store, "identify", path, name, phrase)


# --- item 13: a JPEG cut short ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["enroll", "identify"])
def test_jpeg_cut_to_a_third_is_refused(staff, store, tmp_path, command):
    whole = (FACES / "obama.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 3])
    refused(staff, store, command, cut, "cut.jpg", "damaged or cut short", "copy it again")


# --- what must keep working ---------------------------------------------------------------------


def test_sixteen_bit_grey_png_still_enrolls(staff, store, tmp_path):
    grey = cv2.cvtColor(cv2.imread(str(FACES / "obama.jpg")), cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257
    path = tmp_path / "grey16.png"
    assert cv2.imwrite(str(path), grey)
    result = staff("enroll", NIP, "--photo", str(path))
    assert result.exit_code == 0, result.output
    assert store.templates.count() == 1
