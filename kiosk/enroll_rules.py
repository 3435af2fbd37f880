"""Rules that keep one NIP's face templates one person's face, without duplicates.

Pure functions over face encodings: the enroller calls them before anything is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# The same photo encodes to the same vector (distance 0.000); two different photos of one person
# are ~0.3 apart, so anything this close adds nothing to recognition.
DUPLICATE_DISTANCE = 0.01


@dataclass(frozen=True)
class NotOnePerson:
    """Photo `odd` does not look like `other` (a new photo, or the NIP's enrolled templates if None)."""

    odd: int
    other: int | None
    distance: float


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


def nearest(vector: np.ndarray, others: np.ndarray) -> float:
    """The distance to the closest row of `others` (inf when there is none)."""
    if not len(others):
        return float("inf")
    return float(np.min(np.linalg.norm(np.asarray(others, np.float64) - np.asarray(vector, np.float64), axis=1)))


def duplicates(vectors: Sequence[np.ndarray], enrolled: np.ndarray) -> list[int]:
    """Indexes of the vectors that repeat an enrolled template or an earlier vector of the list."""
    repeated, kept = [], [np.asarray(row, np.float64) for row in enrolled]
    for index, vector in enumerate(vectors):
        if kept and nearest(vector, np.array(kept)) <= DUPLICATE_DISTANCE:
            repeated.append(index)
        else:
            kept.append(np.asarray(vector, np.float64))
    return repeated


def odd_one_out(vectors: Sequence[np.ndarray], tolerance: float) -> NotOnePerson | None:
    """Two new photos farther apart than the tolerance: the one that disagrees with most others."""
    n = len(vectors)
    apart = [[i != j and distance(vectors[i], vectors[j]) > tolerance for j in range(n)] for i in range(n)]
    counts = [sum(row) for row in apart]
    if not any(counts):
        return None
    odd = max(range(n), key=lambda i: (counts[i], i))
    other = apart[odd].index(True)
    return NotOnePerson(odd, other, distance(vectors[odd], vectors[other]))


def stranger_to_enrolled(vectors: Sequence[np.ndarray], enrolled: np.ndarray, tolerance: float) -> NotOnePerson | None:
    """A new photo whose nearest enrolled template of the same NIP is farther than the tolerance."""
    for index, vector in enumerate(vectors):
        gap = nearest(vector, enrolled)
        if len(enrolled) and gap > tolerance:
            return NotOnePerson(index, None, gap)
    return None
