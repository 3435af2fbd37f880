"""Enrollment: photos or camera frames -> face templates, refusing anything that would make a bad one.

Each refusal says which file and why, and what to do. A face that already matches a different
employee is refused unless forced: one person must not be enrolled under two NIPs. Photos that do
not show one person (among themselves, or against the NIP's enrolled templates) are refused: one
NIP must not hold two people's faces. A photo already enrolled is skipped, not stored twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.camera import Camera, CameraError, EndOfStream
from kiosk.domain import Employee
from kiosk.enroll_rules import duplicates, odd_one_out, stranger_to_enrolled
from kiosk.face.detect import Face
from kiosk.face.encode import encode
from kiosk.face.image import read_image, shown
from kiosk.face.match import Matcher
from kiosk.face.models import FaceModels
from kiosk.face.photo import faces_in_photo
from kiosk.face.quality import Quality, QualityLimits, judge, measure
from kiosk.feedback import Cue
from kiosk.free_text import printable
from kiosk.nip import normalise_nip
from kiosk.settings.face import FaceSettings
from kiosk.store import Store, UnknownEmployee

CAMERA_SPACING = 0.3  # seconds between captured camera frames, so they differ a little


class EnrollRefused(ValueError):
    """A photo or frame cannot become a face template; the message says why and what to do."""


@dataclass(frozen=True, eq=False)
class Candidate:
    label: str  # file name or "camera frame N"
    vector: np.ndarray
    quality: Quality


@dataclass(frozen=True)
class Enrollment:
    employee: Employee
    template_ids: tuple[int, ...]
    labels: tuple[str, ...]
    forced: bool
    skipped: tuple[str, ...] = ()  # photos already enrolled for this NIP
    replaced: int = 0  # earlier templates erased by --replace


def enroll_limits(settings: FaceSettings) -> QualityLimits:
    return QualityLimits(settings.enroll_min_face_px, settings.enroll_min_sharpness, settings.max_yaw, settings.max_roll_degrees)


def single_face(faces: list[Face], label: str) -> Face:
    if not faces:
        raise EnrollRefused(f"{label}: no face found; use a well-lit, frontal photo with the face at least ~100 px wide")
    if len(faces) > 1:
        raise EnrollRefused(f"{label}: {len(faces)} faces found; use a photo showing only the employee")
    return faces[0]


REFUSALS = {
    Cue.COME_CLOSER: "face too small ({reason}); use a larger photo or crop closer to the face",
    Cue.FACE_CAMERA: "face not frontal ({reason}); use a photo looking straight at the camera",
    Cue.HOLD_STILL: "face too blurred ({reason}); use a sharp photo",
}


def candidate(models: FaceModels, image_bgr: np.ndarray, label: str, limits: QualityLimits) -> Candidate:
    rgb, faces = faces_in_photo(models, image_bgr)
    face = single_face(faces, label)
    quality = measure(rgb, face)
    verdict = judge(quality, limits)
    if not verdict.ok:
        raise EnrollRefused(f"{label}: " + REFUSALS[verdict.cue].format(reason=verdict.reason))  # type: ignore[index]
    return Candidate(label, encode(models, rgb, face), quality)


def candidate_from_file(models: FaceModels, path: Path, limits: QualityLimits) -> Candidate:
    try:
        image = read_image(path)
    except ValueError as exc:
        raise EnrollRefused(str(exc)) from None
    return candidate(models, image, shown(path), limits)


def check_not_someone_else(matcher: Matcher, nip: str, item: Candidate, names: Callable[[str], str]) -> None:
    """Refuse a face that the door would already accept as (or confuse with) another employee."""
    match = matcher.match(item.vector, exclude_nip=nip)
    if match.best_nip is not None and match.distance <= matcher.tolerance:
        raise EnrollRefused(
            f"{item.label}: this face already matches {match.best_nip} {names(match.best_nip)} (distance "
            f"{match.distance:.2f} <= face.tolerance {matcher.tolerance}); one person must not have two NIPs. "
            "If they really are different people, pass --force"
        )


def check_one_person(items: Sequence[Candidate], enrolled: np.ndarray, tolerance: float, employee: Employee) -> None:
    """Refuse photos of two people under one NIP, naming the photo that does not fit."""
    vectors = [item.vector for item in items]
    odd = odd_one_out(vectors, tolerance)
    if odd is not None:
        raise EnrollRefused(
            f"{items[odd.odd].label}: not the same person as {items[odd.other].label} (distance {odd.distance:.2f} > "  # type: ignore[index]
            f"face.tolerance {tolerance}); enroll only {printable(employee.name)}'s photos under NIP {employee.nip}"
        )
    stranger = stranger_to_enrolled(vectors, enrolled, tolerance)
    if stranger is not None:
        raise EnrollRefused(
            f"{items[stranger.odd].label}: does not look like the {len(enrolled)} face templates already enrolled for "
            f"{employee.nip} {printable(employee.name)} (nearest distance {stranger.distance:.2f} > face.tolerance {tolerance}); "
            "check the NIP, or if the employee's face really changed, pass --replace to replace the old templates"
        )


class Enroller:
    def __init__(self, store: Store, models: FaceModels, settings: FaceSettings, id_pattern: str = r"\d{18}") -> None:
        self.store, self.models, self.settings, self.id_pattern = store, models, settings, id_pattern

    def employee(self, nip: str) -> Employee:
        nip = normalise_nip(nip, self.id_pattern)
        employee = self.store.employees.get(nip)
        if employee is None:
            raise UnknownEmployee(f"no employee with NIP {nip}; add them first with `kiosk employee add {nip} --name NAME`")
        return employee

    def from_photos(
        self, nip: str, paths: Sequence[Path], force: bool = False, replace: bool = False, actor: str | None = None
    ) -> Enrollment:
        """All photos or none: the first refusal stops the enrollment before anything is saved.

        A photo that repeats an enrolled template (or an earlier photo of the list) is skipped.
        """
        employee = self.employee(nip)
        limits = enroll_limits(self.settings)
        items = [candidate_from_file(self.models, Path(path), limits) for path in paths]
        enrolled = self._enrolled(employee, replace)
        repeated = set(duplicates([item.vector for item in items], enrolled))
        skipped = tuple(item.label for i, item in enumerate(items) if i in repeated)
        fresh = [item for i, item in enumerate(items) if i not in repeated]
        return self.save(employee, fresh, "photo", force, replace, skipped, actor)

    def _enrolled(self, employee: Employee, replace: bool) -> np.ndarray:
        """The templates new ones must agree with: none when they are about to be replaced."""
        enrolled = self.store.templates.vectors_of(employee.nip)
        return enrolled[:0] if replace else enrolled

    def save(
        self,
        employee: Employee,
        items: Sequence[Candidate],
        source: str,
        force: bool,
        replace: bool = False,
        skipped: tuple[str, ...] = (),
        actor: str | None = None,
    ) -> Enrollment:
        check_one_person(items, self._enrolled(employee, replace), self.settings.tolerance, employee)
        if not force:
            matcher = Matcher(self.store.templates.matrix(), self.settings.tolerance, self.settings.margin)
            for item in items:
                check_not_someone_else(matcher, employee.nip, item, self._name)
        if not items:
            return Enrollment(employee, (), (), force, skipped)
        ids, replaced = self.store.templates.add_many(employee.nip, [(i.vector, i.quality.score) for i in items], source, replace)
        labels = tuple(item.label for item in items)
        detail = {"source": source, "templates": len(ids), "from": list(labels), "forced": force, "skipped": list(skipped), "replaced": replaced}
        self.store.audit.log("face.enroll", employee.nip, detail, user=actor)
        return Enrollment(employee, tuple(ids), labels, force, skipped, replaced)

    def _name(self, nip: str) -> str:
        other = self.store.employees.get(nip)
        return f"({printable(other.name)})" if other else ""

    def from_camera(
        self,
        nip: str,
        camera: Camera,
        count: int,
        progress: Callable[[str], None],
        force: bool = False,
        timeout: float = 60.0,
        stop: threading.Event | None = None,
        replace: bool = False,
    ) -> Enrollment:
        employee = self.employee(nip)
        items = capture(self.models, camera, count, enroll_limits(self.settings), progress, timeout, stop or threading.Event())
        return self.save(employee, items, "camera", force, replace)


def capture(
    models: FaceModels,
    camera: Camera,
    count: int,
    limits: QualityLimits,
    progress: Callable[[str], None],
    timeout: float,
    stop: threading.Event,
) -> list[Candidate]:
    """Good frames from the camera, spaced CAMERA_SPACING apart, telling the operator what is wrong."""
    items: list[Candidate] = []
    last_taken, last_message = -CAMERA_SPACING, ""
    deadline = time.monotonic() + timeout
    camera.open()
    try:
        while len(items) < count and time.monotonic() < deadline and not stop.is_set():
            try:
                frame = camera.read()
            except EndOfStream:
                break
            if frame.t - last_taken < CAMERA_SPACING:
                continue
            try:
                item = candidate(models, frame.image, f"camera frame {frame.index}", limits)
            except EnrollRefused as exc:
                message = str(exc).split(": ", 1)[-1]
                if message != last_message:
                    progress(f"waiting: {message}")
                    last_message = message
                continue
            items.append(item)
            last_taken, last_message = frame.t, ""
            progress(f"captured {len(items)}/{count} (face {item.quality.face_px} px, sharpness {item.quality.sharpness:.0f})")
    except CameraError as exc:
        raise EnrollRefused(f"camera failed during enrollment: {exc}") from None
    finally:
        camera.close()
    if len(items) < count:
        raise EnrollRefused(
            f"only {len(items)} of {count} good frames before the camera stopped or {timeout:.0f} s passed; "
            "nothing was enrolled. Stand closer, face the camera, check the light, and try again"
        )
    return items
