"""Shared fixtures: a kiosk configuration on a temporary data_dir, and the CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import need_faces, write_kiosk_config


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def config_file(tmp_path: Path, data_dir: Path) -> Path:
    """A minimal configuration: a few lines, everything else defaults."""
    return write_kiosk_config(tmp_path, data_dir)


@pytest.fixture
def kiosk(config_file: Path, monkeypatch: pytest.MonkeyPatch):
    """Run `kiosk ARGS...` in-process against the temporary configuration."""
    from kiosk.cli.main import cli

    monkeypatch.delenv("KIOSK_CONFIG", raising=False)

    def run(*args: str, config: Path | None = config_file, input: str | None = None):
        argv = (["--config", str(config)] if config else []) + list(args)
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)

    return run


@pytest.fixture
def store(config_file: Path):
    from kiosk.settings import load_settings
    from kiosk.store import Store

    settings = load_settings(config_file)
    with Store.open(settings.database_path, device_id=settings.device.id) as opened:
        yield opened


@pytest.fixture
def faces() -> Path:
    return need_faces()


@pytest.fixture(autouse=True)
def _no_kiosk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A technician's KIOSK_CONFIG must never leak into tests.
    if "KIOSK_CONFIG" in os.environ:
        monkeypatch.delenv("KIOSK_CONFIG")
