"""Hostile and careless configuration files (issue 11, items 1, 11 and 12).

Each case goes through `kiosk config check` (what the technician runs) and, for the values that
would fail open, through the loader the daemon uses (`kiosk run` refuses to start).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.settings import ConfigError, load_settings

NIP = "198001012006041001"


def config(tmp_path: Path, body: str, data_dir: Path | None = None) -> Path:
    data = data_dir or tmp_path / "data"
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[device]\ndata_dir = "{data}"\n{body}', encoding="utf-8")
    return path


def token(tmp_path: Path, text: str, name: str = "api.token") -> Path:
    path = tmp_path / name
    path.write_text(text)
    path.chmod(0o600)
    return path


# --- item 1: nan and infinities never reach a threshold ------------------------------------------------

NON_FINITE = [
    ("face", "tolerance", "nan"),
    ("face", "margin", "nan"),
    ("face", "tolerance", "inf"),
    ("face", "margin", "+inf"),
    ("face", "liveness_threshold", "nan"),
    ("camera", "fps", "-inf"),
    ("sync", "read_timeout", "nan"),
    ("zk_server", "idle_timeout", "inf"),
]


@pytest.mark.parametrize(("section", "key", "value"), NON_FINITE)
def test_config_check_refuses_non_finite_floats(kiosk, tmp_path: Path, section: str, key: str, value: str) -> None:
    path = config(tmp_path, f"[{section}]\n{key} = {value}\n")
    result = kiosk("config", "check", config=path)
    assert result.exit_code == 1, result.output
    assert f"{section}.{key}" in result.output
    assert "finite number" in result.output and "nan and inf are not allowed" in result.output


@pytest.mark.parametrize(("section", "key", "value"), NON_FINITE[:4])
def test_loader_and_daemon_refuse_non_finite_floats(kiosk, tmp_path: Path, section: str, key: str, value: str) -> None:
    path = config(tmp_path, f"[{section}]\n{key} = {value}\n")
    with pytest.raises(ConfigError, match=rf"{section}\.{key}.*finite number"):
        load_settings(path)
    result = kiosk("run", "--exit-at-end", config=path)  # the daemon loads the same way, and stops here
    assert result.exit_code == 1 and f"{section}.{key}" in result.output


def test_every_float_setting_is_checked_for_nan(tmp_path: Path) -> None:
    """Generic: no float key of any section lets nan through (a new key is covered without a new test)."""
    import dataclasses
    import typing

    from kiosk.settings import Settings, section_fields

    checked = 0
    for section in section_fields():
        cls = next(f for f in dataclasses.fields(Settings) if f.name == section.name).default_factory
        if hasattr(cls, "toml_keys"):
            continue  # [schedule] has no float keys
        for name, hint in typing.get_type_hints(cls).items():
            if hint is float:
                with pytest.raises(ConfigError, match="finite number"):
                    load_settings(config(tmp_path, f"[{section.name}]\n{name} = nan\n"))
                checked += 1
    assert checked >= 20


# --- item 11: files the loader cannot read ---------------------------------------------------------------


def test_config_on_a_directory(kiosk, tmp_path: Path) -> None:
    result = kiosk("config", "check", config=tmp_path)
    assert result.exit_code == 1
    assert "is a directory" in result.output and "Traceback" not in result.output


def test_latin1_config_names_encoding_offset_and_fix(kiosk, tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    text = f'[device]\ndata_dir = "{tmp_path}/data"\n# Kantor Dinas Pendidikan, ruang caf\xe9\n'
    path.write_bytes(text.encode("latin-1"))
    offset = text.index("\xe9")
    result = kiosk("config", "check", config=path)
    assert result.exit_code == 1
    assert "not UTF-8" in result.output
    assert f"offset {offset}" in result.output and "line 3" in result.output
    assert "Save the file as UTF-8" in result.output


def test_utf8_bom_is_accepted(kiosk, tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"\xef\xbb\xbf" + f'[device]\nid = "BOM-01"\ndata_dir = "{tmp_path}/data"\n'.encode())
    result = kiosk("config", "check", config=path)
    assert result.exit_code == 0, result.output
    assert 'id = "BOM-01"' in result.output


def test_holidays_file_in_latin1_is_named(kiosk, tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_bytes('[[holiday]]\ndate = 2026-12-24\nname = "Cuti bersama No\xebl"\n'.encode("latin-1"))
    result = kiosk("config", "check", config=config(tmp_path, f'[schedule]\nholidays_file = "{holidays}"\n'))
    assert result.exit_code == 1
    assert "schedule.holidays_file" in result.output and "not UTF-8" in result.output


def test_a_missing_holidays_file_is_named_by_the_load_step_not_by_parsing(kiosk, tmp_path: Path) -> None:
    """Parsing the configuration reads no file (issue 14); `config check`, `doctor` and `run` read the
    holiday file in their own step and name it, the key and the fix."""
    missing = tmp_path / "holidays.toml"
    camera = tmp_path / "clip.mp4"  # a file source (not opened before the recorder is built): no camera needed
    path = config(tmp_path, f'[camera]\nsource = "{camera}"\n[schedule]\nholidays_file = "{missing}"\n')
    assert load_settings(path).schedule.holidays_file == str(missing)  # parsing succeeds
    assert kiosk("employee", "list", config=path).exit_code == 0  # a command without a calendar works too

    check = kiosk("config", "check", config=path)
    assert check.exit_code == 1
    assert f"{path}: schedule.holidays_file = '{missing}': file not found" in check.output
    assert "create it ([[holiday]] entries, see docs/rules.md) or fix [schedule] holidays_file" in check.output
    doctor = {c["check"]: c for c in json.loads(kiosk("doctor", "--json", config=path).output)}
    assert doctor["config"]["status"] == "fail" and f"'{missing}': file not found" in doctor["config"]["detail"]
    run = kiosk("run", "--exit-at-end", config=path)  # the daemon refuses to start, naming the file
    assert run.exit_code == 1 and f"schedule.holidays_file = '{missing}': file not found" in run.output

    missing.write_text('[[holiday]]\ndate = 2026-11-23\nname = "Hari jadi Kabupaten"\n')
    assert kiosk("config", "check", config=path).exit_code == 0


# --- item 12: config check fails or warns ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        ("[api]\nenabled = true\n", "api.token_file", ["no token file", "install -m 600"]),
        ('[api]\naddress = "not an address"\n', "api.address", ["IPv4 address", "0.0.0.0"]),
        ('[zk_server]\naddress = "not an address"\n', "zk_server.address", ["IPv4 address"]),
        ('[api]\naddress = "kiosk.local"\n', "api.address", ["host names are not accepted"]),
        ('[zk_server]\naddress = ""\n', "zk_server.address", ["must not be empty"]),
        ('[api]\naddress = "::"\n', "api.address", ["IPv4 only"]),
        ('[api]\naddress = "300.1.2.3"\n', "api.address", ["IPv4 address"]),
    ],
)
def test_config_check_fails(kiosk, tmp_path: Path, body: str, key: str, words: list[str]) -> None:
    result = kiosk("config", "check", config=config(tmp_path, body))
    assert result.exit_code == 1, result.output
    assert key in result.output
    for word in words:
        assert word in result.output


def test_empty_token_file_fails(kiosk, tmp_path: Path) -> None:
    empty = token(tmp_path, "\n  \n")
    result = kiosk("config", "check", config=config(tmp_path, f'[api]\nenabled = true\ntoken_file = "{empty}"\n'))
    assert result.exit_code == 1
    assert "api.token_file" in result.output and "is empty" in result.output


def test_enabled_api_with_a_token_passes(kiosk, tmp_path: Path) -> None:
    good = token(tmp_path, "s3cret-token\n")
    body = f'[api]\nenabled = true\naddress = "0.0.0.0"\ntoken_file = "{good}"\n'
    assert kiosk("config", "check", config=config(tmp_path, body)).exit_code == 0


@pytest.mark.parametrize("data_dir", ["", "data", "./var/kiosk"])
def test_empty_or_relative_data_dir_fails(kiosk, tmp_path: Path, data_dir: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[device]\ndata_dir = "{data_dir}"\n')
    result = kiosk("config", "check", config=path)
    assert result.exit_code == 1
    assert "device.data_dir" in result.output
    assert ("must not be empty" if not data_dir else "absolute path") in result.output


def test_missing_camera_file_warns(kiosk, tmp_path: Path) -> None:
    path = config(tmp_path, f'[camera]\nsource = "{tmp_path}/recording.mp4"\n')
    result = kiosk("config", "check", config=path)
    assert result.exit_code == 0
    assert "WARNING" in result.output and "camera.source" in result.output and "no such file" in result.output
    data = json.loads(kiosk("config", "check", "--json", config=path).stdout)
    assert any("camera.source" in w for w in data["warnings"])
    checks = {c["check"]: c for c in json.loads(kiosk("doctor", "--json", config=path).stdout)}
    assert checks["config"]["status"] == "warn" and "no such file" in checks["config"]["detail"]


def test_short_custom_schedule_warns(kiosk, tmp_path: Path) -> None:
    body = '[schedule.custom.pendek]\nmon-fri = "08:00-14:00"\n'  # 30 h a week
    result = kiosk("config", "check", config=config(tmp_path, body))
    assert result.exit_code == 0
    assert (
        "WARNING" in result.output and "schedule.custom.pendek" in result.output and "30 working hours" in result.output
    )
    assert "42.5" in result.output


def test_regulation_schedules_and_a_full_rotation_do_not_warn(kiosk, tmp_path: Path) -> None:
    # 4 shifts of 10 h in a 4-day cycle = 70 h a week on average.
    body = (
        '[schedule.custom.igd]\nrotation = ["07:00-17:00", "17:00-03:00", "off", "07:00-17:00"]\nanchor = 2026-01-05\n'
    )
    result = kiosk("config", "check", config=config(tmp_path, body))
    assert result.exit_code == 0 and "WARNING" not in result.output, result.output


def test_weekly_hours_of_presets_and_night_shifts() -> None:
    from datetime import date

    from kiosk.rules.presets import PRESETS
    from kiosk.rules.schedule import Hours, Rotation, Schedule
    from kiosk.settings.advice import weekly_hours

    assert weekly_hours(PRESETS["5-hari"]) == 43.0
    assert weekly_hours(PRESETS["6-hari"]) == 37.5  # as Pasal 2(6) writes it; presets are not warned about
    night = Schedule("malam", rotation=Rotation(date(2026, 1, 5), (Hours.parse("21:00-07:00"), None)))
    assert weekly_hours(night) == 35.0
