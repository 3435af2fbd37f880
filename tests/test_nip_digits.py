"""NIPs with digits that only look like 0-9 are refused everywhere a NIP comes in (issue 11, item 9)."""

from __future__ import annotations

import re

import pytest

from kiosk.nip import InvalidEmployeeNumber, normalise_nip
from kiosk.settings import load_settings
from kiosk.store import Store

NIP = "198001012006041001"
LOOKALIKES = [
    ("fullwidth", "19800101200604100\uff15", "U+FF15"),  # FULLWIDTH DIGIT FIVE
    ("arabic-indic", "19800101200604100\u0665", "U+0665"),  # ARABIC-INDIC DIGIT FIVE
    ("devanagari", "\u0967" + NIP[1:], "U+0967"),  # DEVANAGARI DIGIT ONE
    ("all fullwidth", "".join(chr(0xFF10 + int(d)) for d in NIP), "U+FF11"),
]


@pytest.mark.parametrize(("kind", "nip", "code"), LOOKALIKES, ids=[k for k, _, _ in LOOKALIKES])
def test_normalise_refuses_non_ascii_digits(kind: str, nip: str, code: str) -> None:
    assert nip[-1].isdigit()  # what made the old check accept it
    with pytest.raises(InvalidEmployeeNumber, match=re.escape(code)) as caught:
        normalise_nip(nip)
    assert "0-9" in str(caught.value)
    with pytest.raises(InvalidEmployeeNumber):
        normalise_nip(nip, r"\d{18}|\d{16}")  # a configured pattern with \d is ASCII-only too
    with pytest.raises(InvalidEmployeeNumber):
        normalise_nip(nip, r".+")


def test_ascii_forms_still_accepted() -> None:
    assert normalise_nip("19800101 200604 1 001") == NIP
    assert normalise_nip("19800101\u00a0200604\u00a01\u00a0001") == NIP  # no-break spaces from a PDF


def _db_nips(config_file) -> list[str]:
    settings = load_settings(config_file)
    with Store.open(settings.database_path) as store:
        return [e.nip for e in store.employees.list(active_only=False)]


@pytest.mark.parametrize(("kind", "nip", "code"), LOOKALIKES[:2], ids=["fullwidth", "arabic-indic"])
def test_cli_refuses_them_and_changes_nothing(kiosk, config_file, kind: str, nip: str, code: str) -> None:
    result = kiosk("employee", "add", nip, "--name", "Budi")
    assert result.exit_code == 1 and code in result.output and "0-9" in result.output
    assert _db_nips(config_file) == []
    assert kiosk("employee", "add", NIP, "--name", "Budi").exit_code == 0
    for args in (
        ("punch", "add", nip, "--time", "2026-11-23T07:41:00+07:00", "--reason", "lupa"),
        ("absence", "add", nip, "--date", "2026-11-23", "--code", "S", "--note", "sakit"),
        ("absence", "list", "--nip", nip),
        ("employee", "remove", nip),
    ):
        result = kiosk(*args)
        assert result.exit_code == 1, (args, result.output)
        assert code in result.output, (args, result.output)
    assert _db_nips(config_file) == [NIP]


def test_roster_entry_with_fullwidth_digits_is_a_problem_not_an_employee(tmp_path) -> None:
    from kiosk.domain import Employee
    from kiosk.photos import PhotoStore
    from sync.roster import RosterEntry, apply_roster

    with Store.open(tmp_path / "kiosk.db") as store:
        entries = [
            RosterEntry(Employee(LOOKALIKES[0][1], "Budi", pin=5), ()),
            RosterEntry(Employee(NIP, "Citra", pin=6), ()),
        ]
        result = apply_roster(store, PhotoStore(tmp_path), entries)
        assert result.added == 1
        assert len(result.problems) == 1 and "U+FF15" in result.problems[0]
        assert [e.nip for e in store.employees.list()] == [NIP]
