"""Must-show 2: a still photo of an enrolled person held up to the camera records no punch.

The videos are made here from one image: identical frames, and the same image moved as a hand
would move it (drift, jitter, zoom, slight rotation), written through a real video codec. The
real clip still punching with liveness on is shown in test_run_clip.py.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from kiosk.cli.main import cli

from faces import CLIP, LIN, enrolled_copy, hand_held, punches_in, read_frames, write_config, write_video
from helpers import FACES

SECONDS = 3  # longer than liveness_window_seconds: the photo has every chance to pass


def clip_still() -> np.ndarray:
    return read_frames(CLIP, 150, 151)[0]  # Lin, frontal, distance ~0.31 to his reference photo


def printed_reference() -> np.ndarray:
    """The enrolled photo itself, printed and held up: the face ~150 px in a 640x360 frame."""
    photo = cv2.imread(str(FACES / "lin-manuel-miranda.png"))
    photo = cv2.resize(photo, None, fx=0.45, fy=0.45, interpolation=cv2.INTER_AREA)
    frame = np.full((360, 640, 3), 110, np.uint8)
    height, width = photo.shape[:2]
    frame[20 : 20 + min(height, 340), 160 : 160 + width] = photo[:340]
    return frame


def still_video(kind: str, image: np.ndarray, tmp_path) -> str:
    count = int(29.97 * SECONDS)
    frames = [image] * count if kind == "identical" else hand_held(image, count)
    return str(write_video(tmp_path / f"{kind}.mp4", frames))


def run(tmp_path, enrolled_template, video: str, liveness: bool):
    data_dir = enrolled_copy(enrolled_template, tmp_path)
    config = write_config(tmp_path, data_dir, video, extra=f"[face]\nliveness = {str(liveness).lower()}\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "run", "--exit-at-end"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return punches_in(data_dir)


@pytest.mark.parametrize(
    "kind, image",
    [("identical", clip_still), ("hand_held", clip_still), ("identical", printed_reference), ("hand_held", printed_reference)],
    ids=["clip-frame-identical", "clip-frame-hand-held", "printed-photo-identical", "printed-photo-hand-held"],
)
def test_still_photo_records_nothing_with_liveness_on(tmp_path, enrolled_template, caplog, kind, image):
    caplog.set_level("INFO", logger="kiosk.pipeline")
    assert run(tmp_path, enrolled_template, still_video(kind, image(), tmp_path), liveness=True) == []
    assert "liveness_check" in caplog.text  # recognised as Lin, but held back for lack of life


def test_the_same_video_punches_with_liveness_off(tmp_path, enrolled_template):
    # Proves the refusal above is liveness, not recognition: without it the photo is accepted.
    punches = run(tmp_path, enrolled_template, still_video("hand_held", clip_still(), tmp_path), liveness=False)
    assert [p.nip for p in punches] == [LIN]
