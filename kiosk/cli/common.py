"""Shared CLI plumbing: the App object, --json, and errors that exit 1 with the fix."""

from __future__ import annotations

import functools
import getpass
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from kiosk.free_text import printable
from kiosk.settings import ConfigError, Settings, find_config_path, load_settings
from kiosk.store import Store, StoreError

if TYPE_CHECKING:
    from kiosk.recorder import PunchRecorder


def fail(message: str) -> NoReturn:
    """Stop the command with `Error: message` and exit code 1."""
    raise click.ClickException(message)


@dataclass
class App:
    """What every command may need, opened on first use."""

    config_arg: str | None = None
    _settings: Settings | None = None
    _store: Store | None = field(default=None, repr=False)

    @property
    def config_path(self) -> Path:
        return find_config_path(self.config_arg)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                fail(str(exc))
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            settings = self.settings
            try:
                self._store = Store.open(settings.database_path, device_id=settings.device.id)
            except StoreError as exc:
                fail(str(exc))
            except PermissionError as exc:
                fail(f"cannot open the database {settings.database_path}: {exc.strerror}; run as the kiosk user (sudo -u kiosk ...)")
        return self._store

    @property
    def recorder(self) -> PunchRecorder:
        from kiosk.app.wiring import build_recorder

        return build_recorder(self.settings, self.store)

    def sync_target_names(self) -> list[str]:
        from kiosk.app.wiring import sync_target_names

        return sync_target_names(self.settings, self.store)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_app = click.make_pass_decorator(App)


def json_option(command: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")(command)


def library_errors(command: Callable) -> Callable:
    """Turn the library's narrow exceptions into `Error: ...` with exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:
            raise  # the reader (| head) left: click's entry point ends quietly
        except (StoreError, ConfigError, ValueError, OSError) as exc:
            fail(str(exc))

    return wrapper


def check_output(path: Path) -> None:
    """Refuse an --output file that cannot be written before any work is done."""
    folder = path.parent
    if path.is_dir():
        fail(f"--output {path} is a directory; give a file name inside it, e.g. {path / 'export.csv'}")
    if not folder.is_dir():
        fail(f"--output {path}: the folder {folder} does not exist; create it (mkdir -p {folder}) or choose another folder")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(f"--output {path}: no permission to write there as user {getpass.getuser()}; choose another folder")


def write_output(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write --output {path}: {exc.strerror or exc}; choose another file")


def print_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_table(headers: list[str], rows: Iterable[Iterable[object]]) -> None:
    # Cells come from stored data (names typed years ago): never let them drive the terminal.
    text = [["" if cell is None else printable(str(cell)) for cell in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in text]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in text:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
