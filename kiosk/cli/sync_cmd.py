"""kiosk sync [--now] [--json]: delivery state per target, or deliver immediately."""

from __future__ import annotations

import click

from kiosk.cli.common import App, fail, json_option, pass_app, print_json, print_table


def target_status(app: App, name: str) -> dict:
    store = app.store
    state = store.delivery.state(name)
    oldest = store.delivery.oldest_undelivered(name)
    return {
        "target": name,
        "queue_depth": store.delivery.queue_depth(name),
        "oldest_undelivered_utc": oldest.isoformat() if oldest else None,
        "last_success_utc": state.last_success_utc.isoformat() if state.last_success_utc else None,
        "last_error": state.last_error,
        "last_error_utc": state.last_error_utc.isoformat() if state.last_error_utc else None,
        "halted_reason": state.halted_reason,
        "parked": [{"seq": p.seq, "code": p.code, "reason": p.reason} for p in store.delivery.parked(name)],
    }


@click.command("sync")
@click.option("--now", is_flag=True, help="Deliver to every target immediately, then show the state.")
@json_option
@pass_app
def sync_command(app: App, now: bool, as_json: bool) -> None:
    """Show delivery state per target (queue, oldest undelivered, errors, parked punches).

    The reference receiver for testing integrations runs with
    `python -m sync.receiver --port 8471 --db FILE --token-file FILE`.
    """
    if now and not app.sync_target_names():
        fail("no sync target configured, nothing to deliver: set sync.url and sync.token_file (or [[sync.targets]]) in the configuration")
    if now:
        from sync.deliverer import deliver_now

        for outcome in deliver_now(app.settings, app.store):
            if not as_json:
                state = "HALTED" if outcome.halted else ("ok" if outcome.ok else "failed")
                click.echo(f"{outcome.target}: {state}, delivered {outcome.delivered}, parked {outcome.parked}, left {outcome.remaining}", err=True)
    statuses = [target_status(app, name) for name in app.sync_target_names()]
    if as_json:
        print_json(statuses)
        return
    if not statuses:
        click.echo("No sync target configured: set sync.url (and sync.token_file) in the configuration.")
        return
    print_table(
        ["TARGET", "QUEUE", "OLDEST UNDELIVERED", "LAST SUCCESS", "PARKED", "STATE"],
        [(s["target"], s["queue_depth"], s["oldest_undelivered_utc"] or "-", s["last_success_utc"] or "never", len(s["parked"]), _state(s)) for s in statuses],
    )
    for status in statuses:
        for parked in status["parked"]:
            click.echo(f"  {status['target']}: punch #{parked['seq']} parked ({parked['code']}): {parked['reason']}")


def _state(status: dict) -> str:
    if status["halted_reason"]:
        return f"HALTED: {status['halted_reason']}"
    if status["last_error"]:
        return f"error: {status['last_error']}"
    return "ok"
