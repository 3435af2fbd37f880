"""The door screen renderer: each verdict drawn, saved as PNG, and read back.

The text is read back with the tesseract OCR program when it is installed (Debian packages
tesseract-ocr and tesseract-ocr-eng); those checks skip with that reason where it is missing.
The layout and pixel checks always run: the band has the verdict's colour, every line of text has
ink where the layout put it, and the face box sits on the face in the preview.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.display.layout import Rect, cover_fit, fit_text, wrap
from drivers.display.renderer import PALETTE, Rendered, render, render_with_layout
from kiosk.domain import Classification, Kind, Status
from kiosk.feedback import Cue, FaceBox, Feedback
from kiosk.i18n import Tone

WIB = timezone(timedelta(hours=7))
NOW = datetime(2025, 3, 3, 7, 41, 30, tzinfo=WIB)
SKIN_BGR = (140, 170, 220)
FACE = FaceBox(left=345, top=70, right=455, bottom=180)  # in a 640x360 frame: below the clock bar, above the band

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract OCR is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)",
)


def face_frame(box: FaceBox = FACE, size: tuple[int, int] = (640, 360)) -> np.ndarray:
    """A camera frame with a flat 'face' (skin-coloured ellipse with eyes) filling `box`."""
    width, height = size
    frame = np.zeros((height, width, 3), np.uint8)
    frame[:] = np.linspace(50, 120, width, dtype=np.uint8)[None, :, None]
    centre = ((box.left + box.right) // 2, (box.top + box.bottom) // 2)
    axes = ((box.right - box.left) // 2 - 4, (box.bottom - box.top) // 2 - 4)
    cv2.ellipse(frame, centre, axes, 0, 0, 360, SKIN_BGR, -1)
    for dx in (-axes[0] // 3, axes[0] // 3):
        cv2.circle(frame, (centre[0] + dx, centre[1] - axes[1] // 4), max(3, axes[0] // 8), (40, 40, 40), -1)
    return frame


def recorded(kind: Kind, status: Status, minutes: int = 0, name: str = "Budi", box: FaceBox | None = FACE) -> Feedback:
    return Feedback(
        Cue.RECORDED,
        NOW,
        name=name,
        punch_time=NOW.replace(second=0),
        classification=Classification(kind, status, minutes),
        box=box,
    )


# name, feedback, language, the words that must be on screen, the tone
VERDICTS = [
    ("on_time", recorded(Kind.DATANG, Status.ON_TIME), "id", "Tepat waktu Terima kasih Budi Tercatat 07:41", Tone.GOOD),
    (
        "late",
        recorded(Kind.DATANG, Status.LATE, 12),
        "id",
        "Terlambat 12 menit Terima kasih Budi Tercatat 07:41",
        Tone.WARN,
    ),
    ("early", recorded(Kind.PULANG, Status.EARLY, 20), "id", "Pulang lebih awal 20 menit Terima kasih Budi", Tone.WARN),
    ("outside", recorded(Kind.DATANG, Status.OUTSIDE_WINDOW), "id", "Di luar jam absen Tercatat", Tone.WARN),
    (
        "unknown",
        Feedback(Cue.UNKNOWN_USE_FINGERPRINT, NOW, box=FACE),
        "id",
        "Wajah tidak dikenali silakan gunakan sidik jari",
        Tone.BAD,
    ),
    ("closer", Feedback(Cue.COME_CLOSER, NOW, box=FACE), "id", "Mendekatlah ke kamera", Tone.GUIDE),
    ("face_camera", Feedback(Cue.FACE_CAMERA, NOW, box=FACE), "id", "Hadap ke kamera", Tone.GUIDE),
    ("hold_still", Feedback(Cue.HOLD_STILL, NOW, box=FACE), "id", "Tahan sebentar", Tone.GUIDE),
    (
        "not_recorded",
        Feedback(Cue.NOT_RECORDED, NOW, name="Budi"),
        "id",
        "Absen GAGAL dicatat Hubungi operator",
        Tone.BAD,
    ),
    ("idle", None, "id", "Silakan absen", Tone.IDLE),
    (
        "late_en",
        recorded(Kind.DATANG, Status.LATE, 12),
        "en",
        "Late by 12 minutes Thank you Budi Recorded at 07:41",
        Tone.WARN,
    ),
    ("unknown_en", Feedback(Cue.UNKNOWN_USE_FINGERPRINT, NOW), "en", "Face not recognised fingerprint", Tone.BAD),
]


def save(rendered: Rendered, path: Path) -> Path:
    assert cv2.imwrite(str(path), rendered.image)
    return path


def ink_fraction(image: np.ndarray, rect: Rect, ink_rgb: tuple[int, int, int]) -> float:
    """Share of pixels in `rect` that are (close to) the text colour."""
    crop = image[rect.y : rect.bottom, rect.x : rect.right].astype(int)
    ink_bgr = np.array(ink_rgb[::-1])
    return float((np.abs(crop - ink_bgr).sum(axis=2) < 60).mean())


def ocr_words(image: np.ndarray, rect: Rect, tmp_path: Path) -> list[str]:
    """The words tesseract reads in `rect`, lower-cased; dark-on-light first for its best accuracy."""
    grey = cv2.cvtColor(image[rect.y : rect.bottom, rect.x : rect.right], cv2.COLOR_BGR2GRAY)
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if (binary == 0).mean() > 0.5:  # light text on a dark band
        binary = 255 - binary
    path = tmp_path / f"ocr-{rect.x}-{rect.y}.png"
    cv2.imwrite(str(path), cv2.copyMakeBorder(binary, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255))
    out = subprocess.run(
        ["tesseract", str(path), "stdout", "--psm", "6", "-l", "eng"], capture_output=True, text=True, check=True
    )
    return re.findall(r"[\w:]+", out.stdout.lower())


def missing_words(expected: str, seen: list[str]) -> list[str]:
    """Expected words OCR did not find; numbers must match exactly, words nearly (OCR confuses l/I)."""
    missing = []
    for word in re.findall(r"[\w:]+", expected.lower()):
        cutoff = 1.0 if any(ch.isdigit() for ch in word) else 0.8
        if not difflib.get_close_matches(word, seen, n=1, cutoff=cutoff):
            missing.append(word)
    return missing


@pytest.mark.parametrize(("name", "feedback", "language", "words", "tone"), VERDICTS, ids=[v[0] for v in VERDICTS])
def test_each_verdict_is_drawn_in_its_band(name, feedback, language, words, tone, tmp_path):
    rendered = render_with_layout(face_frame(), feedback, NOW, language)
    path = save(rendered, tmp_path / f"{name}.png")
    image = cv2.imread(str(path))
    assert image.shape == (480, 800, 3)
    layout = rendered.layout
    band_rgb, ink_rgb = PALETTE[tone]
    assert layout.tone is tone
    corner = image[layout.band.bottom - 3, layout.band.right - 3]
    assert tuple(int(c) for c in corner[::-1]) == band_rgb
    assert layout.headline.text == rendered.text.headline  # nothing cut from the verdict
    for block in (layout.headline, layout.detail, layout.label):
        if block is not None:
            assert ink_fraction(image, block.rect, ink_rgb) > 0.02, f"no text drawn for {block.text!r}"


@needs_tesseract
@pytest.mark.parametrize(("name", "feedback", "language", "words", "tone"), VERDICTS, ids=[v[0] for v in VERDICTS])
def test_each_verdict_reads_back_by_ocr(name, feedback, language, words, tone, tmp_path):
    rendered = render_with_layout(face_frame(), feedback, NOW, language)
    image = cv2.imread(str(save(rendered, tmp_path / f"{name}.png")))
    band = rendered.layout.band
    text_left = rendered.layout.headline.rect.x - 10
    seen = ocr_words(image, Rect(text_left, band.y, band.right - text_left, band.h), tmp_path)
    assert missing_words(words, seen) == [], f"OCR read {seen}"


@needs_tesseract
def test_the_date_and_clock_read_back_by_ocr(tmp_path):
    rendered = render_with_layout(face_frame(), None, NOW, "id")
    image = cv2.imread(str(save(rendered, tmp_path / "clock.png")))
    seen = ocr_words(image, rendered.layout.top_bar, tmp_path)
    assert missing_words("Senin 3 Maret 2025 07:41", seen) == [], f"OCR read {seen}"


@pytest.mark.parametrize("mirror", [True, False])
def test_the_face_box_is_drawn_where_the_face_is(mirror, tmp_path):
    feedback = recorded(Kind.DATANG, Status.ON_TIME)
    rendered = render_with_layout(face_frame(), feedback, NOW, "id", mirror=mirror)
    image = cv2.imread(str(save(rendered, tmp_path / f"face-mirror-{mirror}.png")))
    face = rendered.layout.face
    assert face is not None and face.bottom < rendered.layout.band.y
    cx, cy = face.center
    assert np.abs(image[cy, cx].astype(int) - SKIN_BGR).sum() < 30, "the box centre is not on the face"
    band_bgr = np.array(PALETTE[Tone.GOOD][0][::-1])
    edges = {
        "left": image[face.y + 10 : face.bottom - 10, face.x + 1],
        "right": image[face.y + 10 : face.bottom - 10, face.right - 2],
        "top": image[face.y + 1, face.x + 10 : face.right - 10],
        "bottom": image[face.bottom - 2, face.x + 10 : face.right - 10],
    }
    for side, pixels in edges.items():
        assert (np.abs(pixels.astype(int) - band_bgr).sum(axis=1) < 10).mean() > 0.95, f"{side} edge of the box missing"
    outside = image[cy, max(face.x - 12, 0)]
    assert np.abs(outside.astype(int) - band_bgr).sum() > 60, "the box is wider than the face"


def test_the_mirrored_box_is_the_mirror_image_of_the_plain_one():
    feedback = recorded(Kind.DATANG, Status.ON_TIME)
    plain = render_with_layout(face_frame(), feedback, NOW, "id", mirror=False).layout.face
    mirrored = render_with_layout(face_frame(), feedback, NOW, "id", mirror=True).layout.face
    assert plain is not None and mirrored is not None
    assert abs((plain.x + plain.right) + (mirrored.x + mirrored.right) - 2 * 800) <= 2
    assert (plain.y, plain.h, plain.w) == (mirrored.y, mirrored.h, mirrored.w)


def test_the_name_tag_sits_on_the_face_box():
    rendered = render_with_layout(face_frame(), recorded(Kind.DATANG, Status.ON_TIME, name="Budi"), NOW, "id")
    tag, face = rendered.layout.name_tag, rendered.layout.face
    assert tag is not None and face is not None
    assert tag.text == "Budi" and tag.rect.bottom == face.y and tag.rect.x == face.x
    assert ink_fraction(rendered.image, tag.rect, (255, 255, 255)) > 0.03


def test_the_name_tag_moves_inside_the_box_when_the_face_is_at_the_top():
    high = FaceBox(345, 5, 455, 115)
    rendered = render_with_layout(face_frame(high), recorded(Kind.DATANG, Status.ON_TIME, box=high), NOW, "id")
    tag, face = rendered.layout.name_tag, rendered.layout.face
    assert tag is not None and face is not None
    assert tag.rect.y == rendered.layout.top_bar.bottom  # below the clock bar, over the top of the box


def test_no_face_box_without_a_box_or_without_a_frame():
    no_box = render_with_layout(face_frame(), recorded(Kind.DATANG, Status.ON_TIME, box=None), NOW, "id")
    no_frame = render_with_layout(None, recorded(Kind.DATANG, Status.ON_TIME), NOW, "id")
    assert no_box.layout.face is None and no_frame.layout.face is None


def test_without_a_camera_the_clock_is_big(tmp_path):
    """A fingerprint-only kiosk has no preview: the clock fills the space above the band."""
    rendered = render_with_layout(None, None, NOW, "id")
    save(rendered, tmp_path / "no-camera.png")
    clock = rendered.layout.clock
    assert clock.text == "07:41" and clock.fitted.size >= 100
    assert ink_fraction(rendered.image, clock.rect, (255, 255, 255)) > 0.05


def test_a_very_long_name_is_shortened_not_spilled():
    name = "Raden Mas Muhammad Abdurrahman Wicaksono Prawirodirdjo Hadikusumo Notonegoro Sastrowardoyo"
    rendered = render_with_layout(face_frame(), recorded(Kind.DATANG, Status.LATE, 12, name=name), NOW, "id")
    detail = rendered.layout.detail
    assert detail is not None
    assert len(detail.fitted.lines) * detail.fitted.line_height() <= detail.rect.h
    assert rendered.layout.headline.text == "Terlambat 12 menit"


@pytest.mark.parametrize("size", [(800, 480), (1024, 600), (1920, 1080), (480, 320), (320, 240)])
def test_every_screen_size_renders(size):
    image = render(face_frame(), recorded(Kind.PULANG, Status.EARLY, 20), NOW, "id", size=size)
    assert image.shape == (size[1], size[0], 3) and image.dtype == np.uint8


@pytest.mark.parametrize(
    "frame",
    [
        np.full((480, 640), 128, np.uint8),  # grey camera
        np.full((360, 640, 4), 128, np.uint8),  # BGRA
        np.full((1080, 1920, 3), 128, np.uint8),  # larger than the screen
    ],
)
def test_frames_of_any_layout_render(frame):
    assert render(frame, None, NOW, "id").shape == (480, 800, 3)


def test_render_does_not_change_the_frame():
    frame = face_frame()
    before = frame.copy()
    render(frame, recorded(Kind.DATANG, Status.ON_TIME), NOW, "id")
    assert np.array_equal(frame, before)


# --- pure geometry -------------------------------------------------------------------------------


def half_size_measure(text: str, size: int) -> int:
    """A fake font whose every character is half the font size wide."""
    return len(text) * size // 2


@pytest.mark.parametrize(
    ("text", "box", "expected_size", "expected_lines"),
    [
        ("Tepat waktu", Rect(0, 0, 400, 100), 60, ("Tepat waktu",)),  # fits at the maximum
        ("Terlambat 12 menit", Rect(0, 0, 300, 60), 32, ("Terlambat 12 menit",)),  # shrinks to fit one line
        ("Terima kasih, Budi. Tercatat 07:41", Rect(0, 0, 300, 100), 30, ("Terima kasih, Budi.", "Tercatat 07:41")),
        (
            "Terima kasih, M. Rizky. Tercatat 07:41",
            Rect(0, 0, 300, 100),
            26,
            ("Terima kasih, M. Rizky.", "Tercatat 07:41"),
        ),
        ("aaaa bbbb cccc dddd", Rect(0, 0, 100, 100), 22, ("aaaa bbbb", "cccc dddd")),  # greedy wrap
    ],
)
def test_fit_text(text, box, expected_size, expected_lines):
    fitted = fit_text(text, box, 60, 12, half_size_measure)
    assert (fitted.size, fitted.lines) == (expected_size, expected_lines)


def test_fit_text_cuts_what_cannot_fit_at_the_smallest_size():
    fitted = fit_text("word " * 40, Rect(0, 0, 100, 30), 20, 20, half_size_measure)
    assert fitted.size == 20 and len(fitted.lines) == 1 and fitted.lines[0].endswith("...")
    assert half_size_measure(fitted.lines[0], 20) <= 100


def test_wrap_keeps_an_overlong_word_on_its_own_line():
    assert wrap("a verylongword b", 40, 10, half_size_measure) == ("a", "verylongword", "b")


@pytest.mark.parametrize(
    ("frame_size", "mirror", "box", "expected"),
    [
        ((640, 360), False, FaceBox(0, 0, 640, 360), Rect(-27, 0, 853, 480)),  # 16:9 covers 5:3, sides cropped
        ((640, 480), False, FaceBox(0, 0, 640, 480), Rect(0, -60, 800, 600)),  # 4:3 covers 5:3, top/bottom cropped
        ((640, 480), False, FaceBox(0, 0, 320, 240), Rect(0, -60, 400, 300)),
        ((640, 480), True, FaceBox(0, 0, 320, 240), Rect(400, -60, 400, 300)),  # mirrored to the right half
    ],
)
def test_cover_fit_maps_face_boxes(frame_size, mirror, box, expected):
    assert cover_fit(frame_size, Rect(0, 0, 800, 480), mirror).box(box) == expected
