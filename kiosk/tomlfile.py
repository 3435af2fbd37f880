"""Reading a TOML file a technician wrote, with a message that says what is wrong and how to fix it.

TOML files are UTF-8 by definition. Editors on Windows save with a byte-order mark (BOM) and older
ones in Latin-1/Windows-1252; both are common on office PCs, so both get named here instead of
surfacing as a traceback from the decoder.
"""

from __future__ import annotations

import codecs
import tomllib
from datetime import date
from pathlib import Path


class TomlFileError(ValueError):
    """The file cannot be read, is not UTF-8, or is not valid TOML; the message names the fix."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem}")


class TomlFileMissing(TomlFileError):
    """There is no file at that path."""


def toml_date(value: object) -> date | None:
    """A TOML date (2026-08-17) or the same in quotes; None for anything else, a date-time included."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    return None


def read_toml(path: Path) -> dict:
    """Parse `path`; a leading UTF-8 BOM is accepted and ignored (TOML itself forbids nothing else)."""
    return parse_toml_bytes(_read_bytes(path), path)


def parse_toml_bytes(data: bytes, path: Path) -> dict:
    data = data.removeprefix(codecs.BOM_UTF8)  # Notepad's "UTF-8 with BOM": same text, accepted
    text = _decode(data, path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlFileError(path, f"not valid TOML: {exc}") from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TomlFileMissing(path, "file not found") from None
    except IsADirectoryError:
        raise TomlFileError(path, "is a directory; give the path of the .toml file inside it") from None
    except PermissionError:
        raise TomlFileError(path, "cannot read the file; check its owner and mode") from None
    except OSError as exc:
        raise TomlFileError(path, f"cannot read the file ({exc.strerror or exc})") from None


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        hint = " (0xff 0xfe / 0xfe 0xff starts a UTF-16 file)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise TomlFileError(
            path,
            f"not UTF-8: byte 0x{bad} at offset {exc.start} (line {line}) is not valid UTF-8{hint}. "
            "Save the file as UTF-8 (in the editor: Save As, encoding UTF-8; or convert it with "
            f"iconv -f WINDOWS-1252 -t UTF-8 {path} -o {path}.utf8 and move it back)",
        ) from None
