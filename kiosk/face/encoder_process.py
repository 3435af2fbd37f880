"""Where the ~100 ms ResNet encoding runs: in this thread (files, enrollment) or in a worker process (the door).

dlib's `compute_face_descriptor` holds Python's GIL for the whole encoding (measured: a Python
thread gets no turn for 115-145 ms while it runs, where HOG detection lets it run every
millisecond). A worker *thread* would therefore freeze frame intake, tracking and the door's
feedback for the length of every encoding (0.7 s at 0.15 of a core). A worker *process* does not:
it has its own interpreter, the operating system schedules it like any other process (on another
core of a Pi 4, or interleaved with the pipeline on one core), and only a 150x150 face chip
(67 KB) goes over the pipe. Both encoders return a `Future`, so the recogniser has one code path.

How the worker starts: forking a process that has threads can deadlock the child (a lock held by
another thread stays locked forever), so the worker is forked only while the kiosk still has a
single thread (`kiosk run` creates the encoder before it starts any part); the child then inherits
numpy and dlib already imported and only loads the model (~0.13 s of CPU instead of ~0.4 s for a
fresh interpreter). Otherwise it is started with "spawn", a fresh interpreter.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

CHIP_SIZE = 150  # what dlib's ResNet expects
CHIP_PADDING = 0.25  # the padding compute_face_descriptor(image, shape) uses itself


class LocalEncoder:
    """Encodes in the calling thread; the Future is already done when submit() returns."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder  # dlib.face_recognition_model_v1

    def submit(self, chip: np.ndarray) -> Future:
        future: Future = Future()
        try:
            future.set_result(np.asarray(self.encoder.compute_face_descriptor(chip), dtype=np.float32))
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
        once the model is loaded. No trial encoding: it would cost a whole encoding (~90 ms of CPU here,
        0.6 s of a 0.15-core quota) before READY=1, and dlib's first encoding is no slower than the next."""
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
_WORKER_ENCODER: Any = None  # dlib.face_recognition_model_v1 once the initializer ran (dlib is untyped)


def _load_encoder(path: str) -> None:
    global _WORKER_ENCODER
    import dlib

    _WORKER_ENCODER = dlib.face_recognition_model_v1(path)


def _model_loaded() -> bool:
    """A job runs only after the pool's initializer, so its result says the model is loaded."""
    return _WORKER_ENCODER is not None


def _encode_chip(chip: np.ndarray) -> np.ndarray:
    return np.asarray(_WORKER_ENCODER.compute_face_descriptor(chip), dtype=np.float32)
