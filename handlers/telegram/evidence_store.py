"""Keeping a file as evidence: download it (up to 20 MB), store it with its checksum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from telegram import Message
from telegram.error import TelegramError

from app import evidence_keep
from app.checkin.caption import (
    caption_extension,
    caption_report,
    confirm_caption,
    request_extension,
)
from app.said import as_said, waited
from app.services import Services
from core.replies.result import ParsedReply
from core.textnorm import plain_file_name
from handlers.telegram.access import Request
from render.telegram import buttons

MAX_DOWNLOAD = 20 * 1024 * 1024
MIME_LIMIT = (
    120  # the column's length: a longer type (the sender's app names it) failed the insert
)


@dataclass(frozen=True)
class Upload:
    """A file a user sent, as the channel describes it."""

    file_id: str
    file_name: str
    size: int
    mime_type: str | None
    caption: str = ""  # what it says: a status ("đã xong") is recorded with the file
    key: str = ""  # the dedup key of that status report (the message)
    forwarded: bool = False  # another's file and words: the caption's status is asked first
    sent_at: float = 0.0  # when Telegram dated the message (seconds since the epoch; 0: not)


def upload_of(msg: Message) -> Upload | None:
    """Return the document or the largest photo size of a message."""
    if msg.document is not None:
        doc = msg.document
        name = plain_file_name(doc.file_name or "", f"file_{doc.file_unique_id}")
        mime = doc.mime_type if doc.mime_type and len(doc.mime_type) <= MIME_LIMIT else None
        return Upload(doc.file_id, name, doc.file_size or 0, mime, *_words(msg))
    if msg.photo:
        photo = msg.photo[-1]
        name = f"photo_{photo.file_unique_id}.jpg"
        size = photo.file_size or 0
        return Upload(photo.file_id, name, size, "image/jpeg", *_words(msg))
    return None


async def keep(req: Request, assignment_id: int, upload: Upload) -> None:
    """Download a file into the evidence folder and record it for the assignment."""
    admitted = await req.atomic(evidence_keep.admit, req.services, req.actor, assignment_id)
    about = admitted.target
    if about is None:
        await req.reply(admitted.refused)
        return
    if await _over_quota(req, about.unit_id, upload.file_name, upload.size):
        return
    try:
        remote = await req.context.bot.get_file(upload.file_id)
        content = bytes(await remote.download_as_bytearray())
    except TelegramError:
        await not_stored(req, req.t("evidence.download_failed", limit=20), assignment_id, upload)
        return
    if not content:  # a file of 0 bytes proves nothing
        await req.say("evidence.empty", name=upload.file_name)
        return
    report = caption_report(req.services, assignment_id, upload.caption, upload.key)
    filing = evidence_keep.Filing(
        upload.file_name, upload.mime_type, content, upload.file_id, upload.caption
    )
    # A forwarded file's caption is another's words: its status is asked, not recorded.
    asked = report is not None and upload.forwarded
    extension = None if upload.forwarded else caption_extension(req.services, upload.caption)
    file_it = partial(evidence_keep.file_it, status_asked=asked or extension is not None)
    # Off the loop: up to 20 MB written, and its row.
    filed = await req.atomic(
        file_it, _as_sent(req, upload), req.actor, about, filing, None if asked else report
    )
    if extension is not None:
        line = await _request(req, assignment_id, extension, upload)
        await req.reply(f"{filed.text}\n{line}")
        return
    if not (asked and filed.kept):
        await req.reply(filed.text)
        return
    confirmed = await req.atomic(
        confirm_caption, req.services, req.actor, assignment_id, upload.caption, upload.key
    )
    [said] = confirmed.said
    markup = buttons(req.services.button_key, req.actor.external_id, said.choices)
    await req.reply(f"{filed.text}\n{said.text}", reply_markup=markup)


async def not_stored(req: Request, failed: str, assignment_id: int | None, upload: Upload) -> None:
    """Say why a file was not kept (too big, not downloaded); the status its caption states
    for the assignment it is about is recorded all the same, and the extension it asks for
    sent (a forwarded file's are not: they would be asked about first)."""
    report = extension = None
    if assignment_id is not None and not upload.forwarded:
        report = caption_report(req.services, assignment_id, upload.caption, upload.key)
        extension = caption_extension(req.services, upload.caption)
    said = await req.atomic(
        evidence_keep.with_status, _as_sent(req, upload), req.actor, failed, report
    )
    if assignment_id is not None and extension is not None:
        said += "\n" + await _request(req, assignment_id, extension, upload)
    await req.reply(said)


async def _request(
    req: Request, assignment_id: int, extension: ParsedReply, upload: Upload
) -> str:
    """Send the extension request a file's caption asks for, as the same text would."""
    send = partial(request_extension, req.services, req.actor, assignment_id, extension)
    return await req.atomic(send, upload.caption, upload.key)


def _words(msg: Message) -> tuple[str, str, bool, float]:
    """Return a file message's caption, the dedup key of its status, whether it is
    forwarded, and when it was sent."""
    return msg.caption or "", _key(msg), msg.forward_origin is not None, msg.date.timestamp()


def _as_sent(req: Request, upload: Upload) -> Services:
    """Return the services as of when the file was sent, when it waited (`app.said`): the
    status its caption states counts from then."""
    sent = datetime.fromtimestamp(upload.sent_at, UTC) if upload.sent_at else None
    return as_said(req.services, waited(sent))


def _key(msg: Message) -> str:
    """Return the dedup key of a status report sent as this message's caption."""
    return f"tg:msg:{msg.chat.id}:{msg.message_id}"


async def _over_quota(req: Request, unit_id: int, name: str, size: int) -> bool:
    """Refuse (and say so) a file that would take the unit's evidence past its quota."""
    lang = req.actor.lang
    over = partial(evidence_keep.over_quota, unit_id=unit_id, name=name, size=size)
    full = await req.atomic(over, req.services, lang)
    if full:
        await req.reply(full)
    return bool(full)
