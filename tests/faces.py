"""Helpers for the face tests: models, the four enrolled people, configs and test videos.

Its fixtures (models, enrolled_template) are registered for every test by conftest.py's pytest_plugins: name
them as test parameters, do not import them.
Photos come from helpers.FACES (../shared/faces beside the checkout); without it the tests skip with the reason.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from helpers import FACES, need_faces, write_kiosk_config

CLIP = FACES / "short_hamilton_clip.mp4"

PEOPLE = {
    "198001012006041001": ("Barack Obama", "obama.jpg"),
    "198001012006041002": ("Joe Biden", "biden.jpg"),
    "198001012006041003": ("Alex Lacamoire", "alex-lacamoire.png"),
    "198001012006041004": ("Lin-Manuel Miranda", "lin-manuel-miranda.png"),
}
OBAMA, BIDEN, ALEX, LIN = PEOPLE


@pytest.fixture(scope="session")
def models():
    need_faces()
    from kiosk.face.models import FaceModels

    return FaceModels.load()


@pytest.fixture(scope="session")
def enrolled_template(tmp_path_factory, models) -> Path:
    """A data_dir with the four people added and enrolled from their reference photos (built once)."""
    from kiosk.enroll import Enroller
    from kiosk.settings.face import FaceSettings
    from kiosk.staff import add_employee
    from kiosk.store import Store

    data_dir = tmp_path_factory.mktemp("enrolled") / "data"
    with Store.open(data_dir / "kiosk.db", device_id="TEST-01") as store:
        enroller = Enroller(store, models, FaceSettings())
        for nip, (name, photo) in PEOPLE.items():
            add_employee(store, nip, name)
            enroller.from_photos(nip, [FACES / photo])
    return data_dir


def write_config(folder: Path, data_dir: Path, source: str | Path, extra: str = "", camera: str = "") -> Path:
    """A config on `data_dir` reading frames from `source`; `camera` adds [camera] keys, `extra` more tables."""
    body = f"""
        [camera]
        source = "{source}"
        """
    return write_kiosk_config(folder, data_dir, textwrap.dedent(body) + textwrap.dedent(camera) + textwrap.dedent(extra))


def enrolled_copy(enrolled_template: Path, folder: Path) -> Path:
    data_dir = folder / "data"
    shutil.copytree(enrolled_template, data_dir)
    return data_dir


def read_frames(path: Path, start: int = 0, stop: int | None = None) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames, index = [], 0
    while stop is None or index < stop:
        ok, frame = capture.read()
        if not ok:
            break
        if index >= start:
            frames.append(frame)
        index += 1
    capture.release()
    return frames


def write_video(path: Path, frames: list[np.ndarray], fps: float = 29.97) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write mp4v here"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def hand_held(photo: np.ndarray, count: int, seed: int = 7) -> list[np.ndarray]:
    """The same photo moved as a hand holding it would: drift, jitter, zoom and a slight tilt."""
    rng = np.random.default_rng(seed)
    height, width = photo.shape[:2]
    frames = []
    for k in range(count):
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), 2.0 * np.sin(k / 7), 1.0 + 0.06 * np.sin(k / 6))
        matrix[:, 2] += (8 * np.sin(k / 4) + rng.normal(0, 1.5), 5 * np.cos(k / 5) + rng.normal(0, 1.5))
        frames.append(cv2.warpAffine(photo, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE))
    return frames


def punches_in(data_dir: Path):
    from kiosk.store import Store

    with Store.open(data_dir / "kiosk.db", device_id="TEST-01") as store:
        return store.punches.page()
