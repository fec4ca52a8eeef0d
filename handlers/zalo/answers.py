"""Answering one Zalo event in its chat: its photo fetched (evidence), the Zalo channel run
in a worker thread, and each answer sent at the pacer's pace (a chart as a photo)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

from db.retry import retry_db_async
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.evidence import MAX_PHOTO
from handlers.zalo.files import PhotoSaid
from scheduler.workers import in_update_worker
from scheduler.zalo_sender import ZaloPacer
from zalo import TOO_LARGE, Event, ZaloClient, ZaloError

log = logging.getLogger(__name__)


async def answer(
    event: Event,
    channel: ZaloChannel,
    client: ZaloClient,
    pacer: ZaloPacer,
    on_wait: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Answer the event in its chat (nothing for a group: bots do not join them).

    A photo's answer is waited out while the database does not answer (SQLite's write lock
    held past its busy wait), `on_wait` telling the person once, then worked out again
    whole: each of its writes is kept once however often it runs (the file by its checksum,
    the status by the message's key). It ended in the generic error, photo and status lost.
    """
    if not event.private:
        return
    photo, oversized = await _photo(client, event)
    reply = partial(channel.answer, event, photo, oversized=oversized)
    if photo is not None:
        answers = await retry_db_async(
            lambda: in_update_worker(reply), "keeping a Zalo photo", on_wait=on_wait
        )
    else:
        answers = await in_update_worker(reply)
    for said in answers:
        await pacer.wait(event.chat_id)
        try:
            if isinstance(said, PhotoSaid):
                await client.send_photo(event.chat_id, said.photo_url, said.caption)
            else:
                await client.send_message(event.chat_id, said)
        except ZaloError as exc:
            log.warning("answer to Zalo event %s not sent: %s", event.message_id, exc)
            return
        finally:
            pacer.done(event.chat_id)


async def _photo(client: ZaloClient, event: Event) -> tuple[bytes | None, bool]:
    """Return the event's photo (None: none, or not fetched) and whether it was too large."""
    if event.name != "message.image.received" or not event.photo_url:
        return None, False
    try:
        return await client.download(event.photo_url, max_bytes=MAX_PHOTO), False
    except ZaloError as exc:
        log.warning("photo of Zalo event %s not fetched: %s", event.message_id, exc)
        return None, exc.code == TOO_LARGE
