"""TLS for the kiosk's HTTP surfaces (pull API, SOAP, console): the files, their checks, the context.

Every section that serves HTTPS has the same two keys, `tls_cert_file` and `tls_key_file`;
`TlsFiles` carries them, `check_tls_files` is what `kiosk config check` runs, `server_context`
builds the ssl.SSLContext the server uses (the standard library's modern defaults: TLS 1.2 or
newer, its default cipher list, no compression, no renegotiation).
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from pathlib import Path

_CERT_MARK = "-----BEGIN CERTIFICATE-----"
_FIX_PAIR = (
    "generate a pair with: openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj /CN=kiosk"
    " -keyout kiosk.key -out kiosk.crt && chmod 600 kiosk.key"
)


@dataclass(frozen=True)
class TlsFiles:
    cert_file: str = ""  # PEM certificate (chain), server first
    key_file: str = ""  # PEM private key, unencrypted, mode 0600

    @property
    def enabled(self) -> bool:
        return bool(self.cert_file or self.key_file)


class TlsFileError(ValueError):
    """`which` is "cert_file" or "key_file": the config key the problem is in."""

    def __init__(self, which: str, path: str, fix: str) -> None:
        self.which, self.path, self.fix = which, path, fix
        super().__init__(f"{which} = {path!r}: {fix}")


def check_tls_files(files: TlsFiles) -> None:
    """Raise TlsFileError naming the key and the fix when the pair cannot serve TLS."""
    if not files.enabled:
        return
    if not files.cert_file:
        raise TlsFileError("cert_file", "", f"tls_key_file is set but tls_cert_file is not; set both or neither ({_FIX_PAIR})")
    if not files.key_file:
        raise TlsFileError("key_file", "", "tls_cert_file is set but tls_key_file is not; set both or neither")
    cert_text = _read("cert_file", files.cert_file)
    key_text = _read("key_file", files.key_file)
    if os.stat(files.key_file).st_mode & 0o077:
        raise TlsFileError("key_file", files.key_file, f"the private key is readable by others; fix with: chmod 600 {files.key_file}")
    if _CERT_MARK not in cert_text:
        raise TlsFileError("cert_file", files.cert_file, f"not a PEM certificate (no '{_CERT_MARK}' line); {_FIX_PAIR}")
    if "PRIVATE KEY-----" not in key_text:
        raise TlsFileError("key_file", files.key_file, f"not a PEM private key (no '-----BEGIN ... PRIVATE KEY-----' line); {_FIX_PAIR}")
    if "ENCRYPTED" in key_text:
        raise TlsFileError("key_file", files.key_file, "the private key is encrypted; the kiosk starts unattended: use an unencrypted key (mode 0600)")
    server_context(files)


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """The server-side context; TlsFileError when the files do not load or do not match."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    try:
        context.load_cert_chain(files.cert_file, files.key_file, password=_no_password)
    except _EncryptedKey:
        raise TlsFileError("key_file", files.key_file, "the private key is encrypted; use an unencrypted key (mode 0600)") from None
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc) or "key values mismatch" in str(exc):
            raise TlsFileError("key_file", files.key_file, f"this key does not belong to the certificate {files.cert_file}; use the key it was made with") from None
        raise TlsFileError("cert_file", files.cert_file, f"cannot load the certificate and key ({exc.reason or exc}); {_FIX_PAIR}") from None
    except OSError as exc:
        raise TlsFileError("cert_file", files.cert_file, f"cannot read ({exc.strerror})") from None
    return context


class _EncryptedKey(Exception):
    pass


def _no_password() -> bytes:
    raise _EncryptedKey


def _read(which: str, path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise TlsFileError(which, path, "file not found; give the path of a PEM file")
    try:
        return file.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise TlsFileError(which, path, f"cannot read it ({exc.strerror}); the kiosk's user must be able to read it") from None
