"""One bound on how far ahead of the kiosk's clock a manual punch may be (kiosk/staff.py
FUTURE_TOLERANCE), whichever way it comes in: the console's form over real HTTP, and `kiosk punch add`.

Both use the real clock; the times are whole minutes, as a person types them, at least a minute away
from the bound on either side, so the few seconds a test takes cannot move them across it.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.staff import FUTURE_TOLERANCE

from console_helpers import NIP, OPERATOR

WIB = ZoneInfo("Asia/Jakarta")  # the console's and the CLI test config's zone
INSIDE = FUTURE_TOLERANCE - timedelta(minutes=1)  # also past the console's former bound of 1 minute
OUTSIDE = FUTURE_TOLERANCE + timedelta(minutes=2)


def ahead(delta: timedelta) -> datetime:
    """The wall-clock minute `delta` from now, without seconds: a little less than `delta` ahead."""
    return (datetime.now(WIB) + delta).replace(second=0, microsecond=0)


def test_the_console_form_takes_the_core_bound(console_server):
    running = console_server
    operator = running.login(OPERATOR)

    def submit(at: datetime) -> str:
        form = {"nip": NIP, "time": at.strftime("%Y-%m-%dT%H:%M"), "reason": "mesin absensi rusak"}
        reply = operator.post(running.url + "/punches/manual", data={**form, "csrf_token": running.csrf(operator, "/punches")})
        assert reply.status_code == 200, reply.status_code
        return html.unescape(reply.text)

    minutes = int(FUTURE_TOLERANCE.total_seconds() // 60)
    refused = submit(ahead(OUTSIDE))
    assert f"tidak boleh di masa depan (lebih dari {minutes} menit setelah jam kiosk saat ini)" in refused
    assert running.store.punches.count() == 0
    soon = ahead(INSIDE)
    assert "Absen manual #1" in submit(soon)
    (punch,) = running.store.punches.page()
    assert punch.local_time == soon


def test_kiosk_punch_add_takes_the_same_bound(kiosk, store):
    assert kiosk("employee", "add", NIP, "--name", "Lin-Manuel Miranda").exit_code == 0
    minutes = int(FUTURE_TOLERANCE.total_seconds() // 60)
    refused = kiosk("punch", "add", NIP, "--time", ahead(OUTSIDE).isoformat(), "--reason", "mesin absensi rusak")
    assert refused.exit_code == 1
    assert "is in the future" in refused.output and f"at most {minutes} minutes ahead is accepted" in refused.output
    assert store.punches.count() == 0
    accepted = kiosk("punch", "add", NIP, "--time", ahead(INSIDE).isoformat(), "--reason", "mesin absensi rusak")
    assert accepted.exit_code == 0, accepted.output
    assert store.punches.count() == 1
