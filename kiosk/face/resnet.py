"""dlib's face ResNet run by numpy: the same 128-d encodings, ~7x less CPU than dlib-bin (no BLAS).

    net = FaceResNet.load(model_paths()[1])
    vector = net.encode(chip)  # chip: the 150x150 RGB face from kiosk.face.encode.face_chip

The weights come from dlib's own model file (kiosk/face/resnet_file.py), so templates enrolled with
dlib match encodings made here: tests/test_resnet.py compares both on real photos and video frames.
Each convolution is one matrix product (im2col) done by numpy's BLAS; dlib's affine layers are folded
into the convolution before them at load time.

The network, checked against the file's layer sequence: a 7x7 stride-2 convolution and a 3x3
max-pool, then residual units of two 3x3 convolutions, a unit that halves the image adding the
2x2-averaged input to its output (zero-filling the extra channels and rows, as dlib's add does),
a global average and a 128-wide fully connected layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from kiosk.face.resnet_file import (
    ADD_PREV,
    AFFINE,
    AVG_POOL,
    CONV,
    FC,
    MAX_POOL,
    RELU,
    Conv,
    InputLayer,
    Layer,
    Pool,
    UnsupportedModel,
    read_net_file,
)

UNIT = (CONV, AFFINE, RELU, CONV, AFFINE, ADD_PREV, RELU)
DOWN_UNIT = (CONV, AFFINE, RELU, CONV, AFFINE, AVG_POOL, ADD_PREV, RELU)
STEM = (CONV, AFFINE, RELU, MAX_POOL)


@dataclass(frozen=True, eq=False)
class Convolution:
    """A convolution with its affine layer folded in, as the matrix its im2col product needs."""

    matrix: np.ndarray  # (size * size * channels, filters): rows in the order of a window's pixels, channels innermost
    bias: np.ndarray  # (filters,)
    size: int
    stride: int
    padding: int

    @classmethod
    def fold(cls, conv: Conv, gamma: np.ndarray, beta: np.ndarray) -> Convolution:
        filters = conv.weights.shape[0]
        # gamma * (w.x + b) + beta = (gamma w).x + (gamma b + beta)
        weights = conv.weights * gamma[:, None, None, None]
        matrix = np.ascontiguousarray(weights.transpose(0, 2, 3, 1).reshape(filters, -1).T, dtype=np.float32)
        return cls(matrix, (conv.bias * gamma + beta).astype(np.float32), conv.weights.shape[2], conv.stride, conv.padding)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """(rows, cols, channels) in, (rows', cols', filters) out."""
        if self.padding:
            pad = self.padding
            image = np.pad(image, ((pad, pad), (pad, pad), (0, 0)))
        windows = sliding_window_view(image, (self.size, self.size), axis=(0, 1))[:: self.stride, :: self.stride]
        rows, cols = windows.shape[:2]
        # Channels innermost: the copy im2col makes then reads the image in memory order (~2x faster
        # than flattening sliding_window_view's own (channels, size, size) order).
        out = windows.transpose(0, 1, 3, 4, 2).reshape(rows * cols, -1) @ self.matrix
        out += self.bias
        return out.reshape(rows, cols, -1)


@dataclass(frozen=True, eq=False)
class Unit:
    first: Convolution
    second: Convolution
    shortcut: Pool | None  # the downsampling units average their input 2x2 before adding it

    def __call__(self, image: np.ndarray) -> np.ndarray:
        out = self.second(relu(self.first(image)))
        shortcut = image if self.shortcut is None else pool(image, self.shortcut)
        return relu(add_zero_filled(out, shortcut))


def relu(image: np.ndarray) -> np.ndarray:
    return np.maximum(image, 0.0, out=image)


def pool(image: np.ndarray, spec: Pool) -> np.ndarray:
    """dlib's pooling without padding; size 0 is the average over the whole image."""
    if spec.size == 0:
        return image.mean(axis=(0, 1), keepdims=True)
    windows = sliding_window_view(image, (spec.size, spec.size), axis=(0, 1))[:: spec.stride, :: spec.stride]
    return windows.max(axis=(3, 4)) if spec.kind == MAX_POOL else windows.mean(axis=(3, 4), dtype=np.float32)


def add_zero_filled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dlib's add of two tensors of different sizes: the larger of each dimension, missing values 0."""
    if a.shape == b.shape:
        return a + b
    shape = tuple(max(x, y) for x, y in zip(a.shape, b.shape, strict=True))
    out = np.zeros(shape, dtype=np.float32)
    out[: a.shape[0], : a.shape[1], : a.shape[2]] += a
    out[: b.shape[0], : b.shape[1], : b.shape[2]] += b
    return out


class FaceResNet:
    def __init__(self, source: InputLayer, stem: Convolution, stem_pool: Pool, units: list[Unit], fc: np.ndarray) -> None:
        self.mean = np.asarray(source.mean_rgb, dtype=np.float32)
        self.size = source.size
        self.stem, self.stem_pool, self.units = stem, stem_pool, units
        self.fc = np.ascontiguousarray(fc, dtype=np.float32)

    @classmethod
    def load(cls, path: Path) -> FaceResNet:
        net = read_net_file(path)
        return cls.from_layers(net.input, net.layers)

    @classmethod
    def from_layers(cls, source: InputLayer, layers: list[Layer]) -> FaceResNet:
        names = [layer.name for layer in layers]
        if tuple(names[:4]) != STEM:
            raise UnsupportedModel(f"the network starts with {names[:4]}, not {list(STEM)}")
        stem = _folded(layers[0], layers[1])
        stem_pool = layers[3].pool
        assert stem_pool is not None  # a MAX_POOL layer always carries its Pool
        units, at = [], 4
        while at < len(layers) and names[at] == CONV:
            down = tuple(names[at : at + len(DOWN_UNIT)]) == DOWN_UNIT
            if not down and tuple(names[at : at + len(UNIT)]) != UNIT:
                raise UnsupportedModel(f"layers {at}..: {names[at : at + len(DOWN_UNIT)]} are not a residual unit")
            shortcut = layers[at + 5].pool if down else None
            units.append(Unit(_folded(layers[at], layers[at + 1]), _folded(layers[at + 3], layers[at + 4]), shortcut))
            at += len(DOWN_UNIT) if down else len(UNIT)
        tail = layers[at:]
        if [layer.name for layer in tail] != [AVG_POOL, FC] or tail[0].pool is None or tail[0].pool.size != 0 or tail[1].fc is None:
            raise UnsupportedModel(f"the network ends with {names[at:]}, not a global average and a fully connected layer")
        return cls(source, stem, stem_pool, units, tail[1].fc)

    def encode(self, chip: np.ndarray) -> np.ndarray:
        """The 128-d encoding of a size x size RGB uint8 face chip."""
        if chip.shape != (self.size, self.size, 3):
            raise ValueError(f"a face chip must be {self.size}x{self.size} RGB, not {chip.shape}")
        image = (chip.astype(np.float32) - self.mean) / np.float32(256.0)
        image = pool(relu(self.stem(image)), self.stem_pool)
        for unit in self.units:
            image = unit(image)
        return (image.mean(axis=(0, 1), dtype=np.float32) @ self.fc).astype(np.float32)


def _folded(conv: Layer, affine: Layer) -> Convolution:
    assert conv.conv is not None and affine.affine is not None  # the names were checked
    return Convolution.fold(conv.conv, affine.affine.gamma, affine.affine.beta)
