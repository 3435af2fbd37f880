"""Evidence files for absences (the surat cuti, surat tugas...): copied under data_dir, owner-only.

Perbup Musi Banyuasin 9/2023 Pasal 6(3) huruf c: the unit administrator sends the monthly recap
with the evidence of absences; the files hold personal data, so only the kiosk's user may read them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from kiosk.private import make_private_dirs

EVIDENCE_DIR = "evidence"


class EvidenceError(OSError):
    """The evidence file cannot be read or stored; the message says which and why."""


def store_evidence(source: Path, data_dir: Path, nip: str) -> str:
    """Copy `source` to data_dir/evidence/NIP-<random>.<ext> with mode 0600; returns the path
    relative to data_dir (what the absence record keeps)."""
    if not source.is_file():
        raise EvidenceError(f"evidence file {source} not found; give the path of the scanned letter")
    folder = data_dir / EVIDENCE_DIR
    make_private_dirs(folder)
    name = f"{nip}-{uuid.uuid4().hex[:12]}{source.suffix.lower()}"
    target = folder / name
    # create the file owner-only first, so the contents are never readable by others
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise EvidenceError(f"cannot copy {source} to {target}: {exc.strerror or exc}") from None
    os.chmod(target, 0o600)  # the umask cannot widen it, but be explicit
    return f"{EVIDENCE_DIR}/{name}"


def remove_evidence(relative: str | None, data_dir: Path) -> None:
    if relative:
        (data_dir / relative).unlink(missing_ok=True)


def erase_evidence_of(nip: str, recorded: list[str], data_dir: Path) -> int:
    """Delete the files the absences recorded, and any other file stored for that NIP."""
    folder = data_dir / EVIDENCE_DIR
    paths = {data_dir / relative for relative in recorded} | set(folder.glob(f"{nip}-*"))
    erased = 0
    for path in paths:
        if path.resolve().parent == folder.resolve() and path.is_file():
            path.unlink()
            erased += 1
    return erased
