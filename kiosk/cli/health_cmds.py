"""kiosk status | kiosk doctor"""

from __future__ import annotations

import click

from kiosk.app.doctor import run_checks
from kiosk.cli.common import App, json_option, pass_app, print_json, print_table
from kiosk.status import collect_status


@click.command("status")
@json_option
@pass_app
def status_command(app: App, as_json: bool) -> None:
    """Uptime, camera fps, last punch, queue depth per target, clock state and faults."""
    status = collect_status(app.settings, app.store, app.sync_target_names())
    if as_json:
        print_json(status)
        return
    uptime = status["uptime_seconds"]
    click.echo(f"device {status['device_id']}: daemon {status['daemon']}" + (f", up {_duration(uptime)}" if uptime else ""))
    camera = status["camera"]
    if camera:
        click.echo(
            f"camera: {camera.get('state', '?')} {camera.get('source', '')}, {camera.get('fps', 0):.1f} fps, "
            f"{camera.get('processed', 0)} frames processed, {camera.get('dropped', 0)} dropped, "
            f"lag {camera.get('lag_seconds', 0):.2f} s (largest {camera.get('max_lag_seconds', 0):.2f} s)"
        )
    last = status["last_punch"]
    click.echo(f"punches: {status['punches']}" + (f", last #{last['seq']} {last['nip']} {last['time']} ({last['method']})" if last else ""))
    for name, queue in status["queues"].items():
        state = f"HALTED: {queue['halted']}" if queue["halted"] else (queue["last_error"] or "ok")
        click.echo(f"sync {name}: queue {queue['queue']}, parked {queue['parked']}, last success {queue['last_success'] or 'never'}, {state}")
    clock = status["clock"]
    synced = {True: "NTP-synchronised", False: "NOT synchronised (punches flagged)", None: "sync state unknown"}[clock["ntp_synchronised"]]
    references = ", ".join(f"{r['source']} {r['offset_seconds']:+.0f} s" for r in clock["references"])
    click.echo(f"clock: {synced}" + (f"; compared with {references}" if references else ""))
    if clock["last_jump"]:
        click.echo(f"clock: last jump {clock['last_jump']['seconds']:+.0f} s at {clock['last_jump']['observed_utc']}")
    click.echo(f"disk: {status['disk']['free_mb']} MB free")
    parts = status["parts"]
    if parts:
        click.echo(f"parts running: {', '.join(sorted(n for n, state in parts.items() if state == 'running')) or 'none'}")
        for name, state in sorted(parts.items()):
            if state not in ("running", "off"):  # restarting (attempt k of n, next in s) or failed (...)
                click.echo(f"part {name}: {state}")
    for fault in status["faults"]:
        click.echo(f"FAULT {fault['part']}: {fault['message']} (since {fault.get('since_utc', '?')})")
    if not status["faults"] and status["daemon"] == "running":
        click.echo("faults: none")


def _duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"


@click.command("doctor")
@json_option
@pass_app
def doctor_command(app: App, as_json: bool) -> None:
    """Check config, camera, face models, database, disk, clock, central server and fingerprint.

    Exits 1 when any check fails (warnings do not fail).
    """
    checks = run_checks(app.settings)
    if as_json:
        print_json([{"check": c.name, "status": c.status, "detail": c.detail} for c in checks])
    else:
        print_table(["CHECK", "STATUS", "DETAIL"], [(c.name, c.status.upper(), c.detail) for c in checks])
    failed = [c.name for c in checks if c.failed]
    if failed:
        if not as_json:
            click.echo(f"\n{len(failed)} check(s) failed: {', '.join(failed)}", err=True)
        raise SystemExit(1)
