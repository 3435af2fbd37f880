"""Optional per-stage timing for the benchmark (gate, detect, encode, match, ...)."""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterator


class StageTimes:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.samples[name].append(time.perf_counter() - start)


class NoTimes:
    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield
