"""Removing an employee erases their biometric data from the files themselves (issue 11, item 15).

The test searches the raw bytes of kiosk.db and kiosk.db-wal, as someone holding a copy of the
data_dir would, for the exact bytes of every face template of the removed employee.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk import erasure
from kiosk.domain import Employee
from kiosk.photos import PhotoStore
from kiosk.report.absence_evidence import store_evidence
from kiosk.store import Store
from kiosk.store.templates import encode_vector

GONE, STAYS = "198001012006041001", "198502022010012002"


def vector(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=128).astype(np.float32)


def raw_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir.glob("kiosk.db*")) if p.is_file())


def leaked(data: bytes, template: bytes) -> bool:
    """Any 32-byte run of the template (8 of its 128 floats) counts as a leak."""
    return any(template[i : i + 32] in data for i in range(0, len(template), 32))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    return path


def enrolled(store: Store) -> tuple[list[bytes], list[bytes]]:
    store.employees.add(Employee(GONE, "Budi Santoso"))
    store.employees.add(Employee(STAYS, "Citra Lestari"))
    gone = [encode_vector(vector(seed)) for seed in (1, 2, 3)]
    stays = [encode_vector(vector(seed)) for seed in (7, 8)]
    store.templates.add(GONE, vector(1), "photo")
    store.templates.add(STAYS, vector(7), "photo")
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # these two now also live in kiosk.db itself
    store.templates.add(GONE, vector(2), "camera")  # these only in the WAL
    store.templates.add(GONE, vector(3), "camera")
    store.templates.add(STAYS, vector(8), "camera")
    return gone, stays


def test_removed_templates_are_not_in_the_database_files(data_dir: Path) -> None:
    with Store.open(data_dir / "kiosk.db") as store:
        gone, stays = enrolled(store)
        assert all(leaked(raw_bytes(data_dir), t) for t in gone)  # the search finds them before
        removal = erasure.remove_employee(store, PhotoStore(data_dir), GONE)
        data = raw_bytes(data_dir)  # still open, as the running kiosk keeps it
        assert [leaked(data, t) for t in gone] == [False, False, False]
        assert all(leaked(data, t) for t in stays)  # the other employee is untouched
        assert len(store.templates.for_employee(STAYS)) == 2
        assert removal.templates == 3 and removal.erased_from_disk
    assert not any(leaked(raw_bytes(data_dir), t) for t in gone)


def test_erasure_while_another_connection_has_the_database_open(data_dir: Path, kiosk, config_file: Path) -> None:
    """`kiosk employee remove` in a shell while the daemon holds its own connection."""
    from kiosk.settings import load_settings

    settings = load_settings(config_file)
    with Store.open(settings.database_path) as daemon_side:
        gone, _stays = enrolled(daemon_side)
        result = kiosk("employee", "remove", GONE, "--json")
        assert result.exit_code == 0, result.output
        assert daemon_side.employees.get(GONE) is None
        assert not any(leaked(raw_bytes(settings.data_dir), t) for t in gone)
        assert '"erased_from_disk": true' in result.output


def test_absence_evidence_is_erased_with_the_employee(data_dir: Path, tmp_path: Path) -> None:
    letter = tmp_path / "surat-sakit.pdf"
    letter.write_bytes(b"%PDF-1.4 surat keterangan sakit")
    with Store.open(data_dir / "kiosk.db") as store:
        enrolled(store)
        mine = store_evidence(letter, data_dir, GONE)
        theirs = store_evidence(letter, data_dir, STAYS)
        store.absences.add(GONE, "2026-11-02", "2026-11-03", "S", "sakit", mine)
        kept = store.absences.add(STAYS, "2026-11-02", "2026-11-02", "S", "sakit", theirs)
        removal = erasure.remove_employee(store, PhotoStore(data_dir), GONE)
        assert not (data_dir / mine).exists()
        assert removal.evidence == 1
        assert (data_dir / theirs).exists() and store.absences.get(kept.id).evidence == theirs
        (record,) = store.absences.list(nip=GONE)  # the absence itself is kept, without a file
        assert record.code == "S" and record.evidence is None
