"""1:N matching: every template in one float32 matrix, all distances in one vectorised step.

Accept only when the best distance is within `tolerance` AND the nearest *other* employee is at
least `margin` farther; anything else is "unknown" (a look-alike must not punch for someone else).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kiosk.store.templates import TemplateMatrix


@dataclass(frozen=True)
class Match:
    nip: str | None  # the accepted employee, None = unknown
    best_nip: str | None  # nearest employee, accepted or not
    distance: float  # to the nearest template (inf with no templates)
    second_distance: float  # to the nearest template of another employee (inf if none)
    reason: str  # "accepted", "too far", "too close to another employee", "no templates"

    @property
    def accepted(self) -> bool:
        return self.nip is not None


def decide(best_nip: str | None, best: float, second: float, tolerance: float, margin: float) -> Match:
    """The acceptance rule, as a pure function (tested table-driven)."""
    if best_nip is None:
        return Match(None, None, math.inf, math.inf, "no templates")
    if best > tolerance:
        return Match(None, best_nip, best, second, "too far")
    if second - best < margin:
        return Match(None, best_nip, best, second, "too close to another employee")
    return Match(best_nip, best_nip, best, second, "accepted")


class Matcher:
    def __init__(self, templates: TemplateMatrix, tolerance: float, margin: float) -> None:
        self.tolerance, self.margin = tolerance, margin
        self.vectors = np.ascontiguousarray(templates.vectors, dtype=np.float32)
        self.nips = templates.nips
        # One integer per employee, so "another employee" is an integer comparison.
        self.labels = np.unique(self.nips, return_inverse=True)[1] if len(self.nips) else np.zeros(0, np.int64)
        self.norms = np.einsum("ij,ij->i", self.vectors, self.vectors)

    def __len__(self) -> int:
        return len(self.vectors)

    def distances(self, probe: np.ndarray) -> np.ndarray:
        # |a-b|^2 = |a|^2 - 2ab + |b|^2: one matrix-vector product instead of an (n,128) temporary.
        probe = np.asarray(probe, dtype=np.float32)
        squared = self.norms - 2.0 * (self.vectors @ probe) + float(probe @ probe)
        return np.sqrt(np.maximum(squared, 0.0))

    def match(self, probe: np.ndarray, exclude_nip: str | None = None) -> Match:
        if not len(self):
            return decide(None, math.inf, math.inf, self.tolerance, self.margin)
        distances = self.distances(probe)
        if exclude_nip is not None:
            distances = np.where(self.nips == exclude_nip, np.inf, distances)
        best = int(np.argmin(distances))
        if not math.isfinite(distances[best]):
            return decide(None, math.inf, math.inf, self.tolerance, self.margin)
        others = distances[self.labels != self.labels[best]]
        second = float(others.min()) if others.size else math.inf
        return decide(str(self.nips[best]), float(distances[best]), second, self.tolerance, self.margin)
