"""Reading dlib's serialized face ResNet (dlib_face_recognition_resnet_model_v1.dat) into numpy arrays.

Why read it ourselves: dlib runs this network with its own matrix code, and the dlib-bin wheel is
built without BLAS, so one encoding costs ~90 ms of CPU on the build machine (0.6 s of a 0.15-core
quota, a Pi 4's worst case). The same weights multiplied by numpy's OpenBLAS take ~12 ms
(kiosk/face/resnet.py, bench/recognition_bench.py). No library reads dlib's format from Python, so
this module does, for this one network only, and refuses anything else with a clear error.

dlib's format (dlib/serialize.h, dlib/dnn/core.h, layers.h), as this file uses it:
- an integer is one header byte (bit 7: negative; low 4 bits: byte count) and that many bytes,
  little-endian; a string is an integer length and the bytes; a float is two integers, a mantissa
  and a power of two; a bool is the character '0' or '1';
- a tensor is version 2, four integer dimensions and its values as little-endian float32;
- the network is written from the loss layer inwards: first the loss layer's name and settings
  and every wrapper's version number, then the input layer, then each computing layer in forward
  order, each followed by its wrapper's state (three bools and three empty tensors). Tag and skip
  layers write nothing but their version, so the residual wiring is not in the file: it is the
  architecture of dlib's face recognition example, checked layer by layer below.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

INPUT_LAYER = "input_rgb_image_sized"
LOSS_LAYER = "loss_metric_2"
CONV, AFFINE, RELU, MAX_POOL, AVG_POOL, ADD_PREV, FC = "con_4", "affine_", "relu_", "max_pool_2", "avg_pool_2", "add_prev_", "fc_2"
FC_NO_BIAS = 1  # dlib's fc_bias_mode


class UnsupportedModel(ValueError):
    """The file is not the dlib face ResNet this reader knows (a different network or a damaged file)."""


@dataclass(frozen=True, eq=False)
class Conv:
    weights: np.ndarray  # (filters, channels, rows, cols), float32
    bias: np.ndarray  # (filters,)
    stride: int
    padding: int


@dataclass(frozen=True, eq=False)
class Affine:
    """dlib's stand-in for batch normalisation at inference: y = gamma * x + beta per channel."""

    gamma: np.ndarray
    beta: np.ndarray


@dataclass(frozen=True)
class Pool:
    kind: str  # MAX_POOL or AVG_POOL
    size: int  # window rows = cols; 0 = the whole image
    stride: int
    padding: int


@dataclass(frozen=True, eq=False)
class InputLayer:
    mean_rgb: tuple[float, float, float]  # subtracted from each channel, then divided by 256
    size: int  # the chip is size x size pixels


@dataclass(frozen=True, eq=False)
class Layer:
    name: str
    conv: Conv | None = None
    affine: Affine | None = None
    pool: Pool | None = None
    fc: np.ndarray | None = None  # (inputs, outputs)


@dataclass(frozen=True, eq=False)
class NetFile:
    input: InputLayer
    layers: list[Layer]  # forward order, as written


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def integer(self) -> int:
        header = self._take(1)[0]
        size, negative = header & 0x0F, header & 0x80
        if size > 8:
            raise UnsupportedModel(f"integer of {size} bytes at byte {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little")
        return -value if negative else value

    def string(self) -> str:
        length = self.integer()
        if not 0 <= length <= 256:
            raise UnsupportedModel(f"string of {length} bytes at byte {self.pos}")
        return self._take(length).decode("ascii", "replace")

    def real(self) -> float:
        mantissa, exponent = self.integer(), self.integer()
        return float(mantissa) * 2.0**exponent

    def flags(self, count: int) -> bytes:
        value = self._take(count)
        if set(value) - set(b"01"):
            raise UnsupportedModel(f"expected {count} bools at byte {self.pos - count}, found {value!r}")
        return value

    def tensor(self) -> np.ndarray:
        version = self.integer()
        if version != 2:
            raise UnsupportedModel(f"tensor version {version} at byte {self.pos}; this reader knows version 2")
        shape = [self.integer() for _ in range(4)]
        if min(shape) < 0:
            raise UnsupportedModel(f"tensor of shape {shape} at byte {self.pos}")
        count = int(np.prod(shape))
        values = np.frombuffer(self._take(4 * count), dtype="<f4").astype(np.float32)
        return values.reshape(shape)

    def alias(self) -> tuple[int, ...]:
        """An alias_tensor: a view's shape into the layer's parameters (version 1 and four dimensions)."""
        self.integer()
        return tuple(self.integer() for _ in range(4))

    def _take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise UnsupportedModel(f"the file ends at byte {len(self.data)}, inside a value at byte {self.pos}")
        value = self.data[self.pos : self.pos + count]
        self.pos += count
        return value


def read_net_file(path: Path) -> NetFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnsupportedModel(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return parse_net(data)
    except UnsupportedModel as exc:
        raise UnsupportedModel(f"{path}: {exc}") from exc


def parse_net(data: bytes) -> NetFile:
    """The layers of a serialized dlib face ResNet, in forward order (pure: bytes in, arrays out)."""
    reader = _Reader(data)
    try:
        reader.integer()  # the loss wrapper's version
        loss = reader.string()
    except UnsupportedModel:  # another kind of file altogether
        loss = ""
    if loss != LOSS_LAYER:
        raise UnsupportedModel(f"not a dlib metric-learning network (no {LOSS_LAYER} at the start)")
    reader.real(), reader.real()  # margin and distance threshold: training settings
    marker = len(INPUT_LAYER).to_bytes(1, "little")
    start = data.find(bytes([1]) + marker + INPUT_LAYER.encode(), reader.pos)
    if start < 0:
        raise UnsupportedModel(f"no {INPUT_LAYER} layer (a network with another input)")
    while reader.pos < start:  # every wrapper's version number, outermost first
        if reader.integer() not in (1, 2, 3):
            raise UnsupportedModel(f"unexpected value before the input layer at byte {reader.pos}")
    reader.string()
    source = InputLayer((reader.real(), reader.real(), reader.real()), reader.integer())
    if reader.integer() != source.size:
        raise UnsupportedModel("the input layer is not square")
    layers = []
    while reader.pos < len(data):
        layers.append(_layer(reader))
        reader.flags(3)  # the wrapper's set-up and gradient flags
        for _ in range(3):
            reader.tensor()  # gradients and cached output: empty in a saved network
        if len(layers) == 1:
            reader.integer()  # the first wrapper (the one holding the input layer) also writes its sample expansion factor
    return NetFile(source, layers)


def _layer(reader: _Reader) -> Layer:
    name = reader.string()
    if name == CONV:
        params = reader.tensor().ravel()
        filters, rows, cols, stride_y, stride_x, pad_y, pad_x = (reader.integer() for _ in range(7))
        shape = reader.alias()
        reader.alias()  # the biases' view
        for _ in range(4):
            reader.real()  # learning-rate and weight-decay multipliers: training settings
        if rows != cols or stride_y != stride_x or pad_y != pad_x or shape[0] != filters:
            raise UnsupportedModel(f"a convolution with unequal rows and columns ({rows}x{cols}, stride {stride_y}/{stride_x})")
        count = int(np.prod(shape))
        if params.size != count + filters:
            raise UnsupportedModel(f"a convolution with {params.size} values for {count} weights and {filters} biases")
        return Layer(name, conv=Conv(params[:count].reshape(shape), params[count:], stride_y, pad_y))
    if name == AFFINE:
        params = reader.tensor().ravel()
        reader.alias(), reader.alias()
        if reader.integer() != 0:
            raise UnsupportedModel("an affine layer applied per pixel (this reader knows per channel)")
        half = params.size // 2
        return Layer(name, affine=Affine(params[:half], params[half:]))
    if name in (MAX_POOL, AVG_POOL):
        rows, cols, stride_y, stride_x, pad_y, pad_x = (reader.integer() for _ in range(6))
        if rows != cols or stride_y != stride_x or pad_y or pad_x:
            raise UnsupportedModel(f"a pooling layer {rows}x{cols}, stride {stride_y}/{stride_x}, padding {pad_y}/{pad_x}")
        return Layer(name, pool=Pool(name, rows, stride_y, 0))
    if name in (RELU, ADD_PREV):
        return Layer(name)
    if name == FC:
        outputs, inputs = reader.integer(), reader.integer()
        params = reader.tensor()
        reader.alias(), reader.alias()
        if reader.integer() != FC_NO_BIAS:
            raise UnsupportedModel("a fully connected layer with a bias")
        for _ in range(4):
            reader.real()
        return Layer(name, fc=params.reshape(inputs, outputs))
    raise UnsupportedModel(f"unknown layer {name!r} at byte {reader.pos}")
