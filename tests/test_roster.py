"""Roster pull and template upload against the reference receiver."""

from __future__ import annotations

import numpy as np

from kiosk.domain import Employee
from kiosk.photos import PhotoStore
from kiosk.store import Store
from sync import protocol
from sync.deliverer import Deliverer
from sync.receiver import Receiver

from helpers import make_settings, write_token

TOKEN = "roster-token"
NIP_A, NIP_B, NIP_LOCAL = "198001012005011001", "198001012005011002", "198001012005011003"


def vector(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=128).astype(np.float32)


def test_roster_adds_changes_removes_and_templates_travel(tmp_path):
    token = write_token(tmp_path / "token", TOKEN)
    with Receiver(tmp_path / "receiver.db", TOKEN) as receiver:
        server = receiver.store
        server.put_employee(NIP_A, "Ahmad", 11, unit="Dinas Kominfo")
        server.put_employee(NIP_B, "Budi", 12)
        server.put_employee(NIP_LOCAL, "Citra", 13)
        server.put_template(NIP_A, protocol.vector_text(vector(1)), 0.9, device_id="SERVER", local_id=1)
        settings = make_settings(tmp_path, receiver.url, token)
        with Store.open(settings.database_path, device_id=settings.device.id) as store:
            store.employees.add(Employee(NIP_LOCAL, "Citra", pin=13))  # enrolled on this kiosk
            local_template = store.templates.add(NIP_LOCAL, vector(3), "camera", 0.8)
            deliverer = Deliverer(settings, store)

            first = deliverer.pull_roster()
            assert (first.added, first.templates_uploaded, first.problems) == (2, 1, ())
            assert store.employees.get(NIP_A).unit == "Dinas Kominfo" and store.employees.get(NIP_A).pin == 11
            assert np.allclose(store.templates.for_employee(NIP_A)[0].vector, vector(1))
            assert store.templates.not_uploaded() == []
            assert any(t["device_id"] == "KIOSK-T1" for e in server.roster() for t in e["templates"])
            assert len(store.templates.for_employee(NIP_LOCAL)) == 1  # own upload not pulled back twice
            assert local_template

            server.put_employee(NIP_A, "Ahmad Fauzi", 11, unit="Dinas Kominfo")
            server.remove_employee(NIP_B)
            PhotoStore(settings.data_dir).save(b"jpeg", NIP_B, __import__("datetime").datetime(2026, 3, 2))
            second = deliverer.pull_roster()
            assert (second.added, second.changed, second.removed) == (0, 1, 1)
            assert store.employees.get(NIP_A).name == "Ahmad Fauzi"
            assert store.employees.get(NIP_B) is None
            assert list(PhotoStore(settings.data_dir).root.rglob(f"{NIP_B}-*.jpg")) == []
            assert store.employees.get(NIP_LOCAL) is not None  # a local employee is never removed by the roster
