"""An admin sends a CSV or XLSX file: recognise it by its header row and import it.

Which importer runs is decided by the columns of the header (IMPORTERS). A spreadsheet the
bot does not take here (the sender is not an admin, or no importer knows its header and
the admin also reports for a unit) is passed on to the next handler, so evidence files
reach the evidence flow untouched.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from app.import_report import chunks, report_lines, unreadable_text
from app.jobs import import_table
from core.markup import Markup
from core.roles import Access
from core.spreadsheet import Table, UnreadableFile, check_size, read_table
from db.imports import Importer
from db.imports.tasks import import_tasks
from db.imports.units import import_units
from handlers.telegram.access import Context, Request, command
from handlers.telegram.registry import Flow
from scheduler.workers import in_heavy_worker, in_process

log = logging.getLogger(__name__)

# Header signature (the columns a file must have, in their documented order) -> importer.
# The most specific signature the header contains wins.
IMPORTERS: dict[tuple[str, ...], Importer] = {
    ("code", "name", "kind"): import_units,  # + parent_code, groups (optional)
    ("title", "deadline", "assignees"): import_tasks,  # + code, directive, description
}
SPREADSHEET = (
    filters.Document.FileExtension("csv")
    | filters.Document.FileExtension("xlsx")
    | filters.Document.MimeType("text/csv")
    | filters.Document.MimeType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
)


def importer_for(table: Table) -> Importer | None:
    """Return the importer whose header signature the table's header contains."""
    header = set(table.header)
    matching = [sig for sig in IMPORTERS if set(sig) <= header]
    return IMPORTERS[max(matching, key=len)] if matching else None


@command(Access.PUBLIC)
async def on_spreadsheet(req: Request) -> bool:
    """Import an admin's spreadsheet; return False to pass the file on to other flows."""
    if req.actor.access < Access.ADMIN or req.message is None or req.message.document is None:
        return False
    document = req.message.document
    limit = req.services.settings.import_max_bytes
    try:
        check_size(document.file_size or 0, limit)  # before downloading it
        content = bytes(await (await document.get_file()).download_as_bytearray())
        # Parsing is CPU work: off the event loop, so other people's updates keep flowing.
        name = document.file_name or ""
        table = await in_heavy_worker(partial(read_table, content, name, max_bytes=limit))
    except UnreadableFile as exc:
        await req.reply(
            unreadable_text(req.services.catalog, req.actor.lang, exc.code, exc.params)
        )
        return True
    importer = importer_for(table)
    if importer is None:
        if req.actor.unit_ids:
            return False  # an admin who also reports for a unit: maybe evidence
        headers = "\n".join(f"`{','.join(sig)}`" for sig in IMPORTERS)
        await req.say("imports.unknown_header", headers=Markup(headers))
        return True
    await run_import(req, importer, table)
    return True


async def run_import(req: Request, importer: Importer, table: Table) -> None:
    """Apply the table and send the report (in several messages when it is long)."""
    try:
        # Thousands of rows: in a worker process, committed every few rows (app.jobs).
        report = await in_process(
            req.services.engine,
            import_table,
            importer,
            table,
            actor_id=req.actor.contact_id,
            now=req.services.clock.now(),
            tz=str(req.services.settings.tz),
        )
    except UnreadableFile as exc:
        await req.reply(
            unreadable_text(req.services.catalog, req.actor.lang, exc.code, exc.params)
        )
        return
    for text in chunks(report_lines(req.services.catalog, req.actor.lang, report)):
        await req.reply(text)


class PassingMessageHandler(MessageHandler[Context, Any]):
    """A MessageHandler whose callback may decline (return False) in favour of later ones."""

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, Context, Any, Any, Any, Any],
        check_result: Any,
        context: Context,
    ) -> Any:
        """Run the callback; when it declines, give the update to the next handler that fits."""
        taken = await super().handle_update(update, application, check_result, context)
        if taken is not False:
            return taken
        for handlers in application.handlers.values():
            if self not in handlers:
                continue
            for later in handlers[handlers.index(self) + 1 :]:
                check = later.check_update(update)
                if check is not None and check is not False:
                    return await later.handle_update(update, application, check, context)
        return None


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="imports",
        late=(PassingMessageHandler(filters.ChatType.PRIVATE & SPREADSHEET, on_spreadsheet),),
    )
