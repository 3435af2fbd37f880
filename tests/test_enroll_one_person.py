"""Issue 11 item 13: one NIP holds one person's face, once per photo.

Real photos (obama*, biden) through the real `kiosk enroll`: two people under one NIP are refused
naming the photo that does not fit, a photo enrolled again adds nothing, --replace starts over.
"""

from __future__ import annotations

import json
import shutil

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


def photos(*names: str) -> list[str]:
    return [str(FACES / name) for name in names]


def enroll(kiosk, nip: str, *args: str):
    return kiosk("enroll", nip, "--photo", *args)


def count(store, nip: str = OBAMA_NIP) -> int:
    return len(store.templates.for_employee(nip))


def test_two_people_in_one_enrollment_are_refused_naming_the_odd_photo(staff, store):
    result = enroll(staff, OBAMA_NIP, *photos("obama.jpg", "biden.jpg"))
    assert result.exit_code == 1, result.output
    assert "biden.jpg: not the same person as" in result.output and "obama.jpg" in result.output
    assert "face.tolerance" in result.output
    assert count(store) == 0

    # With three photos the one that disagrees with the others is named, wherever it is.
    result = enroll(staff, OBAMA_NIP, *photos("biden.jpg", "obama.jpg", "obama2.jpg"))
    assert result.exit_code == 1 and "biden.jpg: not the same person" in result.output, result.output
    assert count(store) == 0


def test_someone_else_under_an_enrolled_nip_is_refused(staff, store):
    assert enroll(staff, OBAMA_NIP, *photos("obama.jpg")).exit_code == 0
    result = enroll(staff, OBAMA_NIP, *photos("biden.jpg"))
    assert result.exit_code == 1, result.output
    assert (
        "biden.jpg: does not look like the 1 face templates already enrolled for 198001012006041001 Barack Obama"
        in result.output
    )
    assert "check the NIP" in result.output and "--replace" in result.output
    assert count(store) == 1
    # Another photo of the same person is welcome.
    assert enroll(staff, OBAMA_NIP, *photos("obama2.jpg")).exit_code == 0
    assert count(store) == 2


def test_replace_starts_over_with_the_new_photos(staff, store):
    assert enroll(staff, OBAMA_NIP, *photos("obama.jpg", "obama2.jpg")).exit_code == 0
    result = staff("enroll", OBAMA_NIP, "--replace", "--photo", *photos("biden.jpg"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["replaced"] == 2
    assert count(store) == 1
    # --replace does not let two people in at once.
    result = staff("enroll", OBAMA_NIP, "--replace", "--photo", *photos("obama.jpg", "biden.jpg"))
    assert result.exit_code == 1 and "not the same person" in result.output
    assert count(store) == 1


def test_the_same_photo_enrolled_twice_adds_no_duplicate(staff, store, tmp_path):
    assert enroll(staff, OBAMA_NIP, *photos("obama.jpg")).exit_code == 0
    again = enroll(staff, OBAMA_NIP, *photos("obama.jpg"))
    assert again.exit_code == 0, again.output
    assert "Skipped" in again.output and "already enrolled" in again.output
    assert count(store) == 1
    # A copy under another name is the same photo; passed twice in one go it counts once.
    copy = tmp_path / "IMG_0001.jpg"
    shutil.copyfile(FACES / "obama2.jpg", copy)
    result = staff(
        "enroll", OBAMA_NIP, "--photo", str(FACES / "obama2.jpg"), str(copy), str(FACES / "obama.jpg"), "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["skipped"] == [str(copy), str(FACES / "obama.jpg")]
    assert count(store) == 2


def test_photo_of_someone_enrolled_under_another_nip_is_still_refused(staff, store):
    assert enroll(staff, OBAMA_NIP, *photos("obama.jpg")).exit_code == 0
    result = enroll(staff, OTHER_NIP, *photos("obama3.jpg"))
    assert result.exit_code == 1 and f"already matches {OBAMA_NIP} (Barack Obama)" in result.output
    assert count(store, OTHER_NIP) == 0
