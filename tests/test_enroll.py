"""Must-show 3: each enrollment refusal, with its message; nothing is saved after a refusal."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from helpers import FACES, need_faces

OBAMA_NIP = "198001012006041001"
OTHER_NIP = "198001012006041009"


@pytest.fixture
def staff(kiosk):
    need_faces()
    for nip, name in ((OBAMA_NIP, "Barack Obama"), (OTHER_NIP, "Someone Else")):
        assert kiosk("employee", "add", nip, "--name", name).exit_code == 0
    return kiosk


def templates(store, nip: str) -> int:
    return len(store.templates.for_employee(nip))


def refused(kiosk, store, *args: str) -> str:
    result = kiosk("enroll", *args)
    assert result.exit_code == 1, result.output
    assert templates(store, args[0]) == 0, "a refused enrollment must save nothing"
    return result.output


def test_enroll_from_photo_saves_a_template_and_audits(staff, store):
    result = staff("enroll", OBAMA_NIP, "--photo", str(FACES / "obama.jpg"), str(FACES / "obama2.jpg"))
    assert result.exit_code == 0, result.output
    assert "2 face templates" in result.output
    assert templates(store, OBAMA_NIP) == 2
    entry = store.audit.entries(nip=OBAMA_NIP)[0]
    assert entry.action == "face.enroll" and entry.detail["templates"] == 2


def test_rgba_png_is_accepted(staff, store):
    assert staff("enroll", OBAMA_NIP, "--photo", str(FACES / "32bit.png")).exit_code == 0


def test_missing_file_is_refused(staff, store, tmp_path):
    output = refused(staff, store, OBAMA_NIP, "--photo", str(tmp_path / "nope.jpg"))
    assert "nope.jpg: no such file" in output


def test_unreadable_file_is_refused(staff, store, tmp_path):
    bad = tmp_path / "notes.jpg"
    bad.write_text("this is not a photo")
    output = refused(staff, store, OBAMA_NIP, "--photo", str(bad))
    assert "not a readable image" in output and "JPEG or PNG" in output


def test_photo_without_a_face_is_refused(staff, store, tmp_path):
    path = tmp_path / "wall.png"
    cv2.imwrite(str(path), np.full((400, 400, 3), 128, np.uint8))
    output = refused(staff, store, OBAMA_NIP, "--photo", str(path))
    assert "no face found" in output


def test_photo_with_several_faces_is_refused(staff, store):
    output = refused(staff, store, OBAMA_NIP, "--photo", str(FACES / "two_people.jpg"))
    assert "2 faces found" in output and "only the employee" in output


def test_face_too_small_is_refused(staff, store):
    output = refused(staff, store, OBAMA_NIP, "--photo", str(FACES / "obama-240p.jpg"))
    assert "face too small" in output and "needs 100" in output


def test_blurred_face_is_refused(staff, store, tmp_path):
    path = tmp_path / "blurred.jpg"
    cv2.imwrite(str(path), cv2.GaussianBlur(cv2.imread(str(FACES / "obama.jpg")), (0, 0), 6))
    output = refused(staff, store, OBAMA_NIP, "--photo", str(path))
    assert "face too blurred" in output


def test_one_bad_photo_refuses_the_whole_enrollment(staff, store):
    output = refused(staff, store, OBAMA_NIP, "--photo", str(FACES / "obama.jpg"), str(FACES / "two_people.jpg"))
    assert "two_people.jpg" in output


def test_same_face_under_another_nip_is_refused_unless_forced(staff, store):
    assert staff("enroll", OBAMA_NIP, "--photo", str(FACES / "obama.jpg")).exit_code == 0
    output = refused(staff, store, OTHER_NIP, "--photo", str(FACES / "obama.jpg"))
    assert f"already matches {OBAMA_NIP} (Barack Obama)" in output and "--force" in output
    # A different photo of the same person is refused too.
    refused(staff, store, OTHER_NIP, "--photo", str(FACES / "obama2.jpg"))

    forced = staff("enroll", OTHER_NIP, "--photo", str(FACES / "obama.jpg"), "--force")
    assert forced.exit_code == 0 and "forced" in forced.output
    assert store.audit.entries(nip=OTHER_NIP)[0].detail["forced"] is True


def test_unknown_employee_is_refused(staff):
    result = staff("enroll", "199001012020121001", "--photo", str(FACES / "obama.jpg"))
    assert result.exit_code == 1 and "kiosk employee add" in result.output


def test_photo_or_camera_is_required(staff):
    result = staff("enroll", OBAMA_NIP)
    assert result.exit_code == 1 and "--photo" in result.output


def test_enroll_from_the_camera_captures_count_good_frames(kiosk, tmp_path, data_dir):
    """`kiosk enroll NIP --camera --count N` over SSH: a real video file is the camera."""
    from faces import write_config, write_video

    need_faces()
    photo = cv2.imread(str(FACES / "obama.jpg"))
    frame = cv2.resize(photo, (640, int(640 * photo.shape[0] / photo.shape[1])))[:360]
    video = write_video(tmp_path / "camera.avi", [frame] * 40, fps=15)
    config = write_config(tmp_path, data_dir, video)
    assert kiosk("employee", "add", OBAMA_NIP, "--name", "Barack Obama", config=config).exit_code == 0
    result = kiosk("enroll", OBAMA_NIP, "--camera", "--count", "3", config=config)
    assert result.exit_code == 0, result.output
    assert "capturing 3 good frames" in result.output
    assert "3 face templates" in result.output
    from kiosk.settings import load_settings
    from kiosk.store import Store

    with Store.open(load_settings(config).database_path) as store:
        assert [t.source for t in store.templates.for_employee(OBAMA_NIP)] == ["camera"] * 3
