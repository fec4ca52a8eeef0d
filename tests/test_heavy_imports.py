"""The bot starts without the heavy libraries: a chart or a workbook imports them itself."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("matplotlib", "openpyxl", "numpy", "PIL")


def test_starting_the_bot_imports_no_chart_or_workbook_library() -> None:
    """Importing the application, its CLI and every flow leaves out matplotlib and openpyxl."""
    probe = (
        "import sys, bot.app, bot.cli, app.jobs, handlers.telegram.chart, bot.commands.export;"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""
