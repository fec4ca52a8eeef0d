"""The import contract (pyproject's [tool.importlinter]) holds, and would catch a bad import."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "web", "handlers", "scheduler", "render", "app", "db", "core")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def copy_project(target: Path) -> None:
    """Copy the packages' Python files and the contract into target."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            target / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.toml", "migrations"),
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run the import contract on a tree (its packages first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def add_line(path: Path, line: str) -> None:
    """Append a line of code to a module."""
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a copy of the project's packages that a test may break."""
    tree = tmp_path_factory.mktemp("layers")
    copy_project(tree)
    return tree


def test_contract_holds_for_the_project(project: Path) -> None:
    """Every layer imports only the layers below it, and no cycle is hidden in a function."""
    result = lint(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout  # "0 broken": the contracts were read and checked


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("core/calendar.py", "from db import models as _models", "Layers"),
        ("core/calendar.py", "import telegram as _telegram", "The domain imports no"),
        ("app/reporting.py", "from telegram import Bot as _Bot", "Use cases and persistence"),
        ("db/engine.py", "def _late() -> None:\n    from app import services", "Layers"),
        ("scheduler/sender.py", "from handlers.telegram import keyboards", "Layers"),
        ("web/pages.py", "from handlers.telegram import inbox as _inbox", "Layers"),
        ("handlers/telegram/start.py", "from web import pages as _pages", "Layers"),
        ("web/health.py", "import telegram as _telegram", "The web adapter imports no"),
        ("app/dashboard/viewer.py", "import starlette as _starlette", "Use cases and persistence"),
        ("handlers/zalo/staff.py", "from db.queries import summary as _q", "Adapters read and"),
        (
            "web/pages.py",
            "def _late() -> None:\n    from db.models import Task",
            "Adapters read and",
        ),
        (
            "handlers/telegram/start.py",
            "from db.queries.snapshot import Seen",
            "Adapters read and",
        ),
    ],
)
def test_contract_fails_on_a_bad_import(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    """An import against the layers, even deferred into a function, breaks the contract."""
    copy_project(tmp_path)
    add_line(tmp_path / module, line)
    result = lint(tmp_path)
    assert result.returncode != 0
    # "... BROKEN", or "... BROKEN (14 ignored imports)" for a contract that ignores some
    broken = [row for row in result.stdout.splitlines() if re.search(r" BROKEN( \(|$)", row)]
    assert any(row.startswith(contract) for row in broken), result.stdout
