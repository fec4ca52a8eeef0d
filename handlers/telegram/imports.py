"""An admin sends a CSV, XLSX or tab-separated text file: recognise it by its header row
and import it.

Which importer runs is decided by the columns of the header (`app/import_files.py`). A
spreadsheet the bot does not take here (the sender is not an admin, or no importer knows
its header and the admin also reports for a unit) is passed on to the next handler, so
evidence files reach the evidence flow untouched. A .txt or .tsv file (Excel's "Unicode
Text") is taken only when its header names an importer's columns (`app.import_files.
text_import`): any other text file is passed on, whoever sent it.

A file of more than PREVIEW_OVER_ROWS data rows is not applied at once: the admin gets what
it would do (read alone, nothing written) and two buttons, apply and cancel. The file waits
in the database as the admin's pending import (so a restart keeps it) for IMPORT_TTL; the
buttons carry its random token, so a press meant for another file, an expired one or one
already used is refused and changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from functools import partial

from telegram import Document, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, filters

from app import import_files, import_notices
from app.import_files import PREVIEW_OVER_ROWS, Importer, importer_for, is_text_table, text_import
from app.import_report import (
    CHAT_LISTED_REJECTIONS,
    chunks,
    preview_lines,
    report_lines,
    unknown_header_text,
    unreadable_text,
)
from app.jobs import import_table, preview_table
from core.markup import to_plain
from core.roles import Access
from core.spreadsheet.read import check_size, read_table
from core.spreadsheet.table import Table
from core.spreadsheet_errors import UnreadableFile
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import Flow, PassingMessageHandler
from scheduler.workers import in_heavy_worker, in_process, still_wanted

log = logging.getLogger(__name__)

PREFIX = "im"  # im:ok:<token> applies the previewed file, im:no:<token> drops it
# .xls and .ods are taken too, to be told how to save them: else an admin's old Excel file
# went on to the evidence flow, whose answer ("no unit") says nothing of the import.
SPREADSHEET = (
    filters.Document.FileExtension("csv")
    | filters.Document.FileExtension("xlsx")
    | filters.Document.FileExtension("xls")
    | filters.Document.FileExtension("ods")
    | filters.Document.MimeType("text/csv")
    | filters.Document.MimeType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    | filters.Document.MimeType("application/vnd.ms-excel")
    | filters.Document.MimeType("application/vnd.oasis.opendocument.spreadsheet")
    | filters.Document.FileExtension("txt")
    | filters.Document.FileExtension("tsv")
)
# A document first: every text an official sends is asked too, and for it the one check
# fails at once where the ten of SPREADSHEET each looked for a document (a tenth of the
# handlers' work on a reply).
IMPORT_FILES = (
    filters.Document.ALL & filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & SPREADSHEET
)
# Refusals of a file that may be evidence, when its admin also reports for a unit.
NOT_OURS = ("other_spreadsheet", "password_protected")


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
        if is_text_table(document.file_name or ""):
            return False  # a text file that holds no table: a report, maybe evidence
        if req.actor.unit_ids and (exc.code in NOT_OURS or _other_kind(document)):
            return False  # an admin who also reports for a unit: maybe evidence
        await req.reply(
            unreadable_text(req.services.catalog, req.actor.lang, exc.code, exc.params)
        )
        return True
    if is_text_table(name) and not text_import(name, table):
        return False  # a text file whose header is none of ours: a report, maybe evidence
    importer = importer_for(table)
    if importer is None:
        if req.actor.unit_ids:
            return False  # an admin who also reports for a unit: maybe evidence
        await req.reply(unknown_header_text(req.services.catalog, req.actor.lang, table))
        return True
    if len(table.rows) > PREVIEW_OVER_ROWS:
        await offer_preview(req, importer, table, content, name)
    else:
        await run_import(req, importer, table)
    return True


def _other_kind(document: Document) -> bool:
    """Tell whether a document is named as a spreadsheet we do not import (.xls, .ods)."""
    return (document.file_name or "").lower().endswith((".xls", ".ods"))


async def offer_preview(
    req: Request, importer: Importer, table: Table, content: bytes, name: str
) -> None:
    """Say what the file would do (nothing written), keep it, and offer apply / cancel."""
    now = req.services.clock.now()
    try:
        report = await in_process(
            req.services.engine,
            preview_table,
            importer,
            table,
            actor_id=req.actor.contact_id,
            now=now,
            tz=str(req.services.settings.tz),
        )
    except UnreadableFile as exc:
        await req.reply(
            unreadable_text(req.services.catalog, req.actor.lang, exc.code, exc.params)
        )
        return
    contact_id = req.actor.contact_id  # replaces the admin's earlier preview, if any
    token = await req.atomic(import_files.keep, req.services, contact_id, name, content)
    minutes = import_files.WAITS_MINUTES
    lines = preview_lines(
        req.services.catalog, req.actor.lang, report, rows=len(table.rows), minutes=minutes
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                req.button(req.t("imports.button_apply"), PREFIX, "ok", token),
                req.button(req.t("imports.button_cancel"), PREFIX, "no", token),
            ]
        ]
    )
    texts = chunks(lines)
    for text in texts[:-1]:
        await req.reply(text)
    await req.reply(texts[-1], reply_markup=keyboard)


@button(Access.ADMIN)
async def on_preview_button(req: Request) -> None:
    """Apply or cancel the previewed file this button names; refuse any other press."""
    query = req.update.callback_query
    assert query is not None
    action, token = ([*req.args, "", ""])[1:3]
    contact_id = req.actor.contact_id
    if action == "no":
        taken = False
        if await req.atomic(import_files.claim, req.services, contact_id, token):
            try:  # not while it is being applied
                taken = await req.atomic(import_files.take, req.services, contact_id, token)
            finally:
                await req.atomic(import_files.release, req.services, token)
        if taken:
            await drop_buttons(req)
            await query.answer()
            await req.say("imports.preview_cancelled")
            return
    elif action == "ok":
        if id(req.update) in req.context.bot_data.inbox_reruns:
            # The press of an apply the process was killed in, run again at the start: the
            # admin was told how far it got and to press Apply again (import_files.
            # tell_cut_short), which the buttons, kept, do. Applied here, the rest came with
            # that notice after it, and the buttons went.
            log.info("an Apply press run again after a restart: left to the admin")
            return
        pending = await req.atomic(import_files.waiting, req.services, contact_id, token)
        if pending is not None:
            # Answered first: an import of thousands of rows outlasts the seconds Telegram
            # gives a press's answer, which it then refuses (the button spinning meanwhile).
            await query.answer()
            done = await apply_pending(req, token, pending)
            if done != "interrupted":  # interrupted, the file waits: its buttons apply it
                await drop_buttons(req)
            if not done:  # applied meanwhile by a press on another worker
                _stale(req, action, token)
                await req.say("imports.preview_stale")
            return
    _stale(req, action, token)
    await drop_buttons(req)
    await query.answer(to_plain(req.t("imports.preview_stale")), show_alert=True)


def _stale(req: Request, action: str, token: str) -> None:
    """Log a press of a preview's button that no longer applies or cancels anything."""
    # The token is what applies the file: logged by a fingerprint, enough to match presses.
    seen = hashlib.sha256(token.encode()).hexdigest()[:8]
    log.info("stale import button %s (file %s) from %s", action, seen, req.actor.external_id)


async def apply_pending(req: Request, token: str, pending: tuple[str, bytes]) -> bool | str:
    """Import the admin's pending file of that token, its name and content; False when it is
    no longer there, "interrupted" when the bot stopped it part way (the file waits still)."""
    name, content = pending
    limit = req.services.settings.import_max_bytes
    try:
        table = await in_heavy_worker(partial(read_table, content, name, max_bytes=limit))
    except UnreadableFile as exc:  # read once already; only a lowered limit gets here
        await req.reply(
            unreadable_text(req.services.catalog, req.actor.lang, exc.code, exc.params)
        )
        return True
    importer = importer_for(table)
    if importer is None:
        return False
    return await run_import(req, importer, table, token=token)


async def drop_buttons(req: Request) -> None:
    """Remove the buttons of the message whose button was pressed (best effort)."""
    query = req.update.callback_query
    if query is None or query.message is None:
        return
    with contextlib.suppress(BadRequest):  # already without buttons, or too old to edit
        await query.edit_message_reply_markup(reply_markup=None)


async def run_import(
    req: Request, importer: Importer, table: Table, *, token: str | None = None
) -> bool | str:
    """Apply the table and send the report (in several messages when it is long).

    With a token, the admin's pending file of that token is applied once at a time and
    taken once the import has ended (applied once, however often its button is pressed);
    False when it is gone already or being applied. Stopped part way (the bot stopping),
    the file stays pending and the admin is told how far it got and to press Apply again:
    "interrupted".
    """
    contact_id = req.actor.contact_id
    if token is not None and not await req.atomic(
        import_files.claim, req.services, contact_id, token
    ):
        return False  # being applied: by another press, here or on another worker
    after = await req.run(import_notices.last_entry_id, req.services)
    try:
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
                still_wanted=still_wanted,
                claim=token or "",
            )
        except UnreadableFile as exc:
            await req.reply(
                unreadable_text(req.services.catalog, req.actor.lang, exc.code, exc.params)
            )
            return True
        # Its units hear what it changed in their tasks (the rows saved, even if cut short).
        tell = partial(import_notices.tell_changed, actor_id=contact_id, after=after)
        told = await req.atomic(tell, req.services, req.actor.lang)
        if report.interrupted is not None:
            done, total = report.interrupted
            key = "imports.interrupted" if token is not None else "imports.interrupted_resend"
            await req.say(key, done=done, total=total)
            if told:
                await req.reply(told)
            return "interrupted" if token is not None else True
        if token is not None:  # applied: taken, its buttons now refused
            await req.atomic(import_files.take, req.services, contact_id, token)
    finally:
        if token is not None:
            await req.atomic(import_files.release, req.services, token)
    lines = report_lines(
        req.services.catalog, req.actor.lang, report, listed=CHAT_LISTED_REJECTIONS
    )
    for text in chunks([*lines, told] if told else lines):
        await req.reply(text)
    return True


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="imports",
        late=(
            PassingMessageHandler(IMPORT_FILES, on_spreadsheet),
            CallbackQueryHandler(on_preview_button, pattern=prefix_pattern(PREFIX)),
        ),
        heavy_documents=(IMPORT_FILES,),  # an admin's is read, previewed or applied
    )
