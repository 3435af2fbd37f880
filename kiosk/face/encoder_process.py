"""Where the ResNet encoding runs: in this thread (files, enrollment) or in a worker process (the door).

An encoding is the heaviest step of the door: ~13 ms of CPU here with dlib's network run by numpy
(kiosk/face/resnet.py), ~90 ms with dlib's own, which also holds Python's GIL for the whole
encoding (measured: a Python thread got no turn for 115-145 ms). numpy lets go of the GIL in its
matrix products but not in the Python steps between them, and under a CPU quota every step of a
thread competes with frame intake, tracking and the door's feedback. A worker *process* does not:
it has its own interpreter, the operating system schedules it like any other process (on another
core of a Pi 4, or interleaved with the pipeline on one core), and only a 150x150 face chip
(67 KB) goes over the pipe. Both encoders return a `Future`, so the recogniser has one code path.

How the worker starts: forking a process that has threads can deadlock the child (a lock held by
another thread stays locked forever), so the worker is forked only while the kiosk still has a
single thread (`kiosk run` creates the encoder before it starts any part); the child then inherits
numpy and dlib already imported and only loads the model (~0.07 s of CPU instead of ~0.4 s for a
fresh interpreter). Otherwise it is started with "spawn", a fresh interpreter.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import numpy as np

from kiosk.face.encoders import FaceEncoder, load_encoder

log = logging.getLogger(__name__)

CHIP_SIZE = 150  # what dlib's ResNet expects
CHIP_PADDING = 0.25  # the padding compute_face_descriptor(image, shape) uses itself


class LocalEncoder:
    """Encodes in the calling thread; the Future is already done when submit() returns."""

    def __init__(self, encoder: FaceEncoder) -> None:
        self.encoder = encoder

    def submit(self, chip: np.ndarray) -> Future:
        future: Future = Future()
        try:
            future.set_result(self.encoder.encode(chip))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the Future, as a process would
            future.set_exception(exc)
        return future

    def close(self) -> None:
        pass


class EncoderProcess:
    """One worker process holding dlib's ResNet. A crashed worker is replaced on the next submit()."""

    def __init__(self, encoder_path: Path) -> None:
        self.encoder_path = encoder_path
        self.restarts = 0
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        self.start_method = "fork" if threading.active_count() == 1 else "spawn"
        return ProcessPoolExecutor(
            max_workers=1,  # one ResNet: a dlib network is not safe to run from two threads at once
            mp_context=multiprocessing.get_context(self.start_method),
            initializer=_load_encoder,
            initargs=(str(self.encoder_path),),
        )

    def warm_up(self) -> Future:
        """Start the worker and load the model now, not when the first face arrives; the Future is done
        once the model is loaded. No trial encoding: it would cost a whole encoding before READY=1
        (~13 ms of CPU here, 0.1 s of a 0.15-core quota), and the first encoding is hardly slower than
        the next (14.8 ms against 14.0 ms measured)."""
        try:
            return self._pool.submit(_model_loaded)
        except RuntimeError:  # a broken pool: submit() replaces the worker
            return self.submit(np.zeros((CHIP_SIZE, CHIP_SIZE, 3), np.uint8))

    def submit(self, chip: np.ndarray) -> Future:
        try:
            return self._pool.submit(_encode_chip, np.ascontiguousarray(chip))
        except RuntimeError as exc:  # BrokenProcessPool (the worker died: OOM, a signal) or shut down
            self.restarts += 1
            log.error("face encoder process failed (%s); starting a new one (restart %d)", exc, self.restarts)
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._start()
            return self._pool.submit(_encode_chip, np.ascontiguousarray(chip))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# The worker process's model: set once by the pool's initializer, read by every job. This is per
# process state of the worker, which is what ProcessPoolExecutor's initializer is for.
_WORKER_ENCODER: FaceEncoder | None = None  # set once the initializer ran


def _load_encoder(path: str) -> None:
    global _WORKER_ENCODER
    _WORKER_ENCODER = load_encoder(Path(path))


def _model_loaded() -> bool:
    """A job runs only after the pool's initializer, so its result says the model is loaded."""
    return _WORKER_ENCODER is not None


def _encode_chip(chip: np.ndarray) -> np.ndarray:
    assert _WORKER_ENCODER is not None  # a job runs only after the pool's initializer
    return _WORKER_ENCODER.encode(chip)
