"""The layering rules of docs/architecture.md, checked on the source.

import-linter (``make lint``, ``make test``) checks that imports only go down the layers;
these tests check that its contract names every app and really refuses an upward import,
function-local ones included, and that the code keeps its size rules.
"""

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "accounts", "catalogue", "realtime", "factories", "payments", "orders", "evidence", "marketplace"]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# The matching solver: numpy/scipy over plain values, where a long function may stay long.
PURE_SOLVER = {ROOT / "orders" / "matching" / f"{name}.py" for name in ("solver", "split_jobs", "whole_jobs", "greedy")}


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if "containers" not in c]  # the one between apps
    return {"roots": config["root_packages"], **contract}


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_layer_contract_names_every_app_we_install_bottom_layer_first():
    contract = _contract()
    ours = [app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()]
    depth = {
        name.strip(): level for level, layer in enumerate(reversed(contract["layers"])) for name in layer.split("|")
    }
    assert sorted(contract["roots"]) == sorted(ours) == sorted(depth) == sorted(APPS)
    assert [depth[app] for app in ours] == sorted(depth[app] for app in ours)  # settings list them bottom first
    assert (contract["layers"][0], contract["layers"][-1]) == ("marketplace", "core")


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("payments/services/payments.py", "from orders import services as _upward\n"),
        (
            "accounts/services.py",
            "\n\ndef _sneaky():\n    from factories.models import FactoryProfile\n\n    return FactoryProfile\n",
        ),
        ("payments/gateways/sandbox/gateway.py", "\n\ndef _sneaky():\n    from payments import tasks\n"),
        ("payments/gateways/wechatpay/notify.py", "from payments.gateways.sandbox import signing\n"),
    ],
    ids=["top-level", "function-local", "gateway-to-tasks", "gateway-to-gateway"],
)
def test_layer_contract_refuses_an_upward_import(tmp_path, module, line):
    # given: a copy of the apps with one upward import added
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / module, "a") as source:
        source.write(line)
    # when
    lint = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert lint.returncode == 1, lint.stdout + lint.stderr
    upper, lower = {
        "payments/services/payments.py": ("orders", "payments"),
        "accounts/services.py": ("factories", "accounts"),
        "payments/gateways/sandbox/gateway.py": ("payments.tasks", "payments.gateways"),
        "payments/gateways/wechatpay/notify.py": ("payments.gateways.sandbox", "payments.gateways.wechatpay"),
    }[module]
    assert f"{lower} is not allowed to import {upper}" in lint.stdout


def test_apps_import_other_apps_inside_functions_only_in_app_ready():
    """A function-local import hides a dependency; between apps it is only for
    AppConfig.ready() (models load after the app configs), where the seams are wired."""
    offenders = []
    for path in _app_modules():
        tree = ast.parse(path.read_text())
        own = path.relative_to(ROOT).parts[0]
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    other = node.module.split(".")[0]
                    if other in APPS and other != own and not (path.name == "apps.py" and function.name == "ready"):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}")
    assert offenders == []


# The machines whose moves a company hears of, and the one module that may move each: there
# the move and its ``*.status_changed`` event are made together (no hooks in the machine).
MOVERS = {
    "JOB": "orders/services/jobs.py",
    "ASSIGNMENT": "orders/services/jobs.py",
    "PAYMENT": "payments/services/moves.py",
    "SETTLEMENT": "payments/services/moves.py",
    "LINE_PAYOUT": "payments/services/moves.py",
}


def _machine_moves(tree):
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "move"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in MOVERS
        ):
            yield node.func.value.id, node.lineno


def test_every_move_that_a_company_hears_of_is_made_where_its_event_is_emitted():
    """A status change that skips its service's mover would skip the companies' streams."""
    offenders = []
    for path in _app_modules():
        for machine, line in _machine_moves(ast.parse(path.read_text())):
            where = str(path.relative_to(ROOT))
            if where != MOVERS[machine]:
                offenders.append(f"{where}:{line} {machine}.move")
    assert offenders == []
    # and each machine is moved in its mover (the check would pass vacuously otherwise)
    for machine, where in MOVERS.items():
        tree = ast.parse((ROOT / where).read_text())
        assert any(isinstance(node, ast.Name) and node.id == machine for node in ast.walk(tree)), machine
    # and it would see a move made elsewhere
    assert list(_machine_moves(ast.parse("JOB.move(job, 'open')"))) == [("JOB", 1)]


def test_modules_and_functions_stay_small_or_say_why():
    too_long = []
    for path in _app_modules():
        text = path.read_text()
        lines = text.splitlines()
        if len(lines) > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
        if path in PURE_SOLVER:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                head = "\n".join(lines[node.lineno - 1 : node.lineno + 6])
                if length > MAX_FUNCTION_LINES and "Long on purpose" not in head:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []
