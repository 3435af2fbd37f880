"""The face templates as one matrix, kept in `data_dir/cache` between starts.

Reading 10,000 templates through SQLite (10,000 rows, a join with the employees, 5 MB of blobs) takes
~30 ms of CPU on an x86 core, most of a quarter second inside a 0.15-core quota; the same matrix
read back from a .npz file takes ~6 ms. The file is named after the templates' version (count,
newest id, sum of ids, active employees, last employee change: see `Templates.version`), so adding,
removing or re-enrolling a template, or (de)activating an employee, names another file, and the
stale one is deleted when the new one is written. Ids are never reused (AUTOINCREMENT) and a
template's vector and NIP are never updated in place. A damaged or unreadable file is ignored and
rewritten (the zip format checks its CRC); the cache is only ever a copy of what the database says.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from kiosk.store.templates import VECTOR_SIZE, TemplateMatrix, Templates

log = logging.getLogger(__name__)

PREFIX = "templates-"


def cache_file(cache_dir: Path, version: tuple) -> Path:
    key = hashlib.sha256(repr(version).encode()).hexdigest()[:20]
    return cache_dir / f"{PREFIX}{key}.npz"


def load_matrix(templates: Templates, cache_dir: Path) -> TemplateMatrix:
    """What `templates.matrix()` returns, from the cache when the templates have not changed since it was written."""
    path = cache_file(cache_dir, templates.version())
    cached = _read(path)
    if cached is not None:
        return cached
    matrix = templates.matrix()
    try:
        _write(path, matrix)
    except OSError as exc:  # a full or read-only disk: the door still works, it only starts slower
        log.warning("cannot cache the face templates in %s: %s", cache_dir, exc)
    return matrix


def _read(path: Path) -> TemplateMatrix | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            ids, nips, vectors = data["ids"], data["nips"], data["vectors"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("face template cache %s is unreadable (%s); reading the templates from the database", path, exc)
        return None
    if vectors.ndim != 2 or vectors.shape[1] != VECTOR_SIZE or not len(ids) == len(nips) == len(vectors):
        log.warning("face template cache %s has the wrong shape; reading the templates from the database", path)
        return None
    return TemplateMatrix(ids=ids.astype(np.int64), nips=nips.astype(object), vectors=vectors.astype(np.float32))


def _write(path: Path, matrix: TemplateMatrix) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".templates-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, ids=matrix.ids, nips=matrix.nips.astype(str), vectors=matrix.vectors)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for stale in path.parent.glob(f"{PREFIX}*.npz"):
        if stale != path:
            stale.unlink(missing_ok=True)
