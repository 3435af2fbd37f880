"""The console's pages do what the CLI does, through the same code: employees, face enrollment with
the same refusals as `kiosk enroll`, manual punches marked manual, absences corrected, the recap CSV
byte-identical to `kiosk report rekap`, and English by setting. Real server, real store, HTTP client."""

from __future__ import annotations

import html
import re
from datetime import datetime

import cv2
import numpy as np
import pytest
import requests
from click.testing import CliRunner

from kiosk.cli.main import cli
from kiosk.domain import Method, NewPunch

from console_helpers import NIP, OPERATOR, TECHNICIAN, start_console, write_console_config
from faces import OBAMA, PEOPLE, enrolled_copy
from helpers import FACES

NEW_NIP = "199001012020121001"


def flashes(page: str) -> list[str]:
    return [html.unescape(re.sub(r"\s+", " ", m).strip()) for m in re.findall(r'<p class="flash (?:ok|error)" role="status">(.*?)</p>', page, re.DOTALL)]


def post(running, http, path: str, page: str, data: dict, files=None) -> requests.Response:
    return http.post(running.url + path, data={**data, "csrf_token": running.csrf(http, page)}, files=files)


def audit(store, action: str):
    return [e for e in store.audit.entries(limit=1000) if e.action == action]


def test_technician_adds_changes_deactivates_and_erases_an_employee(console_server):
    running, store = console_server, console_server.store
    tech = running.login(TECHNICIAN)
    reply = post(running, tech, "/employees", "/employees", {"nip": "1990 0101 2020 12 1 001", "name": "Siti Aminah", "unit": "Dinas Kesehatan", "schedule": "", "pin": "0", "since": "2026-07-01"})
    assert "Pegawai 199001012020121001 Siti Aminah ditambahkan" in " ".join(flashes(reply.text))
    added = store.employees.get(NEW_NIP)
    assert (added.name, added.unit, added.active) == ("Siti Aminah", "Dinas Kesehatan", True)
    bad = post(running, tech, "/employees", "/employees", {"nip": "12345", "name": "X"})
    assert "has 5 digits; a PNS/CPNS NIP has 18" in " ".join(flashes(bad.text))
    unknown = post(running, tech, "/employees", "/employees", {"nip": "199001012020121002", "name": "Y", "schedule": "7-hari-nonstop"})
    assert "no schedule named '7-hari-nonstop'" in " ".join(flashes(unknown.text))
    assert store.employees.get("199001012020121002") is None

    schedule = running.settings.schedule.schedules[-1].name
    post(running, tech, f"/employees/{NEW_NIP}", "/employees", {"unit": "Dinas Kominfo", "schedule": schedule})  # "active" unticked
    changed = store.employees.get(NEW_NIP)
    assert (changed.unit, changed.schedule, changed.active) == ("Dinas Kominfo", schedule, False)
    (entry,) = audit(store, "employee.change")
    assert entry.os_user == f"console:{TECHNICIAN}" and entry.detail["active"] == [True, False]

    refused = post(running, tech, f"/employees/{NEW_NIP}/remove", "/employees", {"confirm": "wrong"})
    assert "Ketik NIP pegawai" in " ".join(flashes(refused.text)) and store.employees.get(NEW_NIP) is not None
    photos = running.data_dir / "photos" / "2026" / "11" / "02"
    photos.mkdir(parents=True)
    (photos / f"{NEW_NIP}-073000-abcd.jpg").write_bytes(b"\xff\xd8\xff")
    erased = post(running, tech, f"/employees/{NEW_NIP}/remove", "/employees", {"confirm": NEW_NIP})
    assert "0 templat wajah dan 1 foto dimusnahkan" in " ".join(flashes(erased.text))
    assert store.employees.get(NEW_NIP) is None and not list(photos.iterdir())
    assert audit(store, "employee.add")[0].os_user == f"console:{TECHNICIAN}"
    assert audit(store, "employee.remove")[0].os_user == f"console:{TECHNICIAN}"


def test_face_enrollment_by_upload_uses_the_cli_refusals(tmp_path, enrolled_template):
    data_dir = enrolled_copy(enrolled_template, tmp_path)
    config = write_console_config(tmp_path, data_dir)
    server, running = start_console(config)
    try:
        from kiosk.staff import add_employee

        add_employee(running.store, NEW_NIP, "Pegawai Baru")
        tech = running.login(TECHNICIAN)

        def upload(*names: str, nip: str = NEW_NIP) -> str:
            files = [("photos", (name, made.get(name) or (FACES / name).read_bytes(), "image/jpeg")) for name in names]
            return " ".join(flashes(post(running, tech, f"/employees/{nip}/enroll", "/employees", {}, files).text))

        wall_path = tmp_path / "wall.png"
        cv2.imwrite(str(wall_path), np.full((400, 400, 3), 128, np.uint8))
        made = {"wall.png": wall_path.read_bytes(), "notes.jpg": b"this is not a photo"}
        cases = [("obama.jpg",), ("two_people.jpg",), ("obama-240p.jpg",), ("wall.png",)]
        for names in cases:
            shown = upload(*names)
            cli_run = CliRunner().invoke(
                cli, ["--config", str(config), "enroll", NEW_NIP, "--photo", str(FACES / names[0]) if names[0] != "wall.png" else str(wall_path)]
            )
            assert cli_run.exit_code == 1
            reason = cli_run.output.replace("Error: ", "").strip().replace(str(FACES) + "/", "").replace(str(tmp_path) + "/", "")
            assert shown == f"Pendaftaran wajah ditolak: {reason}", (shown, reason)
        assert running.store.templates.for_employee(NEW_NIP) == []
        assert "already matches 198001012006041001 (Barack Obama)" in upload("obama.jpg")
        assert "no face found" in upload("wall.png")
        notes = upload("notes.jpg")  # not a photo at all: refused before the face models see it
        assert "bukan JPEG/PNG" in notes

        # The same photo again adds nothing (as `kiosk enroll` skips it); another photo of him does.
        assert "terdaftar: 0 templat" in upload("obama.jpg", nip="198001012006041001")
        ok = upload("obama2.jpg", nip="198001012006041001")
        assert "terdaftar: 1 templat" in ok
        assert len(running.store.templates.for_employee("198001012006041001")) == 2
        entry = audit(running.store, "face.enroll")[0]
        assert entry.os_user == f"console:{TECHNICIAN}" and entry.nip == "198001012006041001"
    finally:
        server.stop()
        running.store.close()


def test_a_manual_punch_is_marked_manual_everywhere(console_server):
    running = console_server
    operator = running.login(OPERATOR)
    today = running.settings and datetime.now(running.settings.tz)
    stamp = today.replace(hour=7, minute=20, second=0, microsecond=0)
    if stamp > today:
        stamp = today.replace(second=0, microsecond=0)
    reply = post(running, operator, "/punches/manual", "/punches", {"nip": NIP, "time": stamp.strftime("%Y-%m-%dT%H:%M"), "reason": "mesin absensi rusak"})
    assert "Absen manual #1" in " ".join(flashes(reply.text))
    row = re.search(r'<tr data-seq="1" class="manual">(.*?)</tr>', reply.text, re.DOTALL).group(1)
    assert 'class="tag manual">MANUAL<' in row and "mesin absensi rusak" in row
    today_page = operator.get(running.url + "/today").text
    assert f'data-nip="{NIP}"' in today_page and "method-manual" in today_page and "MANUAL" in today_page
    (punch,) = running.store.punches.page()
    assert punch.method is Method.MANUAL and punch.note == "mesin absensi rusak"
    future = post(running, operator, "/punches/manual", "/punches", {"nip": NIP, "time": "2099-01-01T07:00", "reason": "x"})
    assert "tidak boleh di masa depan" in " ".join(flashes(future.text))
    no_reason = post(running, operator, "/punches/manual", "/punches", {"nip": NIP, "time": "2026-11-02T07:00", "reason": " "})
    assert "needs --reason" in " ".join(flashes(no_reason.text)) or "reason" in " ".join(flashes(no_reason.text))
    assert running.store.punches.count() == 1


def test_an_absence_is_corrected_and_the_old_values_are_audited(console_server):
    running, store = console_server, console_server.store
    operator = running.login(OPERATOR)
    form = {"nip": NIP, "code": "I", "date_from": "2026-11-02", "date_to": "2026-11-02", "note": "izin", "late_reason": "terlambat"}
    post(running, operator, "/absences", "/absences", form)
    (absence,) = store.absences.list()
    edit_page = operator.get(running.url + f"/absences/{absence.id}/edit").text
    assert f"Koreksi ketidakhadiran #{absence.id}" in edit_page
    post(running, operator, f"/absences/{absence.id}", f"/absences/{absence.id}/edit", {**form, "code": "S", "date_to": "2026-11-04"})
    (corrected,) = store.absences.list()
    assert (corrected.id, corrected.code, corrected.date_to) == (absence.id, "S", "2026-11-04")
    (entry,) = audit(store, "absence.correct")
    assert entry.detail["before"]["code"] == "I" and entry.os_user == f"console:{OPERATOR}"
    reversed_range = post(running, operator, "/absences", "/absences", {**form, "date_from": "2026-11-05", "date_to": "2026-11-01"})
    assert reversed_range.status_code == 400 and len(store.absences.list()) == 1
    post(running, operator, f"/absences/{absence.id}/remove", "/absences", {})
    assert store.absences.list() == [] and audit(store, "absence.remove")[0].os_user == f"console:{OPERATOR}"


def test_the_recap_csv_is_the_one_kiosk_report_rekap_writes(console_server, tmp_path):
    running, store = console_server, console_server.store
    store.punches.record_many(
        NewPunch(NIP, datetime.fromisoformat(f"2026-11-{d:02d}T{t}:00+07:00"), Method.FACE)
        for d in range(2, 20) for t in ("07:41", "16:02")
    )  # fmt: skip
    store.absences.add(NIP, "2026-11-20", "2026-11-21", "DK", "diklat")
    http = running.login(OPERATOR)
    from_console = http.get(running.url + "/recap/2026-11.csv")
    assert from_console.headers["Content-Disposition"] == "attachment; filename=rekap-2026-11.csv"
    config = running.settings.source
    from_cli = CliRunner().invoke(cli, ["--config", config, "report", "rekap", "--month", "2026-11"])
    assert from_cli.exit_code == 0
    assert from_console.content.decode() == from_cli.stdout
    page = http.get(running.url + "/recap?month=2026-11").text
    assert "REKAP KEHADIRAN PEGAWAI" in page and "Lin-Manuel Miranda / 198001012006041004" in page
    assert re.search(r"Pelanggaran jam kerja 2026", page)
    assert http.get(running.url + "/recap/2026-13.xlsx").status_code == 404


def test_english_by_setting(tmp_path):
    server, running = start_console(write_console_config(tmp_path, tmp_path / "data", 'language = "en"\n'))
    try:
        assert "Log in" in requests.get(running.url + "/login").text
        page = running.login(OPERATOR).get(running.url + "/today").text
        assert "Attendance today" in page and "Still missing (1)" in page
    finally:
        server.stop()
        running.store.close()


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_message_exists_in_both_languages(language):
    from kiosk.console.text import TEXT

    assert set(TEXT[language]) == set(TEXT["id"]) == set(TEXT["en"])
    templates = (__import__("pathlib").Path(__file__).parent.parent / "kiosk" / "console" / "templates").glob("*.html")
    used = {key for path in templates for key in re.findall(r"\bt\('([a-z_]+)'\s*[,)]", path.read_text())}
    assert len(used) > 50 and used - set(TEXT[language]) == set()
    assert PEOPLE and OBAMA  # the faces module is imported for its fixtures


def test_today_shows_lateness_the_missed_apel_and_who_is_missing(tmp_path):
    """Monday 2 November 2026 at 09:00, apel at 07:30 (Musi Rawas Pasal 2(8)): Lin came 07:52."""
    from zoneinfo import ZoneInfo

    from kiosk.staff import add_employee

    zone = ZoneInfo("Asia/Jakarta")
    config = write_console_config(tmp_path, tmp_path / "data")
    config.write_text(config.read_text() + '\n[schedule]\napel_time = "07:30"\n')
    server, running = start_console(config, now=lambda: datetime(2026, 11, 2, 9, 0, tzinfo=zone))
    try:
        add_employee(running.store, OBAMA, "Barack Obama")
        add_employee(running.store, "198001012006041002", "Joe Biden")
        running.store.punches.record_many(
            [
                NewPunch(NIP, datetime(2026, 11, 2, 7, 52, tzinfo=zone), Method.FACE, clock_synced=False),
                NewPunch(OBAMA, datetime(2026, 11, 2, 7, 21, tzinfo=zone), Method.FINGERPRINT),
            ]
        )
        page = running.login(OPERATOR).get(running.url + "/today/rows").text
        rows = {nip: re.sub(r"\s+", " ", html.unescape(body)) for nip, body in re.findall(r'<tr data-nip="(\d+)"[^>]*>(.*?)</tr>', page, re.S)}
        assert "07:52" in rows[NIP] and "terlambat 7 menit" in rows[NIP] and "tidak ikut apel" in rows[NIP]
        assert "wajah" in rows[NIP] and "JAM TIDAK SINKRON" in rows[NIP]
        assert "07:21" in rows[OBAMA] and "tepat waktu" in rows[OBAMA] and "ikut apel" in rows[OBAMA]
        assert "tidak ikut apel" not in rows[OBAMA] and "sidik jari" in rows[OBAMA]
        assert "Belum hadir (1)" in page and re.search(r'<ul id="missing-list"><li>Joe Biden</li></ul>', page)
    finally:
        server.stop()
        running.store.close()
