"""Dependencies point one way (docs/architecture.md). Every import in kiosk/, drivers/ and sync/ is
read from the source, module level and inside functions alike, and checked against the layers:

    kiosk core  <-  drivers, sync  <-  composition (kiosk.app, kiosk.cli, kiosk.console)

- the core (every kiosk module outside the composition layer) imports neither drivers nor sync;
- drivers and sync import the core, never each other and never the composition layer;
- sync does not borrow from core modules that belong to other interfaces (the CSV export, the
  technician actions of the CLI).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("kiosk", "drivers", "sync")
COMPOSITION = ("kiosk.app", "kiosk.cli", "kiosk.console", "kiosk.__main__")
# Core modules that are interfaces of their own: sync has its own wire format and roster logic.
NOT_FOR_SYNC = ("kiosk.export", "kiosk.staff")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, imported name) for every absolute import of a project package in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from kiosk import staff` imports the module kiosk.staff: check both spellings.
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] in PACKAGES]
    return found


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def layer(module: str) -> str:
    if within(module, COMPOSITION):
        return "composition"
    return module.split(".")[0]  # kiosk (the core), drivers or sync


def violation(importer: str, imported: str) -> str | None:
    source, target = layer(importer), layer(imported)
    if source == "composition":
        return None
    if target == "composition":
        return "only the composition layer may import the composition layer"
    if source == "kiosk" and target in ("drivers", "sync"):
        return "the core must not know drivers or transports; the composition layer wires them"
    if {source, target} == {"drivers", "sync"}:
        return "drivers and sync are independent; they meet in the composition layer"
    if source == "sync" and within(imported, NOT_FOR_SYNC):
        return "sync must not borrow another interface's module"
    return None


def all_violations() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            importer = module_name(path)
            reported: set[int] = set()
            for line, imported in imports_of(path):
                reason = violation(importer, imported)
                if reason and line not in reported:  # one report per import statement
                    reported.add(line)
                    found.append(f"{path.relative_to(REPO)}:{line}: {importer} imports {imported}: {reason}")
    return found


def test_imports_point_one_way() -> None:
    problems = all_violations()
    assert not problems, "imports against the direction of docs/architecture.md:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "importer, imported, allowed",
    [
        ("kiosk.pipeline", "drivers.camera.file", False),
        ("kiosk.face.recognizer", "sync.zk", False),
        ("drivers.fingerprint.zkteco", "sync.zk.codec", False),
        ("sync.pull_api", "drivers.camera", False),
        ("sync.push", "kiosk.export", False),
        ("sync.roster", "kiosk.staff", False),
        ("drivers.camera.file", "kiosk.cli.main", False),
        ("sync.push", "kiosk.store", True),
        ("drivers.camera.file", "kiosk.camera", True),
        ("kiosk.app.daemon", "drivers.camera.select", True),
        ("kiosk.cli.zk", "drivers.fingerprint.zkteco", True),
        ("kiosk.console.app", "sync.wsgi_server", True),
    ],
)
def test_the_rule_itself(importer: str, imported: str, allowed: bool) -> None:
    # The checker must be able to fail: a known-bad import is reported, a known-good one is not.
    assert (violation(importer, imported) is None) == allowed
