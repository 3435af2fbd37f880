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


# What a scanned letter may be, recognised by its first bytes (never by its name or the browser's word).
EVIDENCE_TYPES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", ".pdf", "application/pdf"),
    (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
)


def evidence_type(head: bytes) -> tuple[str, str] | None:
    """(extension, MIME type) of a PDF, JPEG or PNG judged from its first bytes; None otherwise."""
    for magic, suffix, mime in EVIDENCE_TYPES:
        if head.startswith(magic):
            return suffix, mime
    return None


def check_evidence_bytes(data: bytes, max_bytes: int) -> str:
    """The extension to store `data` under; EvidenceError naming the problem otherwise."""
    if not data:
        raise EvidenceError("the evidence file is empty; scan the letter again")
    if len(data) > max_bytes:
        raise EvidenceError(f"the evidence file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB: scan at a lower resolution")
    kind = evidence_type(data[:16])
    if kind is None:
        raise EvidenceError("the evidence file is not a PDF, JPEG or PNG; scan the letter to one of those")
    return kind[0]


def store_evidence_bytes(data: bytes, suffix: str, data_dir: Path, nip: str) -> str:
    """Like store_evidence, for an upload already in memory (checked with check_evidence_bytes)."""
    folder = data_dir / EVIDENCE_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"{nip}-{uuid.uuid4().hex[:12]}{suffix}"
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise EvidenceError(f"cannot write {target}: {exc.strerror or exc}") from None
    return f"{EVIDENCE_DIR}/{target.name}"


def evidence_path(relative: str, data_dir: Path) -> Path:
    """The file of a stored evidence path, refusing anything that resolves outside data_dir/evidence."""
    root = (data_dir / EVIDENCE_DIR).resolve()
    path = (data_dir / relative).resolve()
    if root not in path.parents:
        raise EvidenceError(f"evidence path {relative!r} is outside {root}")
    return path


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
