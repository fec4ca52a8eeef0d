"""The status a file's caption gives ("đã xong, gửi ảnh biên bản"), recorded or asked."""

from __future__ import annotations

from app.actor import Actor
from app.checkin import Answer
from app.checkin.act import report_of
from app.checkin.confirm import confirm
from app.reporting import Report
from app.services import Services
from core.checkin import command_of
from core.replies.parse import parse_reply
from core.replies.result import ReplyKind


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


def confirm_caption(
    services: Services, actor: Actor, assignment_id: int, caption: str, key: str
) -> Answer:
    """Ask which status a forwarded file's caption means before recording it: the words are
    another's, as with a forwarded text; the caption is kept as the note."""
    reply = parse_reply(caption, today=services.today())
    return confirm(services, actor, assignment_id, reply, caption, key)
