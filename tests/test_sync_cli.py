"""`kiosk sync` and the sync schedule: state per target, --now, jobs and retention."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from kiosk.cli.main import cli
from kiosk.settings import ConfigError, settings_from_dict
from kiosk.store import Store
from kiosk.timeutil import utc_now
from sync.jobs import build_scheduler, deadline_pushes, housekeeping
from sync.receiver import Faults, Receiver

from helpers import insert_punches_fast, make_settings, write_token

TOKEN = "cli-token"


def test_sync_now_json_shows_parked_and_empty_queue(tmp_path):
    token = write_token(tmp_path / "token", TOKEN)
    with Receiver(tmp_path / "receiver.db", TOKEN) as receiver:
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[device]\ndata_dir = "{tmp_path / "data"}"\n[sync]\nurl = "{receiver.url}"\ntoken_file = "{token}"\n')
        settings = make_settings(tmp_path, receiver.url, token)
        with Store.open(settings.database_path, device_id="KIOSK-01") as store:
            insert_punches_fast(store, 30)
            receiver.app.faults = Faults(reject_uuids=frozenset({store.punches.get(7).uuid}))
        before = CliRunner().invoke(cli, ["--config", str(config), "sync", "--json"])
        assert before.exit_code == 0 and json.loads(before.stdout)[0]["queue_depth"] == 30
        result = CliRunner().invoke(cli, ["--config", str(config), "sync", "--now", "--json"])
        assert result.exit_code == 0, result.output
        (status,) = json.loads(result.stdout)  # logs go to stderr
        assert status["target"] == "siap" and status["queue_depth"] == 0 and status["last_success_utc"]
        assert status["parked"] == [{"seq": 7, "code": "rejected_by_test", "reason": "this punch was configured to be rejected"}]
        table = CliRunner().invoke(cli, ["--config", str(config), "sync"])
        assert "punch #7 parked (rejected_by_test)" in table.output


@pytest.mark.parametrize("week, departure", [(5, (17, 40)), (6, (15, 40))])
def test_deadline_pushes(tmp_path, week, departure):
    settings = make_settings(tmp_path, work_week=week)
    arrival, leave = deadline_pushes(settings.sync)
    assert (arrival.hour, arrival.minute) == (10, 40) and (leave.hour, leave.minute) == departure
    assert leave.days == ("mon-fri" if week == 5 else "mon-sat")


def test_scheduler_jobs_coalesce_and_run_one_at_a_time(tmp_path):
    settings = make_settings(tmp_path, "http://127.0.0.1:1", write_token(tmp_path / "t", "x"))
    with Store.open(settings.database_path) as store:
        scheduler = build_scheduler(settings, store)
        scheduler.start(paused=True)  # job options are resolved when the scheduler starts
        jobs = {job.id: job for job in scheduler.get_jobs()}
        scheduler.shutdown(wait=False)
    assert set(jobs) == {"push", "deadline-arrival", "deadline-departure", "roster", "housekeeping"}
    assert all(j.coalesce and j.max_instances == 1 and j.misfire_grace_time for j in jobs.values())


def test_housekeeping_never_purges_undelivered_or_parked(tmp_path):
    settings = make_settings(tmp_path, "http://127.0.0.1:1", write_token(tmp_path / "t", "x"), retention_days=30)
    with Store.open(settings.database_path) as store:
        insert_punches_fast(store, 10)
        store.delivery.acknowledge("siap", 6, [(2, "bad", "test")])
        later = utc_now() + timedelta(days=31)
        result = housekeeping(settings, store, later)
        remaining = [row["seq"] for row in store.db.query("SELECT seq FROM punches ORDER BY seq")]
    assert result.punches_removed == 5 and remaining == [2, 7, 8, 9, 10]


def test_duplicate_target_names_are_refused():
    with pytest.raises(ConfigError, match="unique"):
        settings_from_dict({"sync": {"url": "http://a", "targets": [{"name": "siap", "url": "http://b"}]}})
    with pytest.raises(ConfigError, match="did you mean 'read_timeout'"):
        settings_from_dict({"sync": {"read_timout": 3}})
