"""Must-show 4: `kiosk identify` names both people in two_people.jpg and one face in a partial photo."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kiosk.cli.main import cli

from faces import BIDEN, CLIP, OBAMA, enrolled_copy, write_config
from helpers import FACES


@pytest.fixture
def identify(tmp_path, enrolled_template):
    data_dir = enrolled_copy(enrolled_template, tmp_path)
    config = write_config(tmp_path, data_dir, CLIP)

    def run(*args: str):
        result = CliRunner().invoke(cli, ["--config", str(config), "identify", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run.data_dir = data_dir
    return run


def test_two_people_are_both_recognised(identify):
    faces = json.loads(identify(str(FACES / "two_people.jpg"), "--json"))
    assert sorted(face["best_nip"] for face in faces) == sorted([OBAMA, BIDEN])
    assert all(face["decision"] == "accepted" and face["frame"] == 0 for face in faces)
    assert {face["name"] for face in faces} == {"Barack Obama", "Joe Biden"}


def test_partial_face_is_one_face(identify):
    faces = json.loads(identify(str(FACES / "obama_partial_face.jpg"), "--json"))
    assert len(faces) == 1 and faces[0]["best_nip"] == OBAMA and faces[0]["decision"] == "accepted"


def test_table_output_and_nothing_recorded(identify):
    from faces import punches_in

    output = identify(str(FACES / "two_people.jpg"))
    assert "Barack Obama" in output and "Joe Biden" in output and "accepted" in output
    assert punches_in(identify.data_dir) == []


def test_video_reports_frame_numbers(identify, tmp_path):
    from faces import read_frames, write_video

    video = write_video(tmp_path / "lin.mp4", read_frames(CLIP, 146, 152))
    faces = json.loads(identify(str(video), "--json", "--every", "3"))
    assert [face["frame"] for face in faces] == [0, 3]
    assert all(face["name"] == "Lin-Manuel Miranda" for face in faces)


def test_face_of_someone_not_enrolled_is_unknown(identify):
    from kiosk.store import Store

    with Store.open(identify.data_dir / "kiosk.db") as store:
        store.employees.remove(OBAMA)
    faces = json.loads(identify(str(FACES / "obama2.jpg"), "--json"))
    assert len(faces) == 1 and faces[0]["decision"] == "unknown: too far" and faces[0]["distance"] > 0.6


def test_image_without_faces(identify, tmp_path):
    import cv2
    import numpy as np

    wall = tmp_path / "wall.png"
    cv2.imwrite(str(wall), np.full((300, 300, 3), 90, np.uint8))
    assert "No faces found" in identify(str(wall))
