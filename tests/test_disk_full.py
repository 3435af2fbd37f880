"""Disk full on a real small filesystem: a tmpfs of 4 MiB mounted in a private mount namespace.

`unshare --mount --map-root-user` gives the child its own mount table (also without root), so
the tiny filesystem disappears with it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def run_in_tiny_filesystem(tmp_path: Path) -> dict:
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    script = (
        f"mount -t tmpfs -o size=4m tmpfs {mount_point} && "
        f"exec {sys.executable} {HERE / 'disk_full_child.py'} {mount_point}"
    )
    result = subprocess.run(
        ["unshare", "--mount", "--map-root-user", "sh", "-c", script],
        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(HERE.parent)},
    )  # fmt: skip
    if result.returncode != 0 and "mount" in result.stderr and "permission" in result.stderr.lower():
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(shutil.which("unshare") is None, reason="util-linux unshare is needed to mount a private tmpfs")
def test_disk_full_fails_visibly_keeps_the_database_and_recovers(tmp_path: Path) -> None:
    outcome = run_in_tiny_filesystem(tmp_path)
    # Recording failed visibly: the call raised, the door was told, the fault is in kiosk status.
    assert outcome["refused"] > 0
    assert all(cue == "not_recorded" and kind == "StorageFull" for cue, kind in outcome["cues"])
    assert "storage" in outcome["faults"]
    # The database is intact, and every punch that was reported recorded is there.
    assert outcome["integrity"] == "ok"
    assert set([outcome["before_full"], *outcome["accepted_while_full"]]) <= set(outcome["stored"])
    # After space is freed, recording resumes and the fault clears.
    assert outcome["after"] in outcome["stored"]
    assert "storage" not in outcome["faults_after"]
