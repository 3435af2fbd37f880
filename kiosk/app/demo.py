"""`kiosk demo`: the whole face punch on a fresh install, with no camera and no network.

It enrolls the public-domain astronaut portrait shipped in kiosk/demo_data into a temporary
data_dir, plays frames made from it (an empty doorway, the person walking up, leaving, coming back),
and reports what the door said (in Bahasa Indonesia) and which punches were recorded. Then it
delivers them with push protocol v1 to the reference receiver, started on 127.0.0.1 for the demo
(loopback only: no network). Liveness is switched off for this synthetic demo: the frames are made
from one still photo, which is exactly what liveness refuses.
"""

from __future__ import annotations

import dataclasses
import secrets
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

from drivers.camera.file import FramesCamera
from kiosk.app.daemon import build_matcher
from kiosk.app.wiring import build_recorder
from kiosk.camera.reopen import ReopeningCamera
from kiosk.domain import Punch
from kiosk.enroll import Enroller
from kiosk.face.models import FaceModels
from kiosk.face.recognizer import Recognizer
from kiosk.feedback import Feedback, FeedbackHub
from kiosk.i18n import describe
from kiosk.pipeline import Pipeline
from kiosk.settings import Settings
from kiosk.settings.device import DeviceSettings
from kiosk.staff import add_employee
from kiosk.store import Store

DEMO_NIP = "196508191990032001"
DEMO_NAME = "Eileen Collins"
FRAME_SIZE = (640, 360)
FPS = 15.0


@dataclass(frozen=True)
class DemoResult:
    punches: list[Punch]
    feedback: list[Feedback]
    frames: int
    data_dir: Path
    delivered: int = 0  # punches the reference receiver stored
    receiver_url: str = ""


DEMO_PHOTO = Path(__file__).resolve().parent.parent / "demo_data" / "astronaut.jpg"  # source and licence: demo_data/README.md


def astronaut_portrait() -> np.ndarray:
    """The public-domain NASA portrait of Eileen Collins (BGR): one face, cropped above the mission patch."""
    portrait = cv2.imread(str(DEMO_PHOTO), cv2.IMREAD_COLOR)
    if portrait is None:
        raise FileNotFoundError(f"demo photo missing: {DEMO_PHOTO}; reinstall siap-kiosk")
    return portrait


def backdrop() -> np.ndarray:
    """A plain corridor-like background with a little texture."""
    width, height = FRAME_SIZE
    ramp = np.linspace(90, 150, width, dtype=np.float32)[None, :].repeat(height, axis=0)
    return cv2.cvtColor(ramp.astype(np.uint8), cv2.COLOR_GRAY2BGR)


def place(background: np.ndarray, portrait: np.ndarray, scale: float, x: int, y: int) -> np.ndarray:
    frame = background.copy()
    person = cv2.resize(portrait, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    height, width = person.shape[:2]
    x, y = max(0, min(x, frame.shape[1] - width)), max(0, min(y, frame.shape[0] - height))
    frame[y : y + height, x : x + width] = person[: frame.shape[0] - y, : frame.shape[1] - x]
    return frame


def demo_frames(portrait: np.ndarray) -> list[np.ndarray]:
    """Empty doorway, a walk up to the camera, gone, then the same person again."""
    empty = backdrop()
    walk = [place(empty, portrait, 0.6 + 0.02 * i, 140 + 3 * i, 60) for i in range(20)]
    gone = [empty] * 20
    return [empty] * 15 + walk + gone + walk + gone


def demo_settings(data_dir: Path) -> Settings:
    base = Settings()
    return dataclasses.replace(
        base,
        device=dataclasses.replace(DeviceSettings(), data_dir=str(data_dir), id="DEMO-01"),
        face=dataclasses.replace(base.face, liveness=False),
    )


def run_demo(say: Callable[[str], None], data_dir: Path | None = None) -> DemoResult:
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as temporary:
        folder = data_dir or Path(temporary)
        return _run(demo_settings(folder), say)


def _run(settings: Settings, say: Callable[[str], None]) -> DemoResult:
    models = FaceModels.load()
    portrait = astronaut_portrait()
    with Store.open(settings.database_path, device_id=settings.device.id) as store:
        add_employee(store, DEMO_NIP, DEMO_NAME)
        enrollment = Enroller(store, models, settings.face).save(
            store.employees.get(DEMO_NIP),  # type: ignore[arg-type]
            [_portrait_candidate(models, portrait, settings)],
            "photo",
            force=False,
        )
        say(f"Enrolled {DEMO_NIP} {DEMO_NAME}: {len(enrollment.template_ids)} template from the public-domain NASA portrait shipped in kiosk/demo_data.")
        feedback: list[Feedback] = []
        hub = FeedbackHub()
        hub.subscribe(feedback.append)
        hub.subscribe(lambda item: say(f"  door: {describe(item, settings.device.language).sentence}"))
        frames = demo_frames(portrait)
        say(f"Playing {len(frames)} synthetic frames ({len(frames) / FPS:.1f} s at {FPS:.0f} fps); liveness is OFF "
            "because every frame comes from one still photo, which a live kiosk would refuse.")
        pipeline = _pipeline(settings, store, models, hub, frames)
        pipeline.run()
        punches = store.punches.page()
        delivered, url = _deliver(settings, store, say)
        return DemoResult(punches, feedback, pipeline.status().frames, settings.data_dir, delivered, url)


def _deliver(settings: Settings, store: Store, say: Callable[[str], None]) -> tuple[int, str]:
    """Push to the reference receiver on loopback, exactly as a kiosk pushes to SIAP."""
    from kiosk.private import ensure_private_file
    from sync.deliverer import deliver_now
    from sync.receiver import Receiver

    token = secrets.token_urlsafe(16)
    token_file = settings.data_dir / "demo-receiver.token"
    ensure_private_file(token_file)  # 0600 before the secret goes in
    token_file.write_text(token + "\n", encoding="utf-8")
    with Receiver(settings.data_dir / "receiver.db", token) as receiver:
        sync = dataclasses.replace(settings.sync, url=receiver.url, token_file=str(token_file))
        (outcome,) = deliver_now(dataclasses.replace(settings, sync=sync), store)
        say(f"Delivered {outcome.delivered} punch(es) to the reference receiver at {receiver.url} (push protocol v1): "
            f"{'queue empty' if outcome.ok and not outcome.remaining else outcome.error}.")
        return receiver.store.count(), receiver.url


def _portrait_candidate(models: FaceModels, portrait: np.ndarray, settings: Settings):
    from kiosk.enroll import candidate, enroll_limits

    # The sample face is ~90 px wide; enrollment asks for 100, so enlarge the photo a little.
    enlarged = cv2.resize(portrait, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    return candidate(models, enlarged, "kiosk/demo_data/astronaut.jpg", enroll_limits(settings.face))


def _pipeline(settings: Settings, store: Store, models: FaceModels, hub: FeedbackHub, frames: list[np.ndarray]) -> Pipeline:
    stop = threading.Event()
    camera = ReopeningCamera(FramesCamera(frames, fps=FPS, name="demo frames"), stop, end_is_fault=False)
    recognizer = Recognizer(models, settings.face, build_matcher(settings, store))
    return Pipeline(
        camera, recognizer, build_recorder(settings, store), hub, settings.photos, stop,
        now=lambda: datetime.now(settings.tz), exit_at_end=True,
    )
