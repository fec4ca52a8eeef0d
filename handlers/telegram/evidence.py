"""Evidence (minh chứng): files kept for an assignment, and /evidence to fetch them again.

A document or photo sent in reply to a reminder, naming a task in its caption ("#12"), sent
after choosing done, or sent while the unit has one open task is downloaded (bots may
download up to 20 MB) into the evidence folder with its checksum; otherwise the bot asks
which task (`ev:<assignment>` buttons, or a typed task number), once for an album, and the
answer keeps every file sent meanwhile; an album's other files follow the task its first was
kept for. A file too big is refused, the status of its caption recorded all the same.
/evidence sends the stored file from disk, not by Telegram file id; a unit's name that fits
several units given the task is answered with one button per unit (`el:p:<assignment>`, as
Zalo's typed choices).
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Any

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Message
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from app import evidence_files
from app.reporting import unit_inactive
from core.checkin import task_numbers
from core.markup import to_html, to_plain
from core.numbers import typed_number
from core.roles import Access
from db.queries.checkin import message_outbox, named_assignments, open_items
from db.queries.pending import clear_pending, get_pending, set_pending
from handlers.telegram import evidence_store
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.registry import CommandSpec, Flow
from render.telegram import buttons

MAX_SENT = 10
MAX_ASKED = 20  # files one question keeps (an album holds at most 10)
ALBUM = "album"  # the pending kind: the task an album's first file was kept for


def _attributed(req: Request, msg: Message) -> tuple[int | None, list[tuple[int, int]]]:
    """Return the assignment a file is for (None: ask) and the sender's (assignment, task)s.

    An album's files come as messages of their own, its caption on the first alone: the
    task one of them was kept for is remembered for the others (`ALBUM`).
    """
    now = req.services.clock.now()
    with req.db() as session:
        items = [
            (i.assignment_id, i.task_id) for i in open_items(session, unit_ids=req.actor.unit_ids)
        ]
        ids = {a for a, _ in items}
        found = _found(req, msg, session, items, ids)
        group = msg.media_group_id
        if group is not None and found is None:
            album = get_pending(session, contact_id=req.actor.contact_id, now=now, kind=ALBUM)
            if album is not None and album.get("group") == group:
                found = album.get("assignment_id")
                found = found if found in ids else None
        if group is not None and found is not None:
            remember_album(session, req, group, found)
    return found, items


def remember_album(session: Session, req: Request, group: str, assignment_id: int) -> None:
    """Remember the task an album's file was kept for, for its other files."""
    data = {"group": group, "assignment_id": assignment_id}
    set_pending(
        session,
        contact_id=req.actor.contact_id,
        data=data,
        now=req.services.clock.now(),
        kind=ALBUM,
    )


def _found(
    req: Request, msg: Message, session: Session, items: list[tuple[int, int]], ids: set[int]
) -> int | None:
    """Return the assignment a file names or follows (a reminder replied to, its caption, the
    only open task, done just chosen), or None."""
    now = req.services.clock.now()
    original = msg.reply_to_message
    if original is not None:
        sent = message_outbox(session, chat_id=str(msg.chat.id), message_id=original.message_id)
        about = set(sent.assignment_ids) if sent else set()
        numbers = task_numbers(original.text or original.caption or "")
        about |= {a for a, t in items if t in numbers}
        if len(about & ids) == 1:
            return (about & ids).pop()
        if len(about) == 1 and not about & ids:  # closed since: refused as such when kept
            return about.pop()
    numbers = task_numbers(msg.caption or "")
    named = [a for a, t in items if t in numbers]
    if len(named) == 1:
        return named[0]
    if numbers and not named:  # a task of the unit closed or cancelled: refused as such
        closed = named_assignments(session, task_ids=sorted(numbers), unit_ids=req.actor.unit_ids)
        if len(closed) == 1:
            return closed[0]
    if not numbers and len(items) == 1:  # the only open task, as a text or Zalo's photo
        return items[0][0]
    done = get_pending(session, contact_id=req.actor.contact_id, now=now, kind="done")
    if done is not None and done.get("assignment_id") in ids:
        return int(done["assignment_id"])
    return None


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
    assignment_id, items = await req.atomic(_attributed, req, msg)
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
    contact_id, unit_ids, now = req.actor.contact_id, req.actor.unit_ids, req.services.clock.now()
    group = msg.media_group_id

    def ask(session: Session) -> dict[int, str] | None:
        """Add the file to those the question asked about, if it is still asked (several
        files sent at once): the answer keeps them all. Return the titles to ask with, or None
        when the file is one of an album already asked about."""
        asked = get_pending(session, contact_id=contact_id, now=now)
        earlier = _uploads(asked) if asked and asked.get("step") == "evidence" else []
        data: dict[str, Any] = {
            "step": "evidence",
            "uploads": [*earlier, asdict(upload)][-MAX_ASKED:],
            "tasks": items,
            "group": group,
        }
        set_pending(session, contact_id=contact_id, data=data, now=now)
        if earlier and group is not None and asked and asked.get("group") == group:
            return None
        return {i.assignment_id: i.title for i in open_items(session, unit_ids=unit_ids)}

    titles = await req.transaction(ask)
    if titles is None:
        return
    rows = [[req.button(f"#{t} {titles.get(a, '')}"[:60], "ev", a)] for a, t in items[:20]]
    await req.reply(req.t("evidence.which_task"), reply_markup=InlineKeyboardMarkup(rows))


async def keep_pending(req: Request, pending: dict[str, Any], assignment_id: int) -> None:
    """Keep the files the bot asked about, for the assignment chosen (an album's others, still
    to come, follow it)."""
    group = pending.get("group")

    def forget(session: Session) -> None:
        clear_pending(session, contact_id=req.actor.contact_id)
        if isinstance(group, str):
            remember_album(session, req, group, assignment_id)

    await req.transaction(forget)
    for upload in _uploads(pending):
        await evidence_store.keep(req, assignment_id, evidence_store.Upload(**upload))


def _uploads(pending: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the files a pending question asks about (one, as it was kept before albums)."""
    uploads = pending.get("uploads")
    if isinstance(uploads, list):
        return [u for u in uploads if isinstance(u, dict)]
    return [pending["upload"]] if isinstance(pending.get("upload"), dict) else []


@button(Access.MEMBER)
async def on_choice(req: Request) -> None:
    """Keep the file the bot asked about for the task chosen by button."""
    query = req.update.callback_query
    assert query is not None
    pending = await req.transaction(
        lambda session: get_pending(
            session, contact_id=req.actor.contact_id, now=req.services.clock.now()
        )
    )
    chosen = typed_number(req.args[1]) if len(req.args) == 2 else None
    if pending is None or pending.get("step") != "evidence" or chosen is None:
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
    files = filters.ChatType.PRIVATE & (filters.Document.ALL | filters.PHOTO)
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
