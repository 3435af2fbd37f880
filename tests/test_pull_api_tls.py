"""The pull API over TLS (issue 11, item 5): config check of the certificate and key, and a real
HTTPS exchange verified by requests against a self-signed certificate made here with openssl."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from kiosk.photos import PhotoStore
from kiosk.settings import load_settings
from kiosk.store import Store
from sync.pull_api import build_pull_server

from helpers import write_kiosk_config, write_token

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
TOKEN = "tls-token"


def make_pair(folder: Path, name: str) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    return cert, key


def write_config(tmp_path: Path, cert: object, key: object) -> Path:
    data = tmp_path / "data"
    data.mkdir(mode=0o700, exist_ok=True)
    token = write_token(tmp_path / "api.token", TOKEN)
    body = f"""
        [api]
        enabled = true
        port = 8470
        token_file = "{token}"
        tls_cert_file = "{cert}"
        tls_key_file = "{key}"
        """
    return write_kiosk_config(tmp_path, data, body, device_id="TLS-01")


def config_check(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "--config", str(config), "config", "check"], capture_output=True, text=True, timeout=120)


def test_pull_api_serves_https_that_a_verifying_client_accepts(tmp_path):
    cert, key = make_pair(tmp_path, "kiosk")
    config = write_config(tmp_path, cert, key)
    assert config_check(config).returncode == 0
    settings = load_settings(config)
    store = Store.open(settings.database_path, device_id="TLS-01")
    server = build_pull_server(dataclasses.replace(settings.api, port=0), store, PhotoStore(settings.data_dir), settings.tz).start()
    try:
        assert server.url.startswith("https://127.0.0.1:")
        reply = requests.get(f"{server.url}/api/v1/punches", headers={"Authorization": f"Bearer {TOKEN}"}, verify=str(cert), timeout=10)
        assert reply.status_code == 200 and reply.json()["punches"] == []
        with pytest.raises(requests.exceptions.ConnectionError):  # plain HTTP gets no answer on the TLS port
            requests.get(f"http://127.0.0.1:{server.port}/api/v1/health", timeout=10)
        other_cert, _ = make_pair(tmp_path, "stranger")  # a client trusting another certificate refuses the kiosk
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{server.url}/api/v1/health", verify=str(other_cert), timeout=10)
    finally:
        server.stop()
        store.close()


def _not_pem(tmp_path, cert, key):
    cert.write_text("this is not a certificate\n")
    return cert, key


def _key_readable_by_others(tmp_path, cert, key):
    key.chmod(0o644)
    return cert, key


def _mismatch(tmp_path, cert, key):
    _, other_key = make_pair(tmp_path, "other")
    return cert, other_key


def _missing_cert(tmp_path, cert, key):
    return tmp_path / "nowhere.crt", key


def _only_cert(tmp_path, cert, key):
    return cert, ""


def _encrypted_key(tmp_path, cert, key):
    locked = tmp_path / "locked.key"
    subprocess.run(["openssl", "pkey", "-in", str(key), "-aes256", "-passout", "pass:secret", "-out", str(locked)], check=True, capture_output=True)
    locked.chmod(0o600)
    return cert, locked


@pytest.mark.parametrize(
    "spoil, key_name, words",
    [
        (_not_pem, "api.tls_cert_file", ["not a PEM certificate", "openssl req"]),
        (_key_readable_by_others, "api.tls_key_file", ["readable by others", "chmod 600"]),
        (_mismatch, "api.tls_key_file", ["does not belong to the certificate"]),
        (_missing_cert, "api.tls_cert_file", ["file not found"]),
        (_only_cert, "api.tls_key_file", ["set both or neither"]),
        (_encrypted_key, "api.tls_key_file", ["encrypted", "unencrypted"]),
    ],
)
def test_config_check_names_the_bad_tls_key_and_the_fix(tmp_path, spoil, key_name, words):
    cert, key = spoil(tmp_path, *make_pair(tmp_path, "kiosk"))
    result = config_check(write_config(tmp_path, cert, key))
    assert result.returncode != 0
    message = result.stderr + result.stdout
    assert key_name in message and "Traceback" not in message
    for word in words:
        assert word in message
