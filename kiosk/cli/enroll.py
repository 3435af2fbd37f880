"""kiosk enroll NIP --photo FILE... | --camera [--count N]"""

from __future__ import annotations

from pathlib import Path

import click

from drivers.camera.select import make_camera
from kiosk.camera import CameraError
from kiosk.cli.common import App, fail, json_option, library_errors, pass_app, print_json
from kiosk.enroll import Enroller, Enrollment
from kiosk.face.models import FaceModels, ModelsMissing
from kiosk.free_text import printable


@click.command("enroll")
@click.argument("nip")
@click.option("--photo", "photos", multiple=True, type=click.Path(path_type=Path), help="Photo file (repeat, or list several).")
@click.argument("more_photos", nargs=-1, type=click.Path(path_type=Path))
@click.option("--camera", "use_camera", is_flag=True, help="Capture frames from the configured camera instead.")
@click.option("--count", default=5, show_default=True, type=click.IntRange(1, 50), help="Good camera frames to capture.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(1, 600), help="Seconds to wait for good frames.")
@click.option("--force", is_flag=True, help="Enroll even if the face already matches a different employee.")
@click.option("--replace", is_flag=True, help="Erase the employee's enrolled face templates and keep only the new ones.")
@json_option
@pass_app
@library_errors
def enroll_command(
    app: App, nip: str, photos: tuple[Path, ...], more_photos: tuple[Path, ...], use_camera: bool,
    count: int, timeout: float, force: bool, replace: bool, as_json: bool,
) -> None:
    """Enroll an employee's face from photos (--photo A.jpg B.jpg) or from the camera (--camera).

    Refuses unreadable, damaged or oversized files, photos with no face or several faces, faces too
    small or too blurred, photos of two different people (among themselves or against the faces
    already enrolled for the NIP; --replace starts over), and a face that already matches a
    different employee (unless --force). A photo already enrolled is skipped. Writes the audit log.
    """
    files = list(photos) + list(more_photos)
    if use_camera == bool(files):
        fail("pass either --photo FILE [FILE...] or --camera")
    try:
        enroller = Enroller(app.store, FaceModels.load(), app.settings.face, app.settings.device.employee_id_pattern)
        if use_camera:
            result = _from_camera(app, enroller, nip, count, timeout, force, replace, as_json)
        else:
            result = enroller.from_photos(nip, files, force, replace)
    except (ModelsMissing, CameraError) as exc:
        fail(str(exc))
    _report(result, as_json)


def _from_camera(
    app: App, enroller: Enroller, nip: str, count: int, timeout: float, force: bool, replace: bool, as_json: bool
) -> Enrollment:
    camera = make_camera(app.settings.camera)
    click.echo(f"Look at the camera ({camera.describe()}); capturing {count} good frames...", err=as_json)

    def say(message: str) -> None:
        click.echo(f"  {message}", err=as_json)

    return enroller.from_camera(nip, camera, count, say, force, timeout, replace=replace)


def _report(result: Enrollment, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "nip": result.employee.nip, "templates": list(result.template_ids), "from": list(result.labels),
                "forced": result.forced, "skipped": list(result.skipped), "replaced": result.replaced,
            }
        )  # fmt: skip
        return
    who = f"{result.employee.nip} {printable(result.employee.name)}"
    for label in result.skipped:
        click.echo(f"Skipped {label}: already enrolled for {result.employee.nip} (the same photo).")
    if not result.template_ids:
        click.echo(f"Nothing new enrolled for {who}: every photo is already enrolled.")
        return
    forced = " (forced past a match with another employee)" if result.forced else ""
    replaced = f", replacing {result.replaced} earlier templates" if result.replaced else ""
    click.echo(f"Enrolled {who}: {len(result.template_ids)} face templates{forced}{replaced}.")
