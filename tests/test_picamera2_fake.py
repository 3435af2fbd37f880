"""The fake picamera2 (tests/fake_picamera2.py) and our Pi camera driver, checked against the REAL picamera2.

picamera2 cannot be imported here (it needs libcamera), so its source is read instead: .ci/run
downloads the pinned wheel without dependencies and exports KIOSK_PICAMERA2_WHEEL; the wheel is
opened as a zip and picamera2/picamera2.py parsed with `ast`, never executed. Every method of the
fake must have the real method's parameters (names, kinds, order, defaults), and every call the
driver makes on a Picamera2 must bind to the real signature. Without the wheel these tests skip
and say how to get it.
"""

from __future__ import annotations

import ast
import inspect
import os
import zipfile
from pathlib import Path

import pytest

from fake_picamera2 import NOT_LIBCAMERA, PICAMERA2_VERSION, FakePicamera2
from helpers import REPO

DRIVER = REPO / "drivers" / "camera" / "picamera2.py"
WHEEL_FOLDER = Path(__file__).resolve().parent / ".picamera2"  # where .ci/run downloads it


class SourceDefault:
    """A default that is an expression, not a literal (libcamera.Transform()): kept as its source text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def find_wheel() -> Path:
    named = os.environ.get("KIOSK_PICAMERA2_WHEEL")
    candidates = [Path(named)] if named else sorted(WHEEL_FOLDER.glob(f"picamera2-{PICAMERA2_VERSION}-*.whl"))
    found = [path for path in candidates if path.is_file()]
    if not found:
        pytest.skip(
            f"the picamera2 {PICAMERA2_VERSION} wheel is absent (KIOSK_PICAMERA2_WHEEL unset, nothing in {WHEEL_FOLDER}); "
            f"get it with: pip download --no-deps --only-binary=:all: picamera2=={PICAMERA2_VERSION} -d {WHEEL_FOLDER}"
        )
    return found[0]


def signature_of(function: ast.FunctionDef) -> inspect.Signature:
    """The signature a `def` declares, read from its syntax tree."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = []
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = (
            inspect.Parameter.POSITIONAL_ONLY
            if index < len(args.posonlyargs)
            else inspect.Parameter.POSITIONAL_OR_KEYWORD
        )
        params.append(inspect.Parameter(arg.arg, kind, default=value_of(default)))
    if args.vararg:
        params.append(inspect.Parameter(args.vararg.arg, inspect.Parameter.VAR_POSITIONAL))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(inspect.Parameter(arg.arg, inspect.Parameter.KEYWORD_ONLY, default=value_of(default)))
    if args.kwarg:
        params.append(inspect.Parameter(args.kwarg.arg, inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(params)


def value_of(default: ast.expr | None) -> object:
    if default is None:
        return inspect.Parameter.empty
    try:
        return ast.literal_eval(default)
    except ValueError:
        return SourceDefault(ast.unparse(default))


@pytest.fixture(scope="module")
def real_methods() -> dict[str, inspect.Signature]:
    """picamera2.Picamera2's methods as its source declares them (the implementation, not the @overload stubs)."""
    wheel = find_wheel()
    with zipfile.ZipFile(wheel) as archive:
        assert any(name.startswith(f"picamera2-{PICAMERA2_VERSION}.dist-info/") for name in archive.namelist()), (
            f"{wheel.name} is not picamera2 {PICAMERA2_VERSION}, the release fake_picamera2.py copies"
        )
        tree = ast.parse(archive.read("picamera2/picamera2.py"))
    (cls,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Picamera2"]
    methods = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and not any(
            ast.unparse(d).endswith("overload") for d in node.decorator_list
        ):
            methods[node.name] = signature_of(node)
    return methods


def fake_methods() -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member) for name, member in vars(FakePicamera2).items() if inspect.isfunction(member)
    }


def differences(fake: inspect.Signature, real: inspect.Signature) -> list[str]:
    found = []
    fake_params, real_params = list(fake.parameters.values()), list(real.parameters.values())
    if [(p.name, p.kind) for p in fake_params] != [(p.name, p.kind) for p in real_params]:
        return [f"parameters {fake} but picamera2 has {real}"]
    for ours, theirs in zip(fake_params, real_params, strict=True):
        if isinstance(theirs.default, SourceDefault):
            if ours.default is not NOT_LIBCAMERA:
                found.append(f"{ours.name} defaults to {ours.default!r}; picamera2's default is {theirs.default!r}")
        elif ours.default != theirs.default or type(ours.default) is not type(theirs.default):
            found.append(f"{ours.name} defaults to {ours.default!r}; picamera2's default is {theirs.default!r}")
    return found


def test_every_method_of_the_fake_has_picamera2s_real_signature(real_methods):
    fake = fake_methods()
    assert {"__init__", "create_video_configuration", "configure", "start", "capture_array", "stop", "close"} <= set(
        fake
    )
    problems = {
        name: differences(signature, real_methods[name])
        if name in real_methods
        else ["picamera2.Picamera2 has no such method"]
        for name, signature in fake.items()
    }
    assert {name: found for name, found in problems.items() if found} == {}


def driver_calls() -> list[tuple[str, ast.Call]]:
    """(Picamera2 method, call) for every call drivers/camera/picamera2.py makes on a Picamera2.

    The camera object is followed by name: whatever `*.Picamera2(...)` is assigned to, and any
    attribute that is then assigned from that name (cam -> self._cam).
    """
    tree = ast.parse(DRIVER.read_text())
    constructions = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Picamera2"
    ]  # fmt: skip
    holders: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and node.value in constructions:
            holders.update(ast.unparse(target) for target in node.targets)
    for node in ast.walk(tree):  # cam -> self._cam, including `self._cam, self._index = cam, 0`
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (
                    zip(target.elts, node.value.elts, strict=False)
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                    else [(target, node.value)]
                )
                holders.update(ast.unparse(t) for t, v in pairs if ast.unparse(v) in holders)
    calls = [("__init__", node) for node in constructions]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and ast.unparse(node.func.value) in holders
        ):
            calls.append((node.func.attr, node))
    return calls


def test_every_call_the_driver_makes_fits_picamera2s_real_signature(real_methods):
    calls = driver_calls()
    called = {name for name, _ in calls}
    # the driver's whole use of the camera, so a renamed variable cannot make this test check nothing
    assert {
        "__init__",
        "create_video_configuration",
        "configure",
        "start",
        "capture_array",
        "stop",
        "close",
    } <= called, called
    assert called <= set(fake_methods()), f"the driver calls {called - set(fake_methods())}, which the fake lacks"
    refused = []
    for name, call in calls:
        if name not in real_methods:
            refused.append(f"line {call.lineno}: picamera2.Picamera2 has no method {name}")
            continue
        keywords = {keyword.arg: None for keyword in call.keywords if keyword.arg is not None}
        try:
            real_methods[name].bind(None, *[None] * len(call.args), **keywords)  # None stands for self
        except TypeError as error:
            refused.append(f"line {call.lineno}: {ast.unparse(call)}: {error}")
    assert refused == []
