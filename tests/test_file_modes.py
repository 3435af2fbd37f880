"""Personal data stays owner-only outside systemd too (issue 11, item 6).

The tests set the umask a technician's shell has (0022) and a data_dir of mode 0755, as made by
hand with plain `mkdir`; systemd's UMask=0077 would hide the problem.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.domain import Employee
from kiosk.photos import PhotoStore
from kiosk.report.absence_evidence import store_evidence
from kiosk.store import Store

NIP = "198001012006041001"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def shell_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def open_data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    return data


def test_wal_and_shm_are_owner_only(shell_umask, open_data_dir: Path) -> None:
    with Store.open(open_data_dir / "kiosk.db") as store:
        store.employees.add(Employee(NIP, "Budi Santoso"))
        files = {name: open_data_dir / f"kiosk.db{name}" for name in ("", "-wal", "-shm")}
        assert all(path.exists() for path in files.values())  # WAL mode keeps them while open
        assert {name: oct(mode(path)) for name, path in files.items()} == {name: "0o600" for name in files}


def test_loose_files_of_an_older_version_are_narrowed(shell_umask, open_data_dir: Path) -> None:
    db = open_data_dir / "kiosk.db"
    with Store.open(db):
        pass
    keep_open = sqlite3.connect(db)  # keeps -wal and -shm on disk, as a running daemon would
    keep_open.execute("PRAGMA journal_mode=WAL")
    keep_open.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    keep_open.commit()
    for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm"):
        (open_data_dir / name).chmod(0o644)
    try:
        with Store.open(db):
            assert [oct(mode(open_data_dir / n)) for n in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm")] == ["0o600"] * 3
    finally:
        keep_open.close()


def test_database_in_a_new_nested_data_dir(shell_umask, tmp_path: Path) -> None:
    data = tmp_path / "var" / "lib" / "kiosk"
    with Store.open(data / "kiosk.db"):
        pass
    assert [oct(mode(p)) for p in (tmp_path / "var", tmp_path / "var" / "lib", data)] == ["0o700"] * 3


def test_photo_folders_are_owner_only_at_every_level(shell_umask, open_data_dir: Path) -> None:
    relative = PhotoStore(open_data_dir).save(b"\xff\xd8jpeg", NIP, datetime(2026, 11, 23, 7, 41))
    photo = open_data_dir / relative
    folders = [
        open_data_dir / "photos",
        *(open_data_dir / "photos" / part for part in ("2026", "2026/11", "2026/11/23")),
    ]
    assert {str(f.relative_to(open_data_dir)): oct(mode(f)) for f in folders} == {
        str(f.relative_to(open_data_dir)): "0o700" for f in folders
    }
    assert mode(photo) == 0o600


def test_evidence_folder_is_owner_only(shell_umask, open_data_dir: Path, tmp_path: Path) -> None:
    letter = tmp_path / "surat.pdf"
    letter.write_bytes(b"%PDF-1.4")
    stored = store_evidence(letter, open_data_dir, NIP)
    assert mode(open_data_dir / "evidence") == 0o700 and mode(open_data_dir / stored) == 0o600


def test_cli_files_are_owner_only_under_a_shell_umask(shell_umask, tmp_path: Path, open_data_dir: Path) -> None:
    """A technician's `kiosk ... --output FILE` writes NIPs: the command itself sets umask 0077."""
    import subprocess
    import sys

    config = tmp_path / "kiosk.toml"
    config.write_text(f'[device]\ndata_dir = "{open_data_dir}"\n')
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    base = [sys.executable, "-m", "kiosk", "--config", str(config)]
    subprocess.run([*base, "employee", "add", NIP, "--name", "Budi"], check=True, env=env, capture_output=True)
    out = tmp_path / "export.csv"
    subprocess.run([*base, "punch", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--output", str(out)],
                   check=True, env=env, capture_output=True)  # fmt: skip
    assert mode(out) == 0o600
    assert mode(open_data_dir / "kiosk.db") == 0o600
