"""Configuration: defaults, validation messages that name the key and the fix, file lookup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.settings import ConfigError, find_config_path, load_settings, settings_from_dict

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    return path


def test_minimal_file_gets_defaults(config_file: Path) -> None:
    settings = load_settings(config_file)
    assert settings.device.id == "TEST-01"
    assert settings.device.timezone == "Asia/Jakarta"
    assert settings.device.language == "id"
    assert settings.camera.source == "auto"
    assert settings.face.repeat_minutes == 5


def test_settings_are_frozen(config_file: Path) -> None:
    settings = load_settings(config_file)
    with pytest.raises(AttributeError):
        settings.face.tolerance = 0.9  # type: ignore[misc]


@pytest.mark.parametrize(
    ("toml", "key", "words"),
    [
        ("[face]\ntolerence = 0.5\n", "face.tolerence", ["did you mean 'tolerance'"]),
        ("[face]\ntolerance = \"0.5\"\n", "face.tolerance", ["must be a number"]),
        ("[face]\ntolerance = 1.5\n", "face.tolerance", ["at most 0.8"]),
        ("[device]\ntimezone = \"Asia/Jakart\"\n", "device.timezone", ["unknown time zone", "Asia/Jakarta"]),
        ("[device]\nlanguage = \"fr\"\n", "device.language", ["one of: id, en"]),
        ("[camera]\nfps = true\n", "camera.fps", ["must be a number"]),
        ("[devise]\nid = \"X\"\n", "devise", ["did you mean 'device'"]),
        ("[sync]\nurl = \"ftp://x\"\n", "sync.url", ["http:// or https://"]),
    ],
)
def test_errors_name_key_value_and_fix(tmp_path: Path, toml: str, key: str, words: list[str]) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message
    assert key in message
    for word in words:
        assert word in message


def test_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[device\nid = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path)


def test_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"kiosk\.example\.toml"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere, so no directory is unwritable")
def test_unwritable_data_dir(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ConfigError, match="not writable"):
        settings_from_dict({"device": {"data_dir": str(locked / "data")}})


def test_data_dir_on_read_only_filesystem(tmp_path: Path) -> None:
    # /proc refuses new files even to root, like a read-only or wrong mount in the field.
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"device": {"data_dir": "/proc/kiosk-data"}})
    assert "device.data_dir" in str(caught.value) and "not writable" in str(caught.value)


def test_data_dir_under_a_file_is_refused(tmp_path: Path) -> None:
    # Also works as root: a path below a regular file can never be created.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"device": {"data_dir": str(blocker / "data")}})
    assert "device.data_dir" in str(caught.value) and "not a directory" in str(caught.value)


def test_secret_file_checks(tmp_path: Path) -> None:
    token = tmp_path / "token"
    with pytest.raises(ConfigError, match="file not found"):
        settings_from_dict({"sync": {"url": "https://x.example", "token_file": str(token)}})
    token.write_text("secret")
    token.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        settings_from_dict({"sync": {"url": "https://x.example", "token_file": str(token)}})
    token.chmod(0o600)
    assert settings_from_dict({"sync": {"url": "https://x.example", "token_file": str(token)}}).sync.token_file == str(token)


def test_config_path_lookup_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    assert find_config_path(None) == Path("/etc/kiosk/kiosk.toml")
    monkeypatch.setenv("KIOSK_CONFIG", "/tmp/env.toml")
    assert find_config_path(None) == Path("/tmp/env.toml")
    assert find_config_path("/tmp/arg.toml") == Path("/tmp/arg.toml")


def test_example_config_is_valid(tmp_path: Path) -> None:
    text = (REPO / "config" / "kiosk.example.toml").read_text()
    # The example points at /var/lib/kiosk; check it as shipped, but with a data_dir we may write.
    path = write(tmp_path, text.replace('data_dir = "/var/lib/kiosk"', f'data_dir = "{tmp_path}/data"'))
    settings = load_settings(path)
    assert settings.device.timezone == "Asia/Jakarta"
