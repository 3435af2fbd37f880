"""Names on wires whose clients read ASCII: transliterated, readable, documented in docs/zk-server.md."""

from __future__ import annotations

import pytest

from kiosk.domain import Employee
from sync.ascii_names import ascii_name

from zk_helpers import open_store, pyzk, running_server


@pytest.mark.parametrize(
    "name, shown",
    [
        ("Renée Müller", "Renee Muller"),
        ("Budi Santoso, S.Kom., M.Si.", "Budi Santoso, S.Kom., M.Si."),
        ("Łukasz Żółć", "Lukasz Zolc"),
        ("Straße Øre Æsir Œuvre", "Strasse Ore AEsir OEuvre"),
        ("Nguyễn Đức Thọ", "Nguyen Duc Tho"),
        ("O\u2019Brien\u2013Smith", "O'Brien-Smith"),  # typographic apostrophe and en dash
        ("\uff21\uff48\uff4d\uff41\uff44", "Ahmad"),  # full-width letters (NFKD)
        ("Siti\u200b\tAminah", "SitiAminah"),  # format and control characters dropped
        ("李小龍", "???"),  # no Latin spelling: a visible mark per letter, never mojibake
        ("", ""),
    ],
)
def test_ascii_name(name, shown):
    assert ascii_name(name) == shown
    assert ascii_name(name).isascii()


def test_a_client_decoding_ascii_reads_the_name(tmp_path):
    """pyzk told to decode names as ASCII (as the PHP and Node clients do) reads 'Renee Muller'."""
    store = open_store(tmp_path / "kiosk.db", (Employee("199001012020122001", "Renée Müller", pin=7),))
    with running_server(store) as server:
        conn = pyzk(server.port)
        conn.encoding = "ascii"
        conn = conn.connect()
        users = conn.get_users()
        conn.disconnect()
    assert [(u.user_id, u.name) for u in users] == [("7", "Renee Muller")]
    assert store.employees.get("199001012020122001").name == "Renée Müller"  # the store keeps it as written
    store.close()
