"""Evidence (minh chứng): files kept for an assignment, and /evidence to fetch them again.

A document or photo sent in reply to a reminder, naming a task in its caption ("#12"), sent
after choosing done, or sent while the unit has one open task is downloaded (bots may
download up to 20 MB) into the evidence folder with its checksum; otherwise the bot asks
which task (`ev:<assignment>` buttons, or a typed task number), once for an album, and the
answer keeps every file sent meanwhile; a status typed instead ("#12 xong") keeps them for
the task it records, any other text says they were not kept (`app.checkin.text`); an album's
other files follow the task its first was kept for. A file too big is refused, the status
of its caption recorded all the same.
/evidence sends the stored file from disk, not by Telegram file id; a unit's name that fits
several units given the task is answered with one button per unit (`el:p:<assignment>`, as
Zalo's typed choices).
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from app import evidence_files, evidence_keep
from app.checkin.act import MAX_PICK
from app.reporting import unit_inactive
from core.markup import to_html, to_plain
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram import evidence_store
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from render.telegram import buttons

MAX_SENT = 10


def _replied(msg: Message) -> evidence_keep.Replied | None:
    """Return the message a file was sent in reply to, as the use case reads it."""
    original = msg.reply_to_message
    if original is None:
        return None
    text = original.text or original.caption or ""
    return evidence_keep.Replied(str(msg.chat.id), original.message_id, text)


@command(Access.MEMBER)
async def on_file(req: Request) -> None:
    """Keep a file as evidence of the assignment it is about, or ask which one."""
    msg = req.message
    upload = evidence_store.upload_of(msg) if msg is not None else None
    if msg is None or upload is None:
        return
    if not req.actor.unit_ids:
        await req.say("evidence.no_unit")
        return
    oversized = upload.size > evidence_store.MAX_DOWNLOAD
    attribute = partial(
        evidence_keep.attribute,
        replied=_replied(msg),
        caption=msg.caption or "",
        group=msg.media_group_id,
    )
    assignment_id, items = await req.atomic(attribute, req.services, req.actor)
    if oversized:  # the status its caption states is recorded all the same
        size = round(upload.size / 1048576, 1)
        failed = req.t("evidence.too_big", size=size, limit=20)
        await evidence_store.not_stored(req, failed, assignment_id, upload)
        return
    if assignment_id is not None:
        await evidence_store.keep(req, assignment_id, upload)
        return
    if not items:  # every unit deactivated: that is why
        actor = req.actor
        inactive = await req.atomic(
            partial(unit_inactive, req.services, actor.lang, actor.unit_ids, every=True)
        )
        await req.reply(inactive or req.t("checkin.no_open"))
        return
    ask = partial(evidence_keep.ask_which, group=msg.media_group_id)
    titles = await req.atomic(ask, req.services, req.actor, asdict(upload), items)
    if titles is None:
        return
    rows = [[req.button(f"#{t} {titles.get(a, '')}"[:60], "ev", a)] for a, t in items[:MAX_PICK]]
    asked = req.t("evidence.which_task")
    if len(items) > MAX_PICK:  # the others are named by typing their number, as it says
        more = len(items) - MAX_PICK
        asked += "\n" + req.t("checkin.more_pick", n=more, task=str(items[MAX_PICK][1]))
    await req.reply(asked, reply_markup=InlineKeyboardMarkup(rows))


async def keep_pending(req: Request, pending: dict[str, Any], assignment_id: int) -> None:
    """Keep the files the bot asked about, for the assignment chosen (an album's others, still
    to come, follow it)."""
    group, contact_id = pending.get("group"), req.actor.contact_id
    await req.atomic(evidence_keep.answered, req.services, contact_id, group, assignment_id)
    for upload in evidence_keep.uploads(pending):
        await evidence_store.keep(req, assignment_id, evidence_store.Upload(**upload))


@button(Access.MEMBER)
async def on_choice(req: Request) -> None:
    """Keep the file the bot asked about for the task chosen by button."""
    query = req.update.callback_query
    assert query is not None
    pending = await req.atomic(evidence_keep.asked, req.services, req.actor.contact_id)
    chosen = typed_number(req.args[1]) if len(req.args) == 2 else None
    if pending is None or chosen is None:
        await query.answer(to_plain(req.t("checkin.question_expired")), show_alert=True)
        return
    await query.answer()
    await keep_pending(req, pending, chosen)


@command(Access.COORDINATOR)
async def evidence_command(req: Request) -> None:
    """/evidence <task> <unit>: send back the files kept as that assignment's evidence."""
    text, scope, contact_id = req.text_args, req.actor.scope, req.actor.contact_id
    found = await req.transaction(
        lambda session: evidence_files.find(
            session, req.t, text=text, scope=scope, contact_id=contact_id
        )
    )
    if found.fitting:
        words, choices = evidence_files.which_unit(req.t, found.fitting)
        await req.reply(
            words, reply_markup=buttons(req.services.button_key, req.actor.external_id, choices)
        )
        return
    await _send_files(req, found)


@button(Access.COORDINATOR)
async def on_unit(req: Request) -> None:
    """Send the files of the unit chosen among those a name fit (`el:p:<assignment>`)."""
    query = req.update.callback_query
    assert query is not None
    chosen = typed_number(req.args[2]) if len(req.args) == 3 else None
    if chosen is None:
        await query.answer(to_plain(req.t("common.button_stale")), show_alert=True)
        return
    await query.answer()
    contact_id = req.actor.contact_id
    found = await req.transaction(
        lambda session: evidence_files.of_assignment(
            session, req.t, assignment_id=chosen, contact_id=contact_id
        )
    )
    await _send_files(req, found)


async def _send_files(req: Request, found: evidence_files.Found) -> None:
    """Send an assignment's evidence files from disk, or say why there are none."""
    if found.said:
        await req.reply(found.said)
        return
    files = found.files
    chat = req.update.effective_chat
    assert chat is not None
    for kept in files[:MAX_SENT]:
        path = req.services.settings.evidence_path / kept.storage_path
        if not path.is_file():
            await req.say("evidence.missing", name=kept.file_name)
            continue
        with path.open("rb") as fh:
            await req.context.bot.send_document(
                chat.id,
                fh,
                filename=kept.file_name,
                caption=to_html(
                    req.t(
                        "evidence.caption",
                        name=kept.file_name,
                        at=kept.created_at.astimezone(req.services.settings.tz),
                        sha=kept.sha256[:12],
                    )
                ),
            )


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    files = (filters.Document.ALL | filters.PHOTO) & filters.ChatType.PRIVATE  # a file first
    return Flow(
        name="evidence",
        commands=(
            CommandSpec(
                "evidence",
                Access.COORDINATOR,
                evidence_command,
                "evidence.cmd",
                aliases=("minhchung",),
            ),
        ),
        late=(
            MessageHandler(files & filters.UpdateType.MESSAGE, on_file),
            CallbackQueryHandler(on_choice, pattern=prefix_pattern("ev")),
            CallbackQueryHandler(on_unit, pattern=prefix_pattern(evidence_files.UNIT_PICK[0])),
        ),
    )
