"""Owner-only folders and files for personal data (NIPs, names, face templates, photos).

`mkdir(parents=True, mode=0o700)` gives only the last folder that mode; the parents get the
umask's (0755 outside systemd). These helpers give every level 0700 and every file 0600, whatever
the umask of the process that creates them.
"""

from __future__ import annotations

import os
from pathlib import Path

OWNER_DIR, OWNER_FILE = 0o700, 0o600


def make_private_dirs(folder: Path) -> None:
    """Create `folder` and its missing parents, each 0700; existing folders are left as they are."""
    missing = []
    path = folder
    while not path.exists():
        missing.append(path)
        path = path.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=OWNER_DIR)
        except FileExistsError:  # another process made it meanwhile
            continue
        path.chmod(OWNER_DIR)  # a umask such as 0277 could have removed bits the owner needs


def ensure_private_file(path: Path) -> None:
    """Create `path` empty with 0600 if missing; narrow an existing one to 0600 if others may read it."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_FILE)
    except FileExistsError:
        narrow_if_present(path)
        return
    os.fchmod(descriptor, OWNER_FILE)
    os.close(descriptor)


def narrow_if_present(path: Path) -> None:
    """0600 for a file that exists and is readable by others (e.g. left by an older version)."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(OWNER_FILE)
    except FileNotFoundError:
        pass


class SecretFileProblem(ValueError):
    """A secret file (a token) cannot be used; the message names the problem and the fix."""


def read_secret(path: str | Path) -> str:
    """The secret in `path`, stripped; SecretFileProblem when it is missing, readable by others,
    unreadable or empty (an empty token would match an empty Authorization header: fail closed)."""
    file = Path(path)
    if not file.is_file():
        raise SecretFileProblem(f"file not found; create it with the token: install -m 600 /dev/null {path} && edit it")
    if file.stat().st_mode & 0o077:
        raise SecretFileProblem(f"the secret file is readable by others; fix with: chmod 600 {path}")
    try:
        secret = file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretFileProblem(f"cannot read the secret file ({exc}); check its owner, and that it holds UTF-8 text") from None
    if not secret:
        raise SecretFileProblem(f"the secret file is empty; put the token in it (one line), e.g. openssl rand -hex 32 > {path}")
    return secret
