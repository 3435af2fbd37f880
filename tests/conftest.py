"""Shared fixtures: a kiosk configuration on a temporary data_dir, and the CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import need_faces, write_kiosk_config

# The fixtures shared by several test files (faces.py: models, enrolled_template; console_helpers.py:
# console_server) are registered for the whole suite here, pytest's way to share fixtures across modules.
# A test then just names the fixture as a parameter; importing it by name into the test module instead
# would shadow the import with the parameter (ruff F811, which must stay on to catch duplicate tests).
pytest_plugins = ["faces", "console_helpers"]


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
