"""The door on a small CPU budget (issue 12): what is cut from start-up and from every frame must
not change what the door decides. Speed itself is measured in bench/door_realtime.py, never here.

Real SQLite files, the real dlib models, real frames of the shared clip and a real `kiosk run`
child process; nothing is mocked.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.display.screen import BUSY_FPS, DoorScreen
from kiosk.camera import Frame
from kiosk.domain import Employee
from kiosk.face.detect import Detector
from kiosk.face.image import to_rgb
from kiosk.face.match import Matcher
from kiosk.face.recognizer import FULL_FRAME_SECONDS, Recognizer
from kiosk.face.template_cache import PREFIX, load_matrix
from kiosk.feedback import FeedbackHub
from kiosk.settings.face import FaceSettings
from kiosk.settings.screen import ScreenSettings
from kiosk.store import Store
from kiosk.store.templates import TemplateMatrix

from faces import CLIP, FACES, need_faces

REPO = Path(__file__).resolve().parent.parent
NIPS = [f"19900101202001100{i}" for i in range(1, 5)]


# --- the template matrix cache ---------------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "kiosk.db", device_id="TEST-01") as store:
        for nip in NIPS:
            store.employees.add(Employee(nip=nip, name=f"Pegawai {nip[-1]}"))
        yield store


def vector(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.09, 128).astype(np.float32)


def assert_same(cached: TemplateMatrix, fresh: TemplateMatrix) -> None:
    assert cached.ids.tolist() == fresh.ids.tolist()
    assert cached.nips.tolist() == fresh.nips.tolist()
    assert np.array_equal(cached.vectors, fresh.vectors)


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{PREFIX}*.npz"))


def test_the_cached_matrix_follows_every_change_of_the_templates(store: Store, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    store.templates.add(NIPS[0], vector(1), "photo")
    store.templates.add(NIPS[1], vector(2), "photo")
    changes = [
        lambda: None,  # the first start writes the file
        lambda: store.templates.add(NIPS[2], vector(3), "camera"),
        lambda: store.templates.remove_for(NIPS[0]),
        # the newest employee enrolled again with as many photos: same count, other vectors
        lambda: store.templates.add_many(NIPS[2], [(vector(4), 1.0)], "photo", replace=True),
        lambda: store.employees.update(Employee(nip=NIPS[1], name="Pegawai 2", active=False)),
        lambda: store.employees.update(Employee(nip=NIPS[1], name="Pegawai 2", active=True)),
        lambda: store.employees.remove(NIPS[2]),
    ]
    for change in changes:
        change()
        assert_same(load_matrix(store.templates, cache), store.templates.matrix())
        assert_same(load_matrix(store.templates, cache), store.templates.matrix())  # now from the file
        assert len(cache_files(cache)) == 1  # the stale copy is gone


def test_an_unchanged_store_is_read_from_the_cache(store: Store, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    store.templates.add(NIPS[0], vector(1), "photo")
    load_matrix(store.templates, cache)
    # The kiosk never rewrites a vector in place; doing it behind its back shows which copy is read.
    store.db.conn.execute("UPDATE face_templates SET vector = ?", (vector(9).tobytes(),))
    assert np.array_equal(load_matrix(store.templates, cache).vectors[0], vector(1))


def test_a_damaged_cache_file_is_ignored_and_rewritten(store: Store, tmp_path: Path, caplog) -> None:
    cache = tmp_path / "cache"
    store.templates.add(NIPS[0], vector(1), "photo")
    store.templates.add(NIPS[1], vector(2), "photo")
    load_matrix(store.templates, cache)
    [path] = cache_files(cache)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a power cut while writing
    assert_same(load_matrix(store.templates, cache), store.templates.matrix())
    assert "unreadable" in caplog.text
    caplog.clear()
    assert_same(load_matrix(store.templates, cache), store.templates.matrix())
    assert "unreadable" not in caplog.text  # rewritten whole


def test_a_database_restored_from_another_history_does_not_get_the_other_matrix(store: Store, tmp_path: Path) -> None:
    """Two copies of one database (a restored backup): one removes template 2, the other template 3,
    both add one. Same count, same newest id, same employees; one cache directory for both."""
    cache = tmp_path / "cache"
    for i, nip in enumerate(NIPS[:3]):
        store.templates.add(nip, vector(i), "photo")
    store.db.checkpoint()
    matrices = []
    for name, removed in (("a", NIPS[1]), ("b", NIPS[2])):
        shutil.copy(tmp_path / "kiosk.db", tmp_path / f"{name}.db")
        with Store.open(tmp_path / f"{name}.db", device_id="TEST-01") as copy:
            copy.templates.remove_for(removed)
            copy.templates.add(NIPS[0], vector(7), "photo")
            matrices.append((load_matrix(copy.templates, cache), copy.templates.matrix()))
    (cached_a, fresh_a), (cached_b, fresh_b) = matrices
    assert fresh_a.ids.tolist() != fresh_b.ids.tolist()
    assert_same(cached_a, fresh_a)
    assert_same(cached_b, fresh_b)


# --- detection around the tracked faces ------------------------------------------------------
def clip_frames(*indexes: int) -> dict[int, np.ndarray]:
    need_faces()
    capture, frames, index = cv2.VideoCapture(str(CLIP)), {}, 0
    while len(frames) < len(indexes):
        ok, image = capture.read()
        assert ok
        if index in indexes:
            frames[index] = image
        index += 1
    return frames


def test_detecting_near_a_tracked_face_finds_that_face_and_nothing_far_away(models) -> None:
    rgb = to_rgb(clip_frames(100)[100])
    detector = Detector(models, FaceSettings().detect_width)
    [whole] = detector.find(rgb)
    [near] = detector.find_near(rgb, [whole.box])
    for a, b in zip(
        (whole.box.left, whole.box.top, whole.box.right, whole.box.bottom),
        (near.box.left, near.box.top, near.box.right, near.box.bottom),
        strict=True,
    ):
        assert abs(a - b) <= 0.1 * whole.width
    elsewhere = type(whole.box)(540, 250, 600, 310)  # the bottom-right corner: no face there
    assert detector.find_near(rgb, [elsewhere]) == []
    assert len(detector.find_near(rgb, [whole.box, whole.box])) == 1  # overlapping regions: one face


def live(image: np.ndarray, index: int, t: float) -> Frame:
    return Frame(image, index, t, captured=1000.0 + t)


def test_someone_stepping_in_beside_a_tracked_face_is_found_by_the_next_whole_frame_scan(models) -> None:
    """Live frames scan only around the tracked face; the whole frame is scanned every FULL_FRAME_SECONDS."""
    lin, both = lin_and_someone_else()
    settings = FaceSettings(liveness=False)
    recognizer = Recognizer(models, settings, Matcher(_no_templates(), 0.5, 0.06))
    recognizer.process(live(lin, 0, 0.0))  # a whole-frame scan: Lin's track
    assert len(recognizer.tracker.tracks) == 1
    t, seen_at = 0.0, None
    while t < 2 * FULL_FRAME_SECONDS and seen_at is None:
        t = round(t + 0.25, 3)  # detection is due at every frame however slow this machine is (DETECT_DUTY)
        recognizer.process(live(both, int(t * 30), t))
        recognizer.collect()
        if len(recognizer.tracker.tracks) == 2:
            seen_at = t
    assert seen_at is not None and seen_at >= FULL_FRAME_SECONDS  # not before the scan, but at it


def test_a_replay_that_starts_over_is_scanned_whole_at_once(models) -> None:
    """A looping file's clock goes back to 0: the faces tracked at the end of the last pass must not
    confine detection to their regions (they cannot expire until the clock passes them again)."""
    lin, both = lin_and_someone_else()
    recognizer = Recognizer(models, FaceSettings(liveness=False), Matcher(_no_templates(), 0.5, 0.06))
    recognizer.process(live(lin, 270, 9.0))  # the end of one pass: Lin tracked
    recognizer.process(live(both, 0, 0.0))  # the first frame of the next pass
    assert len(recognizer.tracker.tracks) == 2


def lin_and_someone_else() -> tuple[np.ndarray, np.ndarray]:
    """Clip frame 100 (Lin at the left), and the same frame with someone else at the right (a 72-px face)."""
    need_faces()
    lin = clip_frames(100)[100]
    other = cv2.imread(str(FACES / "obama.jpg"))
    scale = 300 / other.shape[0]
    other = cv2.resize(other, None, fx=scale, fy=scale)
    both = lin.copy()
    both[360 - other.shape[0] :, 640 - other.shape[1] :] = other
    return lin, both


def _no_templates() -> TemplateMatrix:
    return TemplateMatrix(np.zeros(0, np.int64), np.zeros(0, object), np.zeros((0, 128), np.float32))


# --- the screen while the door identifies a face ---------------------------------------------
def test_the_screen_redraws_less_often_while_a_face_is_being_identified() -> None:
    busy = [False]
    screen = DoorScreen(FeedbackHub(), lambda: None, "id", ScreenSettings(fps=10))  # type: ignore[arg-type, return-value]
    assert screen.fps() == 10  # nobody set busy: the configured rate
    screen.busy = lambda: busy[0]
    assert screen.fps() == 10
    busy[0] = True
    assert screen.fps() == BUSY_FPS < 10
    slow = DoorScreen(FeedbackHub(), lambda: None, "id", ScreenSettings(fps=2))  # type: ignore[arg-type, return-value]
    slow.busy = lambda: True
    assert slow.fps() == 2  # never faster than configured


# --- nothing before READY=1 that the door does not need --------------------------------------
SPY = """
import json, os, signal, sys
from kiosk.notify import SystemdNotifier

seen, result = {}, sys.argv[1]

def ready(self, status=""):
    seen["ready"] = sorted(sys.modules)
    return True

def status(self, text):
    if text.startswith("all parts started"):
        seen["all"] = sorted(sys.modules)
        with open(result, "w") as handle:
            json.dump(seen, handle)
        os.kill(os.getpid(), signal.SIGTERM)
    return True

SystemdNotifier.ready, SystemdNotifier.status = ready, status
sys.argv = ["kiosk", "--config", sys.argv[2], "run"]
from kiosk.cli.main import main
main()
"""
# Loaded only by parts that start after READY=1 (delivery, servers, console, reports).
NOT_BEFORE_READY = (
    "PIL",  # photos are read by enrollment and `kiosk identify`, never by the door
    "requests",
    "urllib3",
    "apscheduler",
    "flask",
    "hypercorn",
    "openpyxl",
    "sqlite_utils",
    "sync",
    "kiosk.console",
    "kiosk.report",
)


def test_nothing_the_door_does_not_need_is_imported_before_ready(tmp_path: Path) -> None:
    """A real `kiosk run` (the clip in real time, the door screen headless, the default parts):
    the modules loaded when READY=1 is sent, against those loaded once every part has started."""
    need_faces()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        textwrap.dedent(
            f"""
            [device]
            id = "TEST-01"
            data_dir = "{tmp_path / "data"}"

            [camera]
            source = "{CLIP}"
            realtime = true

            [screen]
            backend = "headless"
            """
        )
    )
    result = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", SPY, str(result), str(config)], cwd=REPO, timeout=120, capture_output=True, check=False
    )
    modules = json.loads(result.read_text())
    early = [
        name
        for name in modules["ready"]
        if any(name == later or name.startswith(later + ".") for later in NOT_BEFORE_READY)
    ]
    assert early == []
    assert "apscheduler" in modules["all"] and "sync.deliverer" in modules["all"]  # the spy sees what comes later
    assert "dlib" in modules["ready"] and "cv2" in modules["ready"]  # and what the door needs
