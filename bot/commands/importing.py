"""What `dondoc units import` and `dondoc tasks import` share: read, apply, report.

Exit status: 0 every row applied, 1 some rows rejected (the others applied), 2 the file
could not be read (nothing applied) or the settings are wrong.
"""

from __future__ import annotations

from pathlib import Path

from app.i18n import load_catalog
from app.import_report import report_lines, unreadable_text
from bot.console import EXIT_CONFIG, cli_language, load_settings, print_plain, say
from core.clock import SystemClock
from core.spreadsheet.read import check_size, read_table
from core.spreadsheet_errors import UnreadableFile
from db.engine import make_engine, session_scope
from db.imports import Importer
from db.migrate import upgrade


def import_file(path: Path, importer: Importer) -> int:
    """Import a CSV/XLSX file with the importer, print its report and return the status."""
    if not path.is_file():
        say("imports.file_missing", err=True, path=str(path))
        return EXIT_CONFIG
    settings = load_settings()
    catalog, lang = load_catalog(), cli_language()
    engine = make_engine(settings.database_url)
    try:
        check_size(path.stat().st_size, settings.import_max_bytes)  # before reading it
        table = read_table(path.read_bytes(), path.name, max_bytes=settings.import_max_bytes)
        upgrade(engine)
        with session_scope(engine) as session:
            report = importer(
                session,
                table,
                actor_id=None,
                actor_label="cli",
                now=SystemClock().now(),
                tz=settings.tz,
            )
    except UnreadableFile as exc:
        print_plain(unreadable_text(catalog, lang, exc.code, exc.params), err=True)
        return EXIT_CONFIG
    finally:
        engine.dispose()
    for line in report_lines(catalog, lang, report):
        print_plain(line)
    return report.exit_status
