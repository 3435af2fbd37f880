"""Pure parts of the face engine, table-driven: the acceptance rule, matching, pose, tracking, gate, liveness."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kiosk.face.gate import MotionGate, changed_share
from kiosk.face.liveness import LivenessMeter, change, normalised
from kiosk.face.match import Matcher, decide
from kiosk.face.quality import Quality, QualityLimits, judge, pose
from kiosk.face.track import Tracker, overlap
from kiosk.feedback import Cue, FaceBox
from kiosk.store.templates import TemplateMatrix


@pytest.mark.parametrize(
    "best_nip, best, second, accepted, reason",
    [
        ("A", 0.40, 0.80, True, "accepted"),
        ("A", 0.50, 0.56, True, "accepted"),  # exactly at tolerance and margin
        ("A", 0.51, 0.90, False, "too far"),
        ("A", 0.40, 0.45, False, "too close to another employee"),
        ("A", 0.40, math.inf, True, "accepted"),  # the only employee enrolled
        (None, math.inf, math.inf, False, "no templates"),
    ],
)
def test_decide(best_nip, best, second, accepted, reason):
    match = decide(best_nip, best, second, tolerance=0.5, margin=0.06)
    assert (match.accepted, match.reason) == (accepted, reason)


def matrix(nips: list[str], vectors: np.ndarray) -> TemplateMatrix:
    return TemplateMatrix(np.arange(len(nips), dtype=np.int64), np.array(nips, dtype=object), vectors.astype(np.float32))


def test_matcher_agrees_with_brute_force_and_ignores_same_employee_for_margin():
    rng = np.random.default_rng(3)
    vectors = rng.normal(0, 0.1, (50, 128))
    nips = [f"E{i % 10}" for i in range(50)]  # five templates per employee
    probe = vectors[7] + rng.normal(0, 0.01, 128)
    match = Matcher(matrix(nips, vectors), tolerance=10.0, margin=0.0).match(probe)
    brute = np.linalg.norm(vectors - probe, axis=1)
    assert match.best_nip == "E7" and match.distance == pytest.approx(brute.min(), abs=1e-4)
    others = [d for d, nip in zip(brute, nips, strict=True) if nip != "E7"]
    assert match.second_distance == pytest.approx(min(others), abs=1e-4)


def test_matcher_with_no_templates_and_with_exclusion():
    empty = Matcher(matrix([], np.zeros((0, 128))), 0.5, 0.06)
    assert empty.match(np.zeros(128)).reason == "no templates"
    one = Matcher(matrix(["A"], np.zeros((1, 128))), 0.5, 0.06)
    assert one.match(np.zeros(128)).accepted
    assert one.match(np.zeros(128), exclude_nip="A").best_nip is None


@pytest.mark.parametrize(
    "points, yaw, roll",
    [
        ([(60, 50), (45, 50), (20, 50), (35, 50), (40, 70)], 0.0, 0.0),  # frontal, level
        ([(60, 50), (45, 50), (20, 50), (35, 50), (47.5, 70)], 0.3, 0.0),  # nose toward one eye
        ([(60, 60), (45, 55), (20, 40), (35, 45), (40, 70)], None, 31.0),  # head tilted
    ],
)
def test_pose(points, yaw, roll):
    measured_yaw, measured_roll = pose(np.array(points, dtype=float))
    if yaw is not None:
        assert measured_yaw == pytest.approx(yaw, abs=0.01)
    assert abs(measured_roll) == pytest.approx(roll, abs=0.5)


@pytest.mark.parametrize(
    "quality, cue",
    [
        (Quality(100, 50.0, 0.0, 0.0), None),
        (Quality(60, 50.0, 0.0, 0.0), Cue.COME_CLOSER),
        (Quality(100, 50.0, 0.45, 0.0), Cue.FACE_CAMERA),
        (Quality(100, 50.0, 0.0, 40.0), Cue.FACE_CAMERA),
        (Quality(100, 5.0, 0.0, 0.0), Cue.HOLD_STILL),
    ],
)
def test_judge(quality, cue):
    assert judge(quality, QualityLimits()).cue == cue


def test_overlap_and_tracker_keep_one_track_per_face():
    a, b = FaceBox(0, 0, 100, 100), FaceBox(10, 0, 110, 100)
    assert overlap(a, a) == 1.0 and overlap(a, FaceBox(200, 0, 300, 100)) == 0.0
    assert overlap(a, b) == pytest.approx(9000 / 11000)
    tracker = Tracker(timeout=1.0, new_meter=lambda: LivenessMeter(0.4, 3.0))
    first = tracker.update([a], 0.0)[0]
    assert tracker.update([b], 0.1)[0] is first
    other = tracker.update([b, FaceBox(300, 0, 400, 100)], 0.2)[1]
    assert other is not first
    assert tracker.expire(5.0) == [first, other] and tracker.tracks == []


def test_gate_sees_motion_not_noise():
    rng = np.random.default_rng(0)
    base = rng.integers(60, 200, (360, 640, 3), dtype=np.uint8)
    gate = MotionGate(threshold=0.004)
    assert gate.moved(base)  # first frame: nothing to compare with
    noisy = np.clip(base.astype(int) + rng.integers(-3, 4, base.shape), 0, 255).astype(np.uint8)
    assert not gate.moved(noisy)
    person = noisy.copy()
    person[100:300, 250:400] = 20
    assert gate.moved(person)
    assert changed_share(np.zeros((90, 160), np.uint8), np.full((90, 160), 50, np.uint8)) == 1.0


def test_liveness_meter_needs_change_and_samples():
    chip = np.random.default_rng(1).normal(128, 30, (64, 64)).astype(np.float32)
    still = LivenessMeter(threshold=0.4, window=3.0)
    for t in range(10):
        still.add(t * 0.1, chip * 1.2 + 10)  # brightness/contrast changes are not life
    assert still.score == pytest.approx(0.0, abs=1e-4) and not still.passed
    live = LivenessMeter(threshold=0.4, window=3.0)
    for t in range(3):
        live.add(t * 0.1, np.roll(chip, 3 * t, axis=0))
    assert live.passed
    assert change(normalised(chip), normalised(chip)) == 0.0
    # What the log says when it has not passed: still too few views, or views with too little change.
    assert still.why_not_passed() == "liveness 0.00 < 0.4"
    early = LivenessMeter(threshold=0.4, window=3.0)
    for t in range(2):
        early.add(t * 0.1, np.roll(chip, 3 * t, axis=0))
    assert early.score >= 0.4 and not early.passed
    assert early.why_not_passed() == "liveness: 2 of 3 views so far"


def test_a_face_seen_again_after_a_sparse_detection_keeps_its_track() -> None:
    # On a starved core detections come far apart: a face that moved by half its width no longer
    # overlaps enough, but it is the same face (same size, close by), not a new track.
    from kiosk.face.track import Tracker
    from kiosk.feedback import FaceBox

    tracker = Tracker(1.0, lambda: None)
    first = tracker.update([FaceBox(100, 100, 200, 200)], 0.0)[0]
    moved = tracker.update([FaceBox(155, 110, 255, 210)], 0.5)[0]  # IoU 0.27
    assert moved is first
    elsewhere = tracker.update([FaceBox(400, 100, 500, 200), FaceBox(160, 112, 258, 212)], 1.0)
    assert elsewhere[0] is not first and elsewhere[1] is first
    much_bigger = tracker.update([FaceBox(100, 100, 300, 300)], 1.2)[0]
    assert much_bigger is not first  # twice the size: someone stepping in front, a new face
