"""The status a file's caption gives ("đã xong, gửi ảnh biên bản"), recorded or asked, and
the deadline extension it asks for ("#12 xin gia hạn đến 15/01/2027 vì chờ kinh phí"), sent."""

from __future__ import annotations

from app.actor import Actor
from app.checkin import Answer
from app.checkin.act import apply_one, report_of
from app.checkin.confirm import confirm
from app.reporting import Report
from app.services import Services
from core.checkin import command_of
from core.replies.parse import parse_reply
from core.replies.result import ParsedReply, ReplyKind


def caption_report(
    services: Services, assignment_id: int, caption: str, key: str
) -> Report | None:
    """Return the status a file's caption gives ("đã xong, gửi ảnh biên bản"), if a clear one:
    a command ("/explain #3 chưa xong vì …") gives none, it was meant to be run."""
    if not caption.strip() or command_of(caption):
        return None
    reply = parse_reply(caption, today=services.today())
    if reply is None or reply.uncertain:
        return None
    if not (
        reply.kind in (ReplyKind.DONE, ReplyKind.IN_PROGRESS)
        or (reply.kind == ReplyKind.BLOCKED and reply.reason)
    ):
        return None
    return report_of(assignment_id, reply, caption, key)


def caption_extension(services: Services, caption: str) -> ParsedReply | None:
    """Return the extension a file's caption asks for, as the same text alone would ask it,
    or None (a command is meant to be run, not read)."""
    if not caption.strip() or command_of(caption):
        return None
    reply = parse_reply(caption, today=services.today())
    if reply is None or reply.kind != ReplyKind.EXTENSION:
        return None
    return reply


def request_extension(
    services: Services,
    actor: Actor,
    assignment_id: int,
    reply: ParsedReply,
    caption: str,
    key: str,
) -> str:
    """Send the extension request a file's caption asks for (or ask its date, as for a text)
    and return what to say of it (blocking)."""
    answer = apply_one(services, actor, assignment_id, reply, caption, key)
    return "\n".join(said.text for said in answer.said)


def confirm_caption(
    services: Services, actor: Actor, assignment_id: int, caption: str, key: str
) -> Answer:
    """Ask which status a forwarded file's caption means before recording it: the words are
    another's, as with a forwarded text; the caption is kept as the note."""
    reply = parse_reply(caption, today=services.today())
    return confirm(services, actor, assignment_id, reply, caption, key)
