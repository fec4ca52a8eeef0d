"""A photo sent on Zalo, kept as evidence like a Telegram photo: the use case
(`app.photo_evidence`) told of the photo's message and its bytes (fetched from photo_url by
`answers.py`); what it says is rendered by the channel. A typed number answering "which
task?" (`ep:<assignment>`) is taken by `take`."""

from __future__ import annotations

from collections.abc import Sequence

from app import photo_evidence
from app.actor import Actor
from app.checkin import Said
from app.photo_evidence import MAX_PHOTO, PREFIX
from app.services import Services
from core.textnorm import narrow, trim
from handlers.zalo.shorthand import is_dated_extension, rewrite
from zalo import Event

__all__ = ["MAX_PHOTO", "PREFIX", "keep", "take"]

CHANNEL = "zalo"


def keep(
    services: Services, actor: Actor, event: Event, photo: bytes | None, *, oversized: bool = False
) -> Said:
    """Keep the event's photo as evidence, or ask which task, or say why not (blocking)."""
    sent = photo_evidence.Sent(CHANNEL, event.message_id, _read(event.caption), _key(event))
    return photo_evidence.keep(services, actor, sent, photo, oversized=oversized)


def take(services: Services, actor: Actor, data: Sequence[str | int]) -> list[Said]:
    """File the photos kept pending for the task a typed number chose (blocking)."""
    return photo_evidence.take(services, actor, data, channel=CHANNEL)


def _read(caption: str) -> str:
    """Return a caption as a text is read: "#12 1" (the typed answer a reminder teaches) as
    "#12 xong", "#12 4 15/12 <reason>" as an extension asked for. It recorded no status, or
    took the reason of "4" for work in progress."""
    typed = trim(narrow(caption))
    if not typed.startswith("#") and not is_dated_extension(typed):
        return caption  # a number alone is a caption's own words: no status offer to answer
    return rewrite(typed, None) or caption


def _key(event: Event) -> str:
    """Return the dedup key of a status report sent as a photo's caption."""
    return f"zalo:msg:{event.sender_id}:{event.message_id}"
