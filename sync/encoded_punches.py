"""Punches encoded once and kept, for the pull paths that serve the whole log again and again
(the ZK server's attendance dataset, SOAP's GetAttLog rows).

Reading and encoding 50,000-100,000 punches takes seconds on a Raspberry Pi, and central systems
ask for "all" every few minutes. Only the punches recorded since the last look are encoded. A
different `key` (the roster's user ids), a different floor (punches a ZK client cleared), or the
oldest kept punch gone (retention removes the oldest first) starts again from the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from kiosk.domain import Punch

PAGE = 5000
T = TypeVar("T")


class PagedPunches(Protocol):
    def page(self, after_seq: int = 0, limit: int = 1000) -> list[Punch]: ...


@dataclass
class _Kept(Generic[T]):
    key: tuple = ()
    floor: int = 0
    first_seq: int = 0  # seq of items[0]
    last_seq: int = 0
    items: list[T] = field(default_factory=list)


class EncodedPunches(Generic[T]):
    def __init__(self, punches: PagedPunches) -> None:
        self.punches = punches
        self._lock = threading.Lock()
        self._kept: _Kept[T] = _Kept()

    def get(self, key: tuple, encode: Callable[[Punch], T], floor: int = 0) -> list[T]:
        """Every punch after `floor`, encoded, in recording order; the list must not be changed."""
        with self._lock:
            kept = self._kept
            if kept.key != key or kept.floor != floor or not self._still_first(kept):
                kept = _Kept(key, floor, 0, floor)
            self._extend(kept, encode)
            self._kept = kept
            return kept.items

    def _still_first(self, kept: _Kept[T]) -> bool:
        if not kept.items:
            return False  # nothing kept: starting again costs nothing
        head = self.punches.page(after_seq=kept.floor, limit=1)
        return bool(head) and head[0].seq == kept.first_seq

    def _extend(self, kept: _Kept[T], encode: Callable[[Punch], T]) -> None:
        while page := self.punches.page(after_seq=kept.last_seq, limit=PAGE):
            if not kept.items:
                kept.first_seq = page[0].seq
            kept.items.extend(encode(punch) for punch in page)
            kept.last_seq = page[-1].seq
            if len(page) < PAGE:
                return
