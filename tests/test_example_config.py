"""config/kiosk.example.toml documents every key of every section and passes `kiosk config check`."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from kiosk.settings import Settings, section_fields

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "config" / "kiosk.example.toml"


def section_text(name: str) -> str:
    text = EXAMPLE.read_text()
    match = re.search(rf"^#?\s*\[{re.escape(name)}\]\s*$(.*?)(?=^#?\s*\[[a-z_]+\]\s*$|\Z)", text, re.M | re.S)
    assert match, f"section [{name}] is missing from {EXAMPLE.name}"
    return match.group(1)


@pytest.mark.parametrize("section", [f.name for f in section_fields()])
def test_every_key_is_documented(section: str) -> None:
    text = section_text(section)
    section_type = next(f for f in dataclasses.fields(Settings) if f.name == section).default_factory
    keys = section_type.toml_keys() if hasattr(section_type, "toml_keys") else [f.name for f in dataclasses.fields(section_type)]
    for key in keys:
        documented = rf"^#?\s*({key}\s*=|\[\[?{section}\.{key}[\].])"
        assert re.search(documented, text, re.M), f"[{section}] {key} is not documented in the example"


def test_example_passes_config_check(kiosk, tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(EXAMPLE.read_text().replace('data_dir = "/var/lib/kiosk"', f'data_dir = "{tmp_path}/data"'))
    result = kiosk("config", "check", config=config)
    assert result.exit_code == 0, result.output
