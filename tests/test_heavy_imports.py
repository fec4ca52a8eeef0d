"""The bot starts without the heavy libraries: a chart or a workbook imports them itself."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from core.calendar import WorkingCalendar
from db.engine import make_engine
from db.migrate import upgrade
from devtools.fakebotapi import FakeBotApi
from tests import processes
from tests.scheduler.support import VN, province, start_users, task_for

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


# Every other country of the `holidays` package: `holidays.countries` imports them all
# (about 13 MB), where the working calendar needs Vietnam's alone (core/calendar.py).
OTHER_COUNTRIES = ("holidays.countries", "holidays.countries.united_states")
TOKEN = f"424247:heavy-imports-token-{uuid.uuid4().hex[:12]}"
START = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
FIRST_USER = 9100
COUNT = 3
# `python -m bot run`, and what it had imported written down as it exits (httpx's client is
# marked not importable, None, by bot/__init__.py).
RUN_AND_LIST = (
    "import atexit, runpy, sys\n"
    "path = sys.argv.pop()\n"
    "def listed():\n"
    "    loaded = sorted(m for m, module in list(sys.modules.items()) if module is not None)\n"
    "    with open(path, 'w') as f: f.write('\\n'.join(loaded))\n"
    "atexit.register(listed)\n"
    "runpy.run_module('bot', run_name='__main__', alter_sys=True)\n"
)


@pytest.mark.slow
def test_a_running_bot_after_its_fan_out_has_loaded_no_heavy_library(tmp_path: Path) -> None:
    """`dondoc run` started as deployed, its first sweep and fan-out done: none of the heavy
    libraries, the web server's, httpx's client or the calendar's other countries loaded.

    The bot's peak memory is held under its target (bench/README.md, issue 20) by what it
    leaves out; a module that creeps into start-up or the day's first run shows here.
    """
    db = tmp_path / "bot.sqlite3"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    due = WorkingCalendar().add_working_days(START.date(), 2)  # "2 working days before"
    with Session(engine, expire_on_commit=False) as session:
        units = province(session, COUNT, first_user=FIRST_USER)
        task_for(session, units, due, START - timedelta(days=1))
    engine.dispose()
    listed = tmp_path / "modules.txt"
    with FakeBotApi(TOKEN) as server:
        start_users(server, [FIRST_USER + i for i in range(COUNT)])
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")} | {
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
            "DATABASE_URL": f"sqlite:///{db}",
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": server.base_url,
            "TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "FAKE_CLOCK_START": START.isoformat(),
        }
        bot = subprocess.Popen(
            [sys.executable, "-c", RUN_AND_LIST, "run", str(listed)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            server.wait_for_sync(
                lambda: bot.poll() is not None or len(reminded(server)) >= COUNT or None,
                60,
                "the reminders",
            )
        finally:
            bot.terminate()
            out, err = bot.communicate(timeout=30)
            processes.keep("dondoc run (imports listed)", env, out, err)
    assert "Traceback" not in err
    assert reminded(server) == {FIRST_USER + i for i in range(COUNT)}
    loaded = set(listed.read_text().split())
    assert "holidays.countries.vietnam" in loaded  # the sweep read the calendar
    assert loaded & {*HEAVY, *WEB, *HTTPX_CLI, *OTHER_COUNTRIES} == set()


def reminded(server: FakeBotApi) -> set[int]:
    """Return the chats a message reached."""
    return {int(c.params["chat_id"]) for c in server.calls("sendMessage") if c.applied}
