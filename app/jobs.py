"""Heavy jobs run in a worker process: an export's workbook, a report, a spreadsheet import.

Building a workbook of 50,000 rows or applying 10,000 imported rows is a minute of Python.
In a thread of the bot's process it would compete with the event loop for the GIL, and
each of everyone's answers needs the GIL hundreds of times: answers would crawl. In a
process of its own it uses the other core and the bot only waits for the result.

The functions here take and return plain values (they cross a process boundary) and open
their own engine on the same database, kept per process (or, run in a thread for an
in-memory database, are given the bot's engine).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.dashboard.filters import Shown, named_filters
from app.export_xlsx import build_workbook
from app.formal_report import REPORT_LANG, Letterhead, ReportFile, ReportTarget, build_report
from app.i18n import Catalog, load_catalog
from app.invite_sheet import invite_sheet
from core.chart import Bar, stacked_bars
from core.spreadsheet.report import ImportReport
from core.spreadsheet.table import Table
from core.status import Status
from core.tablefile import write_table
from db.engine import make_engine, session_scope
from db.imports import Importer
from db.imports.task_preview import preview_tasks
from db.imports.tasks import import_tasks
from db.imports.unit_preview import preview_units
from db.imports.units import import_units
from db.queries import export as xq
from db.queries import import_claims
from db.queries.formal_report import group_names, unit_names
from db.queries.scope import Scope

# An import commits every WRITE_SLICE_S of writing, then pauses as long (its preview only
# reads): on SQLite the write lock is free half the time for the people tapping
# meanwhile, whose writes would otherwise wait for the whole file.
WRITE_SLICE_S = 0.005
# On PostgreSQL nobody waits for a write lock of the whole database: an import's new rows
# block no one, and the rows it changes are locked one by one until its commit. It commits
# every PG_WRITE_SLICE_S (its progress kept, a stop heard) and does not pause: pausing as
# long as it wrote, a commit each 5 ms, doubled a 5,000-row import for nobody's good.
PG_WRITE_SLICE_S = 0.5

_engines: dict[str, Engine] = {}
_catalog: list[Catalog] = []


def _engine(url: str | Engine) -> Engine:
    """Return this process's engine on the database (made once); an engine is used as is."""
    if isinstance(url, Engine):
        return url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def _texts() -> Catalog:
    """Return the catalog, loaded once in this process."""
    if not _catalog:
        _catalog.append(load_catalog())
    return _catalog[0]


@dataclass(frozen=True)
class Workbook:
    """An export built: how many tasks and rows, and the XLSX file."""

    tasks: int
    rows: int
    content: bytes


def export_workbook(
    url: str | Engine,
    *,
    task_id: int | None,
    directive_id: int | None,
    scope: Scope,
    lang: str,
    now: datetime,
    tz: str,
    shown: Shown | None = None,
) -> Workbook | None:
    """Read the data and build the workbook; None when there is nothing to export.

    `shown`: the units a filtered dashboard page shows, within `scope`; the workbook holds
    theirs alone and says which filters kept them."""
    with session_scope(_engine(url)) as session:
        ids = xq.task_ids_for(session, task_id=task_id, directive_id=directive_id)
        data = xq.load(session, task_ids=ids, scope=shown.scope if shown else scope)
        groups = [] if scope.everything else group_names(session, group_ids=scope.group_ids)
        own = [] if scope.everything else unit_names(session, unit_ids=scope.unit_ids)
    if not data.lines:
        return None
    t = partial(_texts().get, lang)
    filtered = named_filters(t, shown) if shown else ""
    content = build_workbook(
        data, t, now=now, tz=ZoneInfo(tz), groups=groups, own=own, filtered=filtered
    )
    return Workbook(len(data.tasks), len(data.lines), content)


def report_document(
    url: str | Engine,
    *,
    target: ReportTarget,
    scope: Scope,
    now: datetime,
    tz: str,
    letterhead: Letterhead,
    shown: Shown | None = None,
) -> ReportFile | None:
    """Return the formal report (.docx bytes and file name); None when nothing is in scope.

    The one entry point for every channel (chat, dashboard, a download link): callers pass
    the reader's scope, and a filtered dashboard page the units it `shown` (named in the
    report's language, `REPORT_LANG`); run it off the event loop (`in_process`).
    """
    texts = _texts()
    with session_scope(_engine(url)) as session:
        return build_report(
            session,
            target=target,
            scope=scope,
            shown=shown.scope if shown else None,
            filtered=named_filters(partial(texts.get, REPORT_LANG), shown) if shown else "",
            catalog=texts,
            now=now,
            tz=ZoneInfo(tz),
            letterhead=letterhead,
        )


def import_table(
    url: str | Engine,
    importer: Importer,
    table: Table,
    *,
    actor_id: int | None,
    now: datetime,
    tz: str,
    still_wanted: Callable[[], bool] = lambda: True,
    claim: str = "",
) -> ImportReport:
    """Apply an imported table, committing in short slices (see WRITE_SLICE_S; on
    PostgreSQL, PG_WRITE_SLICE_S without a pause).

    With `claim` (a previewed file's token, `import_files.claim`), each slice's commit keeps
    how far it got in the file's claim: a process killed outright leaves it for the next
    start to tell the admin (`import_files.tell_cut_short`).

    Between slices it stops once the bot is stopping (`still_wanted`, a module's function:
    it crosses to the worker process, `scheduler.workers.still_wanted`): what was saved stays,
    the report says how far it got (`interrupted`), and the bot is gone within a slice
    rather than after the whole file (systemd and compose kill it after 30 s)."""
    engine = _engine(url)
    pause = engine.dialect.name == "sqlite"
    slice_s = WRITE_SLICE_S if pause else PG_WRITE_SLICE_S
    with session_scope(engine) as session:
        started = [time.monotonic()]
        began = started[0]

        def checkpoint(done: int, total: int) -> bool:
            held = time.monotonic() - started[0]
            if held < slice_s:
                return True
            if claim:  # written at the clock's time now, so the claim shows the apply alive
                moved = now + timedelta(seconds=time.monotonic() - began)
                import_claims.progress(session, token=claim, done=done, total=total, now=moved)
            session.commit()
            if not still_wanted():
                return False
            if pause:
                time.sleep(held)
            started[0] = time.monotonic()
            return True

        return importer(
            session, table, actor_id=actor_id, now=now, tz=ZoneInfo(tz), checkpoint=checkpoint
        )


def preview_table(
    url: str | Engine,
    importer: Importer,
    table: Table,
    *,
    actor_id: int | None,
    now: datetime,
    tz: str,
) -> ImportReport:
    """Report what importing a table would do, writing nothing: a tasks file or a units
    file by reading alone (`preview_tasks`, `preview_units`), in one read transaction."""
    del actor_id  # the import's audit entry names the actor; a preview writes none
    with Session(_engine(url)) as session:
        if importer is import_tasks:
            return preview_tasks(session, table, now=now, tz=ZoneInfo(tz))
        if importer is import_units:
            return preview_units(session, table, now=now, tz=ZoneInfo(tz))
    raise ValueError(f"no preview for {importer!r}")


def chart_png(
    database: str | Engine,
    bars: list[Bar],
    *,
    title: str,
    subtitle: str,
    legend: dict[Status, str],
    axis_label: str,
) -> bytes:
    """Draw a chart's PNG (the database is not read: the bars are given).

    In the worker process: matplotlib and numpy (~40 MB) stay imported once a chart is
    drawn, and would otherwise stay in the bot's memory for good.
    """
    del database
    return stacked_bars(bars, title=title, subtitle=subtitle, legend=legend, axis_label=axis_label)


@dataclass(frozen=True)
class InviteFile:
    """An invite sheet built: how many units it invites, and the XLSX or CSV file."""

    count: int
    content: bytes


def invite_file(
    url: str | Engine,
    *,
    lang: str,
    bot_username: str,
    include_covered: bool,
    actor_id: int | None,
    actor_label: str,
    now: datetime,
    ttl_days: int,
    tz: str,
    fmt: str,
) -> InviteFile | None:
    """Create a fresh invite per unit and write the sheet; None when no unit needs one.

    The file is written inside the transaction that creates the codes: if writing fails,
    no code is left behind that nobody was given.
    """
    catalog = _texts()
    with session_scope(_engine(url)) as session:
        header, rows = invite_sheet(
            session,
            catalog=catalog,
            lang=lang,
            bot_username=bot_username,
            include_covered=include_covered,
            actor_id=actor_id,
            actor_label=actor_label,
            now=now,
            ttl_days=ttl_days,
            tz=ZoneInfo(tz),
        )
        if not rows:
            return None
        title = catalog.get(lang, "invites.sheet_title")
        return InviteFile(len(rows), write_table(header, rows, fmt, title=title))
