"""Issue 11 item 13: a hurried technician's typing is refused with the fix, and nothing is recorded.

Everything runs through the real `kiosk` CLI against a real SQLite file in tmp_path.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.domain import Employee

NIP = "198001012006041001"
OTHER = "198001012006041002"
WIB = timezone(timedelta(hours=7))


def refused(result, *phrases: str) -> str:
    assert result.exit_code == 1, result.output
    for phrase in phrases:
        assert phrase in result.output, result.output
    return result.output


@pytest.fixture
def budi(kiosk):
    assert kiosk("employee", "add", NIP, "--name", "Budi Santoso").exit_code == 0
    return kiosk


# --- schedules ----------------------------------------------------------------------------------


def test_unknown_schedule_is_refused_naming_the_known_ones(kiosk, store):
    refused(
        kiosk("employee", "add", NIP, "--name", "Budi", "--schedule", "7-hari"),
        "'7-hari'",
        "5-hari",
        "6-hari",
        "[schedule.custom]",
    )
    assert store.employees.get(NIP) is None
    assert kiosk("employee", "add", NIP, "--name", "Budi", "--schedule", "6-hari").exit_code == 0
    assert store.employees.get(NIP).schedule == "6-hari"


def test_report_meeting_an_unknown_schedule_names_the_employee(kiosk, store):
    # Older data, or a [schedule.custom] entry since removed from the config.
    store.employees.add(Employee(NIP, "Budi Santoso", schedule="7-hari"))
    output = refused(kiosk("report", "rekap", "--month", "2026-11"), NIP, "Budi Santoso", "'7-hari'", "5-hari")
    assert "Traceback" not in output


# --- manual punches -----------------------------------------------------------------------------


def test_manual_punch_in_the_future_is_refused(budi, store):
    tomorrow = (datetime.now(WIB) + timedelta(days=1)).isoformat(timespec="seconds")
    refused(budi("punch", "add", NIP, "--time", tomorrow, "--reason", "lupa absen"), "in the future", "check the date")
    assert store.punches.count() == 0
    # A minute ahead is a slow hand or a clock a little apart, not a mistake.
    soon = (datetime.now(WIB) + timedelta(minutes=1)).isoformat(timespec="seconds")
    assert budi("punch", "add", NIP, "--time", soon, "--reason", "lupa absen").exit_code == 0


def test_exact_duplicate_manual_punch_is_refused(budi, store):
    at = "2026-11-23T07:41:00+07:00"
    assert budi("punch", "add", NIP, "--time", at, "--reason", "lupa absen").exit_code == 0
    refused(
        budi("punch", "add", NIP, "--time", at, "--reason", "lupa absen"),
        "#1",
        "already recorded",
        "2026-11-23 07:41:00",
    )
    # The same instant written in UTC is the same punch.
    refused(budi("punch", "add", NIP, "--time", "2026-11-23T00:41:00Z", "--reason", "lagi"), "already recorded")
    assert store.punches.count() == 1
    # Another second, or another employee at the same instant, are different punches.
    assert budi("punch", "add", NIP, "--time", "2026-11-23T16:30:00+07:00", "--reason", "pulang").exit_code == 0
    assert budi("employee", "add", OTHER, "--name", "Siti").exit_code == 0
    assert budi("punch", "add", OTHER, "--time", at, "--reason", "lupa absen").exit_code == 0
    assert store.punches.count() == 3


# --- absences -----------------------------------------------------------------------------------


def test_sakit_and_izin_on_the_same_day_are_refused(budi, store):
    result = budi("absence", "add", NIP, "--date", "2026-11-23", "--code", "S", "--note", "surat dokter", "--json")
    assert result.exit_code == 0, result.output
    output = refused(
        budi("absence", "add", NIP, "--date", "2026-11-23", "--code", "I", "--note", "izin"),
        "already has absence 1",
        "S 2026-11-23..2026-11-23",
        "kiosk absence remove 1",
    )
    assert "one absence code" in output
    # A range that overlaps the day by one end is refused too; nothing was added.
    refused(
        budi("absence", "add", NIP, "--date", "2026-11-20", "--to", "2026-11-23", "--code", "C", "--note", "cuti"),
        "absence 1",
    )
    assert [a.code for a in store.absences.list(nip=NIP)] == ["S"]
    # The next day, and another employee on the same day, are fine.
    assert budi("absence", "add", NIP, "--date", "2026-11-24", "--code", "I", "--note", "izin").exit_code == 0
    assert budi("employee", "add", OTHER, "--name", "Siti").exit_code == 0
    assert budi("absence", "add", OTHER, "--date", "2026-11-23", "--code", "I", "--note", "izin").exit_code == 0
    # The fix the message gives works.
    assert budi("absence", "remove", "1").exit_code == 0
    assert budi("absence", "add", NIP, "--date", "2026-11-23", "--code", "I", "--note", "izin").exit_code == 0


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, why",
    [
        ("Budi\x1b[2J\x1b[31mSantoso", "U+001B"),  # ANSI: clear the screen, red text
        ("Budi\x9b31mSantoso", "U+009B"),  # the 8-bit CSI
        ("Budi\tSantoso", "U+0009"),
        ("Budi\nSantoso", "U+000A"),
        ("Budi \u202eosotnaS", "U+202E"),  # right-to-left override
    ],
)
def test_bad_names_are_refused(kiosk, store, name, why):
    refused(kiosk("employee", "add", NIP, "--name", name), "--name", why)
    assert store.employees.count() == 0


def test_names_are_at_most_100_characters(kiosk, store):
    refused(kiosk("employee", "add", NIP, "--name", "Ā" * 101), "--name", "101 characters", "at most 100")
    assert store.employees.count() == 0
    assert kiosk("employee", "add", NIP, "--name", "Ā" * 100).exit_code == 0
    assert store.employees.get(NIP).name == "Ā" * 100


def test_unit_with_escapes_is_refused(kiosk):
    refused(kiosk("employee", "add", NIP, "--name", "Budi", "--unit", "Setda\x1b]0;pwned\x07"), "--unit", "U+001B")


def test_output_never_carries_control_characters_from_older_data(kiosk, store):
    store.employees.add(Employee(NIP, "Evil\x1b[2J\x1b]0;title\x07\x9bName", unit="Setda\x1b[5m"))
    store.employees.add(Employee(OTHER, "X" * 10_000_000))  # a 10 MB name stored before the limit
    listing = kiosk("employee", "list")
    assert listing.exit_code == 0
    assert not any(ch in listing.output for ch in "\x1b\x07\x9b"), repr(listing.output[:300])
    assert "Evil?[2J?]0;title??Name" in listing.output
    assert len(listing.output) < 2_000, "a huge stored name must not flood the terminal"
    removal = kiosk("employee", "remove", NIP)
    assert removal.exit_code == 0 and "\x1b" not in removal.output


def test_reports_carry_no_control_characters_from_older_data(kiosk, store, tmp_path):
    from openpyxl import load_workbook

    store.employees.add(Employee(NIP, "Evil\x1b[2J\x07Name"))
    csv_out = kiosk("report", "rekap", "--month", "2026-11")
    assert csv_out.exit_code == 0, csv_out.output
    assert "Evil?[2J?Name" in csv_out.output and "\x1b" not in csv_out.output
    sheet = tmp_path / "rekap.xlsx"  # openpyxl refuses control characters in a cell
    xlsx = kiosk("report", "rekap", "--month", "2026-11", "--format", "xlsx", "--output", str(sheet))
    assert xlsx.exit_code == 0, xlsx.output
    cells = [str(c) for row in load_workbook(sheet).active.iter_rows(values_only=True) for c in row if c]
    assert any("Evil?[2J?Name" in cell for cell in cells)


# --- a removed NIP added again ------------------------------------------------------------------


def test_removed_nip_is_not_silently_given_to_someone_new(budi, store):
    assert budi("punch", "add", NIP, "--time", "2026-11-23T07:41:00+07:00", "--reason", "lupa absen").exit_code == 0
    assert budi("absence", "add", NIP, "--date", "2026-11-24", "--code", "S", "--note", "sakit").exit_code == 0
    assert budi("employee", "remove", NIP).exit_code == 0

    refused(
        budi("employee", "add", NIP, "--name", "Orang Lain"),
        "was removed on",
        "1 punches and 1 absences",
        "would inherit",
        "check the number",
        "--reuse-removed",
    )
    assert store.employees.get(NIP) is None

    back = budi("employee", "add", NIP, "--name", "Budi Santoso", "--reuse-removed")
    assert back.exit_code == 0, back.output
    assert "Warning" in back.output and "1 punches and 1 absences" in back.output
    assert store.audit.entries(nip=NIP)[0].detail["reused_removed"] is True


def test_a_nip_never_used_needs_no_flag(kiosk):
    result = kiosk("employee", "add", NIP, "--name", "Budi", "--reuse-removed")
    assert result.exit_code == 0 and "Warning" not in result.output
