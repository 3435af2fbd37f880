"""Must-show 1: `kiosk run --exit-at-end` on the Hamilton clip records one face punch, for Lin only."""

from __future__ import annotations

import os
import re
import stat

from click.testing import CliRunner

from kiosk.cli.main import cli
from kiosk.domain import Method

from faces import CLIP, LIN, enrolled_copy, punches_in, write_config


def run_kiosk(config) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), "run", "--exit-at-end"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_clip_records_exactly_one_punch_for_lin_with_evidence(tmp_path, enrolled_template):
    data_dir = enrolled_copy(enrolled_template, tmp_path)
    output = run_kiosk(write_config(tmp_path, data_dir, CLIP))

    punches = punches_in(data_dir)
    assert [(p.nip, p.method) for p in punches] == [(LIN, Method.FACE)], output
    punch = punches[0]
    assert punch.distance is not None and punch.distance <= 0.5
    assert punch.liveness is not None and punch.liveness >= 0.4
    photo = data_dir / punch.photo
    assert photo.read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    assert stat.S_IMODE(os.stat(photo).st_mode) == 0o600
    # The summary the technician reads agrees with the store: one punch, no repeat.
    assert summary_counts(output) == (1, 0), output

    # Lin seen again within face.repeat_minutes (the clip replayed at once): a repeat, no new punch,
    # and the summary says so.
    output = run_kiosk(write_config(tmp_path, data_dir, CLIP))
    assert [p.seq for p in punches_in(data_dir)] == [punch.seq], output
    assert summary_counts(output) == (0, 1), output


def summary_counts(output: str) -> tuple[int, int]:
    """(punches recorded, repeats) from the summary `kiosk run` prints when it stops."""
    summary = re.search(r"Stopped: \d+ frames, (\d+) punches recorded, (\d+) repeats", output)
    assert summary is not None, output
    return int(summary.group(1)), int(summary.group(2))


def test_unknown_face_is_matched_and_refused_when_quality_limits_let_it_through(tmp_path, enrolled_template, caplog):
    # With the default limits the stranger (frames ~217-248, ~73 px, soft focus) is never encoded.
    # Lower them so the stranger is encoded and matched: still no punch, and the fallback cue is given.
    data_dir = enrolled_copy(enrolled_template, tmp_path)
    extra = """
        [face]
        min_face_px = 64
        min_sharpness = 1.0
        """
    caplog.set_level("INFO", logger="kiosk.pipeline")
    run_kiosk(write_config(tmp_path, data_dir, CLIP, extra))

    assert [p.nip for p in punches_in(data_dir)] == [LIN]
    assert "unknown_use_fingerprint" in caplog.text


def test_clip_played_in_real_time_records_exactly_one_punch_for_lin(tmp_path, enrolled_template):
    # camera.realtime: the live path (intake thread keeping the newest frame, frames dropped while
    # busy, encodings in the encoder process, punch recorded on the recorder thread).
    data_dir = enrolled_copy(enrolled_template, tmp_path)
    output = run_kiosk(write_config(tmp_path, data_dir, CLIP, camera="realtime = true\n"))

    assert [(p.nip, p.method) for p in punches_in(data_dir)] == [(LIN, Method.FACE)], output
    assert "frames dropped" in output
