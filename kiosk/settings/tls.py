"""The TLS keys every HTTPS-serving section shares (tls_cert_file, tls_key_file), checked on load."""

from __future__ import annotations

from dataclasses import field

from kiosk.settings.errors import ConfigError
from kiosk.tls import TlsFileError, TlsFiles, check_tls_files


def cert_field():
    return field(default="", metadata={"help": "PEM certificate to serve HTTPS with; empty = plain HTTP (docs/security.md)"})


def key_field():
    return field(default="", metadata={"help": "PEM private key of that certificate, unencrypted, mode 0600"})


def check_tls_section(section: str, files: TlsFiles) -> None:
    """ConfigError naming `section.tls_cert_file` or `section.tls_key_file` and the fix."""
    try:
        check_tls_files(files)
    except TlsFileError as exc:
        raise ConfigError(f"{section}.tls_{exc.which}", exc.path, exc.fix) from None
