"""Turn one TOML table into a frozen settings dataclass, naming the key in every error."""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import math
import os
import re
import tempfile
import typing
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from kiosk.private import SecretFileProblem, read_secret
from kiosk.settings.errors import ConfigError
from kiosk.tomlfile import toml_date

T = TypeVar("T")
NO_META: typing.Mapping[str, Any] = {}

# Metadata of a server's listen address: an IPv4 literal, never empty (see _check_listen_address).
LISTEN_ADDRESS = {"listen_address": True, "required": 'use "127.0.0.1" (this machine only) or "0.0.0.0" (every interface)'}


def build_section(cls: type, table: object, where: str) -> Any:
    """Validate `table` against the dataclass `cls`; `where` is the section name, e.g. "face"."""
    table = check_table(where, table)
    custom = getattr(cls, "from_toml", None)
    if custom is not None:
        return custom(table, where)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    reject_unknown_keys(table, fields, where)
    hints = typing.get_type_hints(cls)
    values = {name: check_value(f"{where}.{name}", value, hints[name], fields[name].metadata) for name, value in table.items()}
    return cls(**values)


def reject_unknown_keys(
    table: dict, known: Iterable[str], where: str, allow: Callable[[str], bool] | None = None, others: str = ""
) -> None:
    """Refuse a key that is not in `known` (nor accepted by `allow`), suggesting the closest one.
    `others` describes what `allow` accepts, for the list of valid keys (e.g. "days such as mon or mon-thu")."""
    names = sorted(known)
    for key in table:
        if key in names or (allow is not None and allow(key)):
            continue
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        listed = ", ".join(names) + (f", and {others}" if others else "")
        hint = f"did you mean '{close[0]}'?" if close else f"valid keys are: {listed}"
        raise ConfigError(f"{where}.{key}", table[key], f"unknown key; {hint}")


def check_table(key: str, value: object, header: str = "") -> dict:
    """A TOML table; `header` is how the technician writes it (default [key])."""
    if not isinstance(value, dict):
        header = header or f"[{key}]"
        raise ConfigError(key, value, f"must be a table, e.g.\n  {header}\n  key = value")
    return value


def check_table_list(key: str, value: object) -> list[dict]:
    """An array of tables, written as repeated [[key]] sections."""
    if not isinstance(value, list):
        raise ConfigError(key, value, f"must be a list of tables, each written as a [[{key}]] section")
    return [check_table(f"{key}[{i}]", item, f"[[{key}]]") for i, item in enumerate(value)]


def check_choice(key: str, value: object, choices: Sequence[object], noun: str = "", more: str = "") -> Any:
    """One of `choices`, else the list (`noun` names it, e.g. "known schedules") and the closest one."""
    if value in choices:
        return value
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    listed = f"one of the {noun}" if noun else "one of"
    raise ConfigError(key, value, f"must be {listed}: {', '.join(map(str, choices))}{hint}{more}")


def check_date(key: str, value: object) -> date:
    """A TOML date (2026-02-19) or the same in quotes; a date-time is refused."""
    day = toml_date(value)
    if day is not None:
        return day
    raise ConfigError(key, value, "must be a date such as 2026-02-19 (YYYY-MM-DD)")


def check_text_as(key: str, value: object, parse: Callable[[str], T], shape: str) -> T:
    """Text in quotes read by `parse`, whose ValueError is the fix; `shape` says what to write, e.g.
    'a time in quotes such as "07:00"'."""
    if not isinstance(value, str):
        raise ConfigError(key, value, f"must be {shape}")
    try:
        return parse(value)
    except ValueError as exc:
        raise ConfigError(key, value, str(exc)) from None


def check_value(key: str, value: object, hint: object, meta: typing.Mapping[str, Any] = NO_META) -> object:
    """`meta` may hold: min, max, choices, unit ("minutes"), example (shown when the type is wrong),
    required (the fix when empty) and the names of _SPECIAL_CHECKS."""
    value = check_type(key, value, hint, meta)
    check_finite(key, value, meta)
    check_range(key, value, meta)
    if meta.get("required") and value == "":
        raise ConfigError(key, value, f"must not be empty; {meta['required']}")
    for name, check in _SPECIAL_CHECKS.items():
        if meta.get(name) and value not in ("", None):
            check(key, value, meta)
    return value


def check_type(key: str, value: object, hint: object, meta: typing.Mapping[str, Any] = NO_META) -> object:
    name, example, unit = key.split(".")[-1], meta.get("example"), _unit(meta)
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise ConfigError(key, value, f"must be a list, e.g. {name} = {example or '[ ... ]'}")
        (item_type, *_rest) = typing.get_args(hint)
        return tuple(check_type(f"{key}[{i}]", item, item_type) for i, item in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, value, "must be true or false (without quotes)")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, value, f"must be a whole number{' of' + unit if unit else ''} (without quotes)")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(key, value, "must be a number such as 0.5 (without quotes)")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(key, value, f'must be text in quotes, e.g. {name} = "{example}"' if example else 'must be text in quotes, e.g. "..."')
        return value
    raise TypeError(f"unsupported settings type {hint!r} for {key}")


def _unit(meta: typing.Mapping[str, Any]) -> str:
    return f" {meta['unit']}" if meta.get("unit") else ""


def check_finite(key: str, value: object, meta: typing.Mapping[str, Any]) -> None:
    """TOML allows nan and inf; every comparison with nan is false, so a range check would let it
    through and a threshold of nan would accept anything (a face tolerance of nan matched everyone)."""
    if isinstance(value, float) and not math.isfinite(value):
        bounds = f" between {meta['min']} and {meta['max']}" if "min" in meta and "max" in meta else ""
        example = f"{key.split('.')[-1]} = {_example(meta)}"
        raise ConfigError(key, value, f"must be a finite number{bounds}: nan and inf are not allowed; write e.g. {example}")


def _example(meta: typing.Mapping[str, Any]) -> str:
    if "min" in meta and "max" in meta:
        return str((meta["min"] + meta["max"]) / 2)
    return "0.5"


def check_range(key: str, value: object, meta: typing.Mapping[str, Any]) -> None:
    if "min" in meta and value < meta["min"]:
        raise ConfigError(key, value, f"must be at least {meta['min']}{_unit(meta)}")
    if "max" in meta and value > meta["max"]:
        raise ConfigError(key, value, f"must be at most {meta['max']}{_unit(meta)}")
    if meta.get("choices"):
        check_choice(key, value, meta["choices"])


def _check_pattern(key: str, value: str, meta: typing.Mapping[str, Any]) -> None:
    if not re.fullmatch(meta["pattern"], value):
        raise ConfigError(key, value, f"must match {meta['pattern']}")


def _check_timezone(key: str, value: str, meta: typing.Mapping[str, Any]) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            key, value, "unknown time zone; use an IANA name: Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)"
        ) from None


def _check_regex(key: str, value: str, meta: typing.Mapping[str, Any]) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ConfigError(key, value, f"not a valid regular expression ({exc})") from None


def _check_url(key: str, value: str, meta: typing.Mapping[str, Any]) -> None:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(key, value, "must be an http:// or https:// URL such as https://siap.example.go.id")


def _check_secret_file(key: str, value: str, meta: typing.Mapping[str, Any]) -> None:
    try:
        read_secret(value)
    except SecretFileProblem as problem:
        raise ConfigError(key, value, str(problem)) from None


def _check_listen_address(key: str, value: str, meta: typing.Mapping[str, Any]) -> None:
    """A listen address is an IPv4 literal: resolving a host name here would make the verdict of
    `config check` depend on DNS at check time, and the servers bind IPv4 sockets."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        raise ConfigError(
            key, value, 'must be an IPv4 address: "127.0.0.1" (this machine only), "0.0.0.0" (every interface) '
            'or the address of one interface such as "192.168.1.20"; host names are not accepted'
        ) from None
    if address.version != 4:
        raise ConfigError(key, value, 'the servers listen on IPv4 only; use an IPv4 address such as "127.0.0.1" or "0.0.0.0"')
    if value != value.strip():
        raise ConfigError(key, value, "remove the spaces around the address")


def _check_writable_dir(key: str, value: str, meta: typing.Mapping[str, Any]) -> None:
    path = Path(value)
    if not path.is_absolute():
        raise ConfigError(
            key, value, "must be an absolute path such as /var/lib/kiosk "
            "(a relative path would change with the directory the kiosk is started from)"
        )
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(key, value, f"{existing} is not a directory; choose a directory such as /var/lib/kiosk")
    if not _can_create_files_in(existing):
        raise ConfigError(
            key, value, f"{existing} is not writable by user {_user()}; fix with: sudo install -d -o {_user()} -m 700 {value}"
        )


def _can_create_files_in(folder: Path) -> bool:
    """Try it: permission bits lie to root and on read-only mounts."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _user() -> str:
    import getpass

    return getpass.getuser()


# Each runs on a non-empty value of the type the field declares (text for all of these).
_SPECIAL_CHECKS: dict[str, Callable[[str, Any, typing.Mapping[str, Any]], None]] = {
    "pattern": _check_pattern,
    "timezone": _check_timezone,
    "regex": _check_regex,
    "url": _check_url,
    "secret_file": _check_secret_file,
    "listen_address": _check_listen_address,
    "writable_dir": _check_writable_dir,
}
