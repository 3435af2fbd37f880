"""dlib's face ResNet run by numpy (kiosk/face/resnet.py) against dlib itself, the counterpart nobody here wrote.

Templates in every store were made by dlib; the door now encodes with numpy. The two must give the
same vectors on real faces, or an employee enrolled before the change would stop matching.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
import pytest

from kiosk.face.detect import Detector
from kiosk.face.encode import face_chip
from kiosk.face.encoders import DlibEncoder, load_encoder
from kiosk.face.image import read_image, to_rgb
from kiosk.face.models import model_paths
from kiosk.face.resnet import FaceResNet
from kiosk.face.resnet_file import UnsupportedModel, parse_net

from faces import CLIP, PEOPLE
from helpers import FACES

SAME = 1e-4  # Euclidean distance between the two encoders' vectors; the match tolerance is 0.5


@pytest.fixture(scope="module")
def chips(models):
    """Face chips from every photo and from every 10th frame of the clip (partial, turned, blurred faces)."""
    detector = Detector(models)
    found = []
    for path in sorted(FACES.glob("*.jpg")) + sorted(FACES.glob("*.png")):
        rgb = to_rgb(read_image(path))
        found += [(path.name, face_chip(rgb, face)) for face in detector.find(rgb)]
    capture = cv2.VideoCapture(str(CLIP))
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if index % 10 == 0:
            rgb = to_rgb(frame)
            found += [(f"clip frame {index}", face_chip(rgb, face)) for face in detector.find(rgb)]
        index += 1
    capture.release()
    assert len(found) > 25
    return found


def test_numpy_and_dlib_give_the_same_encodings(chips):
    dlib_net = DlibEncoder(model_paths()[1])
    numpy_net = FaceResNet.load(model_paths()[1])
    for name, chip in chips:
        ours, theirs = numpy_net.encode(chip), dlib_net.encode(chip)
        assert ours.dtype == np.float32 and ours.shape == (128,)
        assert float(np.linalg.norm(ours - theirs)) < SAME, name


def test_the_door_encoder_tells_people_apart_as_dlib_does(models):
    """Same person ~0.35, different people ~0.84 (faces/README.md), through the models the kiosk loads."""
    detector = Detector(models)

    def vector(name):
        rgb = to_rgb(read_image(FACES / name))
        return models.encoder.encode(face_chip(rgb, detector.find(rgb)[0]))

    assert isinstance(models.encoder, FaceResNet)
    obama, obama2, biden = vector("obama.jpg"), vector("obama2.jpg"), vector("biden.jpg")
    assert np.linalg.norm(obama - obama2) < 0.5 < np.linalg.norm(obama - biden)


def test_the_whole_model_file_is_read():
    net = parse_net(model_paths()[1].read_bytes())
    assert net.input.size == 150
    assert [round(value, 3) for value in net.input.mean_rgb] == [122.782, 117.001, 104.298]
    names = [layer.name for layer in net.layers]
    assert names.count("con_4") == 29 and names[-1] == "fc_2"
    assert net.layers[-1].fc is not None and net.layers[-1].fc.shape == (256, 128)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "the file ends at byte"),
        (lambda data: data.replace(b"affine_", b"afFine_", 1), "unknown layer 'afFine_'"),
        (lambda data: data.replace(b"loss_metric_2", b"loss_multicl"), "not a dlib metric-learning network"),
        (lambda data: b"", "not a dlib metric-learning network"),
    ],
)
def test_a_damaged_or_different_file_is_refused_by_name(damage, message):
    with pytest.raises(UnsupportedModel, match=message):
        parse_net(damage(model_paths()[1].read_bytes()))


def test_the_landmark_model_is_not_taken_for_an_encoder(tmp_path):
    landmarks = model_paths()[0]
    with pytest.raises(UnsupportedModel, match="not a dlib metric-learning network"):
        FaceResNet.load(landmarks)


def test_a_file_numpy_cannot_read_falls_back_to_dlib_or_says_what_to_do(tmp_path, caplog):
    damaged = tmp_path / "resnet.dat"
    damaged.write_bytes(model_paths()[1].read_bytes()[:1000])
    with caplog.at_level(logging.WARNING), pytest.raises(UnsupportedModel, match="reinstall face_recognition_models"):
        load_encoder(damaged)
    assert "using dlib's own" in caplog.text


def test_a_chip_of_the_wrong_size_is_refused():
    net = FaceResNet.load(model_paths()[1])
    with pytest.raises(ValueError, match="150x150 RGB"):
        net.encode(np.zeros((100, 100, 3), np.uint8))


def test_dlib_reads_the_chip_the_same_way(models):
    """face_chip is what compute_face_descriptor(image, shape) extracts itself: the numpy path starts from it."""
    rgb = to_rgb(read_image(FACES / PEOPLE["198001012006041004"][1]))
    face = Detector(models).find(rgb)[0]
    direct = np.asarray(DlibEncoder(model_paths()[1]).model.compute_face_descriptor(rgb, face.shape), np.float32)
    assert float(np.linalg.norm(models.encoder.encode(face_chip(rgb, face)) - direct)) < SAME
