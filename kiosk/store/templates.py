"""Face templates: 128-d dlib embeddings, several per employee, matched as one matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.domain import FaceTemplate
from kiosk.store.db import Database
from kiosk.timeutil import from_utc_text, to_utc_text, utc_now

VECTOR_SIZE = 128


@dataclass(frozen=True)
class TemplateMatrix:
    """All templates at once: row i of `vectors` belongs to employee `nips[i]`."""

    ids: np.ndarray  # int64 (n,)
    nips: np.ndarray  # object (n,)
    vectors: np.ndarray  # float32 (n, 128)

    def __len__(self) -> int:
        return len(self.ids)


def encode_vector(vector: np.ndarray | tuple[float, ...]) -> bytes:
    array = np.asarray(vector, dtype="<f4")
    if array.shape != (VECTOR_SIZE,) or not np.all(np.isfinite(array)):
        raise ValueError(f"a face template is {VECTOR_SIZE} finite numbers, got shape {array.shape}")
    return array.tobytes()


class Templates:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, nip: str, vector: np.ndarray, source: str, quality: float = 0.0, uploaded: bool = False) -> int:
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO face_templates (nip, vector, source, quality, uploaded, created_utc) VALUES (?, ?, ?, ?, ?, ?)",
                (nip, encode_vector(vector), source, float(quality), int(uploaded), to_utc_text(utc_now())),
            )
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def add_many(self, nip: str, vectors: list[tuple[np.ndarray, float]], source: str, replace: bool = False) -> tuple[list[int], int]:
        """Save (vector, quality) pairs in ONE transaction, first erasing the NIP's templates if
        `replace`: an enrollment is all or nothing. Returns (new ids, number of templates replaced)."""
        now = to_utc_text(utc_now())
        with self.db.transaction() as conn:
            replaced = conn.execute("DELETE FROM face_templates WHERE nip=?", (nip,)).rowcount if replace else 0
            ids = [
                conn.execute(
                    "INSERT INTO face_templates (nip, vector, source, quality, uploaded, created_utc) VALUES (?, ?, ?, ?, 0, ?)",
                    (nip, encode_vector(vector), source, float(quality), now),
                ).lastrowid
                for vector, quality in vectors
            ]
        return [int(i) for i in ids], replaced  # type: ignore[arg-type]

    def vectors_of(self, nip: str) -> np.ndarray:
        """The NIP's templates as an (n, 128) float32 matrix."""
        rows = self.db.query("SELECT vector FROM face_templates WHERE nip=? ORDER BY id", (nip,))
        return np.frombuffer(b"".join(row["vector"] for row in rows), dtype="<f4").reshape(-1, VECTOR_SIZE).astype(np.float32)

    def add_bulk(self, rows: list[tuple[str, np.ndarray]], source: str = "photo") -> int:
        """(nip, vector) pairs in ONE transaction: bulk set-up for benchmarks and tests (the door uses add())."""
        now = to_utc_text(utc_now())
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO face_templates (nip, vector, source, quality, uploaded, created_utc) VALUES (?, ?, ?, 0, 0, ?)",
                [(nip, encode_vector(vector), source, now) for nip, vector in rows],
            )
        return len(rows)

    def for_employee(self, nip: str) -> list[FaceTemplate]:
        rows = self.db.query("SELECT * FROM face_templates WHERE nip=? ORDER BY id", (nip,))
        return [_template(row) for row in rows]

    def count(self) -> int:
        return self.db.count("SELECT COUNT(*) FROM face_templates")

    def matrix(self) -> TemplateMatrix:
        # Plain tuples, not sqlite3.Row: at start-up with 10,000 templates every row costs.
        rows = self.db.tuples(
            "SELECT t.id, t.nip, t.vector FROM face_templates t JOIN employees e ON e.nip = t.nip WHERE e.active = 1 ORDER BY t.id"
        )
        ids, nips, blobs = zip(*rows, strict=True) if rows else ((), (), ())
        vectors = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(-1, VECTOR_SIZE)
        return TemplateMatrix(
            ids=np.array(ids, dtype=np.int64),
            nips=np.array(nips, dtype=object),
            vectors=vectors.astype(np.float32),
        )

    def version(self) -> tuple:
        """Changes whenever matrix() would: a cheap check before reloading every template. Ids are never
        reused, so count, newest id and the sum of ids tell apart two sets of templates (also a database
        restored from a backup whose later history differs: kiosk/face/template_cache.py keys on this)."""
        row = self.db.query(
            "SELECT (SELECT COUNT(*) FROM face_templates), (SELECT MAX(id) FROM face_templates), (SELECT SUM(id) FROM face_templates),"
            " (SELECT COUNT(*) FROM employees WHERE active = 1), (SELECT MAX(updated_utc) FROM employees)"
        )[0]
        return tuple(row)

    def not_uploaded(self) -> list[FaceTemplate]:
        rows = self.db.query("SELECT * FROM face_templates WHERE uploaded = 0 AND source != 'roster' ORDER BY id")
        return [_template(row) for row in rows]

    def mark_uploaded(self, ids: list[int]) -> None:
        with self.db.transaction() as conn:
            conn.executemany("UPDATE face_templates SET uploaded = 1 WHERE id = ?", [(i,) for i in ids])

    def remove_for(self, nip: str, source: str | None = None) -> int:
        with self.db.transaction() as conn:
            return conn.execute(
                "DELETE FROM face_templates WHERE nip=? AND (? IS NULL OR source=?)", (nip, source, source)
            ).rowcount


def _template(row) -> FaceTemplate:
    return FaceTemplate(
        id=row["id"],
        nip=row["nip"],
        vector=tuple(float(x) for x in np.frombuffer(row["vector"], dtype="<f4")),
        source=row["source"],
        quality=row["quality"],
        created_utc=from_utc_text(row["created_utc"]),
    )
