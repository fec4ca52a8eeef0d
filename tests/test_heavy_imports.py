"""The bot starts without the heavy libraries: a chart or a workbook imports them itself."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("matplotlib", "openpyxl", "numpy", "PIL", "docx", "lxml", "alembic", "mako")
# What only `dondoc serve` needs: a polling bot (`dondoc run`) leaves it out.
WEB = ("uvicorn", "starlette", "jinja2")
# httpx's command-line client, which httpx imports with itself where these are installed
# (the dev tools bring them): bot/__init__.py marks it not importable.
HTTPX_CLI = ("httpx._main", "click", "rich", "pygments")


def test_starting_the_bot_imports_no_chart_or_workbook_library() -> None:
    """Importing the application, its CLI and every flow leaves out the heavy libraries.

    Charts, workbooks and Word reports load theirs in the worker process; Alembic is
    loaded only when the database is not at the newest migration; the web server's
    libraries only by `dondoc serve`; httpx's command-line client never.
    """
    probe = (
        "import sys, bot.app, bot.cli, app.jobs, handlers.telegram.chart, bot.commands.export;"
        "import bot.commands.run, bot.commands.serve, bot.commands.report;"
        f"print(','.join(m for m in {HEAVY + WEB + HTTPX_CLI!r} if sys.modules.get(m)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""
