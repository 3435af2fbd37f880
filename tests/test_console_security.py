"""Must-show 2 of issue 13: the console's security, checked with a plain HTTP client against the
real server (waitress on 127.0.0.1, the real SQLite store)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from http.cookies import SimpleCookie

import pytest
import requests
import urllib3

from kiosk.domain import Method, NewPunch

from console_helpers import NIP, OPERATOR, PASSWORD, TECHNICIAN, VIEWER, start_console, write_console_config

PROTECTED = [
    "/today", "/today/rows", "/punches", "/absences", "/recap", "/recap/2026-11.csv", "/recap/2026-11.xlsx",
    "/punches/1/photo", "/absences/1/evidence", "/employees", "/device", "/config",
]  # fmt: skip
TECHNICIAN_PAGES = ["/employees", "/device", "/config"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _audit(store, action: str) -> list:
    return [e for e in store.audit.entries(limit=1000) if e.action == action]


@pytest.mark.parametrize("path", PROTECTED)
def test_without_a_session_every_page_leads_to_the_login_page(console_server, path):
    reply = requests.get(console_server.url + path, allow_redirects=False)
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("/login")
    followed = requests.get(console_server.url + path)
    assert 'name="password"' in followed.text and "Masuk" in followed.text  # Bahasa Indonesia by default


def test_an_operator_gets_403_on_technician_pages_and_actions(console_server):
    operator = console_server.login(OPERATOR)
    for path in TECHNICIAN_PAGES:
        reply = operator.get(console_server.url + path)
        assert reply.status_code == 403, path
        assert "Peran akun Anda tidak mengizinkan" in reply.text
    token = console_server.csrf(operator, "/today")
    reply = operator.post(console_server.url + "/employees", data={"csrf_token": token, "nip": "198001012006041009", "name": "X"})
    assert reply.status_code == 403
    assert console_server.store.employees.get("198001012006041009") is None
    technician = console_server.login(TECHNICIAN)
    for path in TECHNICIAN_PAGES:
        assert technician.get(console_server.url + path).status_code == 200, path


def test_a_viewer_reads_but_cannot_record(console_server):
    viewer = console_server.login(VIEWER)
    assert viewer.get(console_server.url + "/absences").status_code == 200
    token = console_server.csrf(viewer, "/absences")
    reply = viewer.post(
        console_server.url + "/absences",
        data={"csrf_token": token, "nip": NIP, "code": "S", "date_from": "2026-11-02", "note": "x", "late_reason": "x"},
    )
    assert reply.status_code == 403
    assert console_server.store.absences.list() == []


def test_a_form_without_its_csrf_token_is_refused(console_server):
    operator = console_server.login(OPERATOR)
    form = {"nip": NIP, "code": "S", "date_from": "2026-11-02", "note": "surat sakit 12/2026", "late_reason": "surat datang terlambat"}
    reply = operator.post(console_server.url + "/absences", data=form)
    assert reply.status_code == 400
    assert "token keamanan" in reply.text
    reply = operator.post(console_server.url + "/absences", data={**form, "csrf_token": "forged-token"})
    assert reply.status_code == 400
    manual = operator.post(
        console_server.url + "/punches/manual", data={"nip": NIP, "time": "2026-11-02T07:30", "reason": "mesin rusak"}
    )
    assert manual.status_code == 400
    assert console_server.store.absences.list() == [] and console_server.store.punches.count() == 0
    # the same form with its token goes through: the refusal was the missing token, nothing else
    reply = operator.post(console_server.url + "/absences", data={**form, "csrf_token": console_server.csrf(operator, "/absences")})
    assert reply.status_code == 200 and len(console_server.store.absences.list()) == 1
    # a login form without a token is refused too
    fresh = requests.Session()
    reply = fresh.post(console_server.url + "/login", data={"name": OPERATOR, "password": PASSWORD})
    assert reply.status_code == 400


def test_ten_wrong_passwords_throttle_the_account_and_the_source(console_server):
    http = requests.Session()
    codes = []
    for _ in range(10):
        token = console_server.csrf(http)
        codes.append(http.post(console_server.url + "/login", data={"name": OPERATOR, "password": "salah", "csrf_token": token}).status_code)
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 5
    # now even the right password is refused, with a message saying how long to wait
    token = console_server.csrf(http)
    reply = http.post(console_server.url + "/login", data={"name": OPERATOR, "password": PASSWORD, "csrf_token": token})
    assert reply.status_code == 429
    assert re.search(r"Terlalu banyak percobaan yang gagal\. Coba lagi dalam \d+ menit", reply.text)
    assert http.get(console_server.url + "/today", allow_redirects=False).status_code == 302
    # the source is throttled for every account...
    token = console_server.csrf(http)
    assert http.post(console_server.url + "/login", data={"name": TECHNICIAN, "password": PASSWORD, "csrf_token": token}).status_code == 429
    # ...and the account from every source: from 127.0.0.2 the operator is still locked, another account is not
    assert _login_from("127.0.0.2", console_server, OPERATOR) == 429
    assert _login_from("127.0.0.2", console_server, TECHNICIAN) == 302
    failed = _audit(console_server.store, "console.login_failed")
    assert len(failed) == 5 and failed[0].detail["account"] == OPERATOR
    assert _audit(console_server.store, "console.login_throttled")


def _login_from(source: str, running, name: str) -> int:
    """Log in over a connection whose source address is `source` (the throttle keys on it)."""
    port = int(running.url.rsplit(":", 1)[1])
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, source_address=(source, 0), retries=False)
    page = pool.request("GET", "/login")
    cookie = SimpleCookie(page.headers["Set-Cookie"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.data.decode()).group(1)
    reply = pool.request(
        "POST", "/login", fields={"name": name, "password": PASSWORD, "csrf_token": token}, encode_multipart=False,
        headers={"Cookie": f"kiosk_console={cookie['kiosk_console'].value}"}, redirect=False,
    )  # fmt: skip
    return reply.status


def test_session_cookie_flags_and_logout_ends_the_session(console_server):
    http = requests.Session()
    token = console_server.csrf(http)
    reply = http.post(console_server.url + "/login", data={"name": OPERATOR, "password": PASSWORD, "csrf_token": token}, allow_redirects=False)
    assert reply.status_code == 302
    header = reply.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/" in header
    assert "Secure" not in header  # plain HTTP on 127.0.0.1: a Secure cookie would never come back
    stolen = http.cookies["kiosk_console"]
    assert stolen not in console_server.data_dir.joinpath("kiosk.db").read_bytes().decode("latin-1")  # only its hash is kept
    assert http.get(console_server.url + "/today").url.endswith("/today")
    # logging in rotated the token: the anonymous cookie that carried the login form is dead
    token = console_server.csrf(http, "/today")
    http.post(console_server.url + "/logout", data={"csrf_token": token})
    replay = requests.get(console_server.url + "/today", cookies={"kiosk_console": stolen}, allow_redirects=False)
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")
    assert [e.os_user for e in _audit(console_server.store, "console.logout")] == [f"console:{OPERATOR}"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_under_tls_the_console_is_https_and_the_cookie_is_secure(tmp_path):
    from test_pull_api_tls import make_pair

    cert, key = make_pair(tmp_path, "console")
    config = write_console_config(tmp_path, tmp_path / "data", f'tls_cert_file = "{cert}"\ntls_key_file = "{key}"\n')
    server, running = start_console(config)
    try:
        assert running.url.startswith("https://")
        reply = requests.get(running.url + "/login", verify=str(cert))
        assert "Secure" in reply.headers["Set-Cookie"] and "HttpOnly" in reply.headers["Set-Cookie"]
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(running.url.replace("https://", "http://") + "/login", timeout=5)
    finally:
        server.stop()
        running.store.close()


def test_photo_and_evidence_urls_need_a_session_and_stay_inside_the_data_dir(console_server, tmp_path):
    store, data_dir = console_server.store, console_server.data_dir
    secret = tmp_path / "outside.jpg"
    secret.write_bytes(b"\xff\xd8\xff" + b"outside the data dir")
    photos = data_dir / "photos" / "2026" / "11" / "02"
    photos.mkdir(parents=True)
    (photos / "lin.jpg").write_bytes(b"\xff\xd8\xff" + b"a real evidence photo")
    moment = datetime.fromisoformat("2026-11-02T07:30:00+07:00")
    for number, photo in enumerate(["photos/2026/11/02/lin.jpg", "photos/../../outside.jpg", str(secret), "kiosk.db"]):
        store.punches.record(NewPunch(NIP, moment.replace(minute=number), Method.FACE, photo=photo))
    (data_dir / "evidence").mkdir(mode=0o700, exist_ok=True)
    (data_dir / "evidence" / "letter.pdf").write_bytes(PDF)
    good = store.absences.add(NIP, "2026-11-03", "2026-11-03", "S", "surat", "evidence/letter.pdf")
    escapes = [
        store.absences.add(NIP, "2026-11-04", "2026-11-04", "S", "x", "evidence/../kiosk.db"),
        store.absences.add(NIP, "2026-11-05", "2026-11-05", "S", "x", "../outside.jpg"),
        store.absences.add(NIP, "2026-11-06", "2026-11-06", "S", "x", str(secret)),
    ]
    anonymous = requests.get(console_server.url + "/punches/1/photo", allow_redirects=False)
    assert anonymous.status_code == 302 and b"real evidence" not in anonymous.content
    assert requests.get(console_server.url + f"/absences/{good.id}/evidence", allow_redirects=False).status_code == 302

    viewer = console_server.login(VIEWER)
    photo = viewer.get(console_server.url + "/punches/1/photo")
    assert photo.status_code == 200 and photo.content.endswith(b"a real evidence photo")
    assert photo.headers["Content-Type"] == "image/jpeg"
    for seq in (2, 3, 4):
        reply = viewer.get(console_server.url + f"/punches/{seq}/photo")
        assert reply.status_code == 404 and b"outside the data dir" not in reply.content and b"SQLite" not in reply.content
    letter = viewer.get(console_server.url + f"/absences/{good.id}/evidence")
    assert letter.status_code == 200 and letter.content == PDF and letter.headers["Content-Type"] == "application/pdf"
    for absence in escapes:
        reply = viewer.get(console_server.url + f"/absences/{absence.id}/evidence")
        assert reply.status_code == 404 and b"SQLite" not in reply.content and b"outside" not in reply.content
    # URLs carry ids, never paths: a path in the URL matches no route
    for path in ("/punches/..%2F..%2Fkiosk.db/photo", "/absences/../kiosk.db/evidence", "/static/../kiosk.db"):
        reply = viewer.get(console_server.url + path)
        assert reply.status_code == 404 and b"SQLite" not in reply.content


def test_evidence_uploads_are_checked_by_their_bytes_and_size(console_server):
    operator = console_server.login(OPERATOR)
    form = {"nip": NIP, "code": "S", "date_from": "2026-11-02", "note": "surat sakit", "late_reason": "surat terlambat"}

    def send(name: str, data: bytes):
        token = console_server.csrf(operator, "/absences")
        return operator.post(
            console_server.url + "/absences", data={**form, "csrf_token": token}, files={"evidence": (name, data, "application/pdf")}
        )

    fake = send("surat.pdf", b"<html><script>alert(1)</script></html>")
    assert fake.status_code == 400 and "not a PDF, JPEG or PNG" in fake.text
    big = send("surat.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
    assert big.status_code == 400 and "the limit is" in big.text
    assert console_server.store.absences.list() == []
    assert not any((console_server.data_dir / "evidence").glob("*")) if (console_server.data_dir / "evidence").exists() else True
    ok = send("surat.pdf", PDF)
    assert ok.status_code == 200
    (absence,) = console_server.store.absences.list()
    assert absence.evidence.endswith(".pdf") and (console_server.data_dir / absence.evidence).read_bytes() == PDF
    assert oct((console_server.data_dir / absence.evidence).stat().st_mode & 0o777) == "0o600"
    entry = _audit(console_server.store, "absence.add")[0]
    assert entry.os_user == f"console:{OPERATOR}" and entry.detail["code"] == "S"


def test_outside_the_annotation_windows_the_page_asks_for_a_reason(tmp_path):
    """Pasal 3(7)-(8): 10:00-11:00 and 17:00-18:00; at 13:00 the page says so and wants a reason."""
    zone = __import__("zoneinfo").ZoneInfo("Asia/Jakarta")
    clock = {"now": datetime(2026, 11, 2, 13, 0, tzinfo=zone)}
    server, running = start_console(write_console_config(tmp_path, tmp_path / "data"), now=lambda: clock["now"])
    try:
        operator = running.login(OPERATOR)
        page = operator.get(running.url + "/absences")
        assert "Di luar jam pencatatan keterangan (10:00-11:00, 17:00-18:00" in page.text
        form = {"nip": NIP, "code": "I", "date_from": "2026-11-02", "note": "izin keluarga"}
        refused = operator.post(running.url + "/absences", data={**form, "csrf_token": running.csrf(operator, "/absences")})
        assert refused.status_code == 400 and "isi alasan mencatat di luar jam" in refused.text
        assert running.store.absences.list() == []
        accepted = operator.post(
            running.url + "/absences",
            data={**form, "late_reason": "surat baru diterima", "csrf_token": running.csrf(operator, "/absences")},
        )
        assert accepted.status_code == 200 and len(running.store.absences.list()) == 1
        entry = _audit(running.store, "absence.add")[0]
        assert entry.detail["outside_window_reason"] == "surat baru diterima"
        clock["now"] = datetime(2026, 11, 2, 10, 30, tzinfo=zone)
        page = operator.get(running.url + "/absences")
        assert "Sekarang dalam jam pencatatan keterangan" in page.text and 'name="late_reason"' not in page.text
    finally:
        server.stop()
        running.store.close()


def test_accounts_from_the_cli_log_in_and_passwords_are_hashed(kiosk, config_file, tmp_path, store):
    secret = tmp_path / "pw"
    secret.write_text("operator-pass-123\n")
    assert kiosk("user", "add", "Siti", "--role", "operator", "--password-file", str(secret)).exit_code == 0
    short = tmp_path / "short"
    short.write_text("pendek\n")
    result = kiosk("user", "add", "ani", "--role", "viewer", "--password-file", str(short))
    assert result.exit_code == 1 and "at least 10 characters" in result.output
    result = kiosk("user", "add", "ani", "--role", "boss", "--password-file", str(secret))
    assert result.exit_code == 2 and "boss" in result.output
    prompted = kiosk("user", "add", "ani", "--role", "viewer", input="viewer-pass-123\nviewer-pass-123\n")
    assert prompted.exit_code == 0, prompted.output
    listed = json.loads(kiosk("user", "list", "--json").output)
    assert [(a["name"], a["role"]) for a in listed] == [("ani", "viewer"), ("siti", "operator")]
    (stored,) = store.db.query("SELECT password_hash FROM console_users WHERE name='siti'")
    assert stored[0].startswith("scrypt$") and "operator-pass-123" not in stored[0]
    assert store.accounts.authenticate("siti", "operator-pass-123").role.value == "operator"
    assert kiosk("user", "remove", "ani").exit_code == 0
    assert store.accounts.get("ani") is None


def test_login_page_visits_cannot_grow_the_session_table_without_bound(store, monkeypatch):
    from datetime import timedelta

    from kiosk.store import accounts

    monkeypatch.setattr(accounts, "MAX_ANONYMOUS_SESSIONS", 20)
    store.accounts.add(OPERATOR, "operator", PASSWORD)
    signed_in = store.accounts.open_session(timedelta(hours=1), OPERATOR)
    tokens = [store.accounts.open_session(timedelta(hours=1)) for _ in range(50)]
    assert store.db.scalar("SELECT COUNT(*) FROM console_sessions WHERE user_name IS NULL") == 20
    assert store.accounts.session(tokens[-1]) is not None and store.accounts.session(tokens[0]) is None
    assert store.accounts.session(signed_in).user_name == OPERATOR  # signed-in sessions are never pushed out
