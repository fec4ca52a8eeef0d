"""Answering one Zalo event in its chat: its photo fetched (evidence), the Zalo channel run
in a worker thread (a heavy command's in the dispatch's heavy lane, `Worker`), and each
answer sent at the pacer's pace (a chart as a photo)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

from app.people import unreachable
from app.unsent import queue_unsent
from db.retry import UnkeptError, retry_db_async
from handlers.zalo.channel import CHANNEL, ZaloChannel
from handlers.zalo.evidence import MAX_PHOTO
from handlers.zalo.files import PhotoSaid
from scheduler.workers import in_update_worker
from scheduler.zalo_sender import ZaloPacer
from zalo import TOO_LARGE, Event, ZaloClient, ZaloError

log = logging.getLogger(__name__)

T = TypeVar("T")


class Worker(Protocol):
    """Where the channel's answer runs: `in_update_worker`, or a heavy command's pool."""

    def __call__(self, function: Callable[..., T], /, *args: Any) -> Awaitable[T]: ...


async def answer(
    event: Event,
    channel: ZaloChannel,
    client: ZaloClient,
    pacer: ZaloPacer,
    on_wait: Callable[[], Awaitable[None]] | None = None,
    *,
    worker: Worker = in_update_worker,
) -> int:
    """Answer the event in its chat (nothing for a group: bots do not join them); return when
    its first answer reached Zalo, by Zalo's clock (ms; 0: none went, or Zalo gave no time).

    A photo's or a text's answer is waited out while the database does not answer (SQLite's
    write lock held past its busy wait), `on_wait` telling the person once, then worked out
    again whole: a photo's writes are each kept once however often it runs (the file by its
    checksum, the status by the message's key), and a check-in's all in one transaction. A
    text's other answers (commands, forms, codes) are run again only when the database failed
    before they kept anything; once they did, the choices they offer are kept after a wait
    (`db.retry.UnkeptError`), and an outage between two of their transactions is
    `db.retry.PartlyDoneError`, not waited out. They ended in the generic error, the status
    lost.

    An answer Zalo refuses for now (429, 5xx, no answer, past the client's retries, or 401,
    the bot's token refused, for which the sender holds its rows) is queued from the message
    refused on for the Zalo sender (`app.unsent`): it was lost, a coordinator's first page of
    /summary never seen while "tiếp" showed the second.

    The channel runs in `worker`: the update pool, whose threads answer every official's
    reply, or, for a heavy command, the dispatch's heavy lane (`scheduler.workers.in_heavy_lane`).
    """
    if not event.private:  # a person's tasks are not said before a group
        log.info("Zalo event %s was written in a group chat: not answered", event.message_id)
        return 0
    photo, oversized = await _photo(client, event)
    reply = partial(channel.answer, event, photo, oversized=oversized)
    if photo is not None or event.is_text:
        what = "keeping a Zalo photo" if photo is not None else "answering a Zalo text"
        try:
            answers = await retry_db_async(lambda: worker(reply), what, on_wait=on_wait)
        except UnkeptError as left:  # done; what it offers is kept once the database is back
            keep = left.keep
            await retry_db_async(lambda: in_update_worker(keep), what, on_wait=on_wait)
            answers = left.answer
    else:
        answers = await worker(reply)
    went = 0
    for at, said in enumerate(answers):
        await pacer.wait(event.chat_id)
        try:
            if isinstance(said, PhotoSaid):
                sent = await client.send_photo(event.chat_id, said.photo_url, said.caption)
            else:
                sent = await client.send_message(event.chat_id, said)
            went = went or sent.date_ms
        except ZaloError as exc:
            log.warning("answer to Zalo event %s not sent: %s", event.message_id, exc)
            if exc.unreachable:  # blocked since it wrote: as a refused reminder does
                refused = partial(unreachable, channel.services, CHANNEL, event.chat_id)
                await in_update_worker(refused)
            elif exc.retryable or exc.token_refused:  # the sender's, later: Zalo busy past
                # the client's retries, or refusing the token, whose rows the sender holds
                await _later(channel, event, answers[at:])
            return went
        finally:
            pacer.done(event.chat_id)
    return went


async def _later(channel: ZaloChannel, event: Event, answers: Sequence[str | PhotoSaid]) -> None:
    """Queue the texts of an answer Zalo refused for now, for the sender to try again (a
    chart's photo is left out: its link, in the text, gives it)."""
    texts = [said for said in answers if not isinstance(said, PhotoSaid)]
    key = f"{CHANNEL}:unsent:{event.message_id}"
    queue = partial(
        queue_unsent,
        channel.services,
        channel=CHANNEL,
        chat_id=event.chat_id,
        key=key,
        texts=texts,
    )
    if await in_update_worker(queue):
        log.info("answer to Zalo event %s queued to be sent again", event.message_id)


async def _photo(client: ZaloClient, event: Event) -> tuple[bytes | None, bool]:
    """Return the event's photo (None: none, or not fetched) and whether it was too large."""
    if not event.is_photo or not event.photo_url:
        return None, False
    try:
        photo = await client.download(event.photo_url, max_bytes=MAX_PHOTO)
    except ZaloError as exc:
        log.warning("photo of Zalo event %s not fetched: %s", event.message_id, exc)
        return None, exc.code == TOO_LARGE
    if not photo:  # no photo is empty: the fetch failed (it was kept as evidence of 0 KB)
        log.warning("photo of Zalo event %s not fetched: its body was empty", event.message_id)
        return None, False
    return photo, False
