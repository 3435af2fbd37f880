"""kiosk identify FILE: who the kiosk would recognise in an image or video (records nothing)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from kiosk.app.daemon import build_matcher
from kiosk.cli.common import App, fail, json_option, library_errors, pass_app, print_json, print_table
from kiosk.face.identify import identify_file
from kiosk.face.image import shown
from kiosk.face.models import FaceModels, ModelsMissing
from kiosk.face.recognizer import limits_for


@click.command("identify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--every", default=5, show_default=True, type=click.IntRange(1, 1000), help="For videos: look at every N-th frame.")
@json_option
@pass_app
@library_errors
def identify_command(app: App, file: Path, every: int, as_json: bool) -> None:
    """Recognise the faces in an image or video file: per face the frame, best employee, distance, decision."""
    if not file.is_file():
        fail(f"{shown(file)}: no such file")
    try:
        models = FaceModels.load()
    except ModelsMissing as exc:
        fail(str(exc))
    settings = app.settings
    found = list(identify_file(models, build_matcher(settings, app.store), file, limits_for(settings.face), every))
    names = {e.nip: e.name for e in app.store.employees.list(active_only=False)}
    if as_json:
        print_json([{**dataclasses.asdict(item), "name": names.get(item.best_nip or "", "")} for item in found])
        return
    if not found:
        click.echo(f"No faces found in {shown(file)}.")
        return
    rows = [
        (i.frame, ",".join(map(str, i.box)), i.best_nip or "-", names.get(i.best_nip or "", ""), _num(i.distance), i.decision, i.quality)
        for i in found
    ]
    print_table(["FRAME", "BOX", "BEST NIP", "NAME", "DISTANCE", "DECISION", "QUALITY"], rows)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
