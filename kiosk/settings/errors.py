"""Configuration errors that name the file, the key, the bad value and the fix."""

from __future__ import annotations


class ConfigError(ValueError):
    """One problem in the configuration file."""

    def __init__(self, key: str, value: object, fix: str) -> None:
        self.key = key
        self.value = value
        self.fix = fix
        self.path: str | None = None
        super().__init__(self.describe())

    def describe(self) -> str:
        where = f"{self.path}: " if self.path else ""
        shown = "" if self.value is _MISSING else f" = {self.value!r}"
        return f"{where}{self.key}{shown}: {self.fix}"

    def in_file(self, path: str) -> ConfigError:
        self.path = path
        self.args = (self.describe(),)
        return self


class ConfigFileError(ConfigError):
    """The file itself cannot be read or parsed."""


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()
MISSING = _MISSING
