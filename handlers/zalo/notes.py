"""The notes Zalo's dispatch sends a person on its own: slow down, the database is away (or
failed midway: send it again), an error's reference, a heavy command queued, a message that
came after a later one. Each goes at the
pacer's pace; one Zalo refuses is logged, never raised."""

from __future__ import annotations

import logging

from app.services import Services
from core.markup import to_plain
from scheduler.zalo_sender import ZaloPacer
from zalo import Event, ZaloClient, ZaloError

log = logging.getLogger(__name__)

QUOTED = 80  # of a message told back, this many characters at most


class ZaloNotes:
    """Tell the sender of an event something in the default language."""

    def __init__(self, services: Services, client: ZaloClient, pacer: ZaloPacer) -> None:
        self.services, self.client, self.pacer = services, client, pacer
        # The people told their message waits for the database, until one of theirs is kept.
        self._told_unavailable: set[str] = set()

    async def slow_down(self, event: Event) -> None:
        """Tell a person who sends too fast to slow down (their message was dropped)."""
        await self._tell(
            event, self._text("common.slow_down"), "slow-down note to a Zalo person not sent"
        )

    async def tell_unavailable(self, event: Event) -> None:
        """Tell a person their message waits for the database (once, until one is kept)."""
        if event.sender_id in self._told_unavailable:
            return
        self._told_unavailable.add(event.sender_id)
        text = self._text("common.database_unavailable")
        await self._tell(event, text, "database-unavailable note to a Zalo person not sent")

    async def queued(self, event: Event) -> None:
        """Tell a person their heavy command waits for a slot: queued, answered in turn."""
        text = self._text("common.heavy_queued")
        await self._tell(event, text, "queued note to a Zalo person not sent")

    async def busy(self, event: Event) -> None:
        """Tell a person the database failed midway through their message: to check it and
        send it again."""
        text = self._text("common.database_busy_partly")
        await self._tell(event, text, "database-busy note to a Zalo person not sent")

    async def arrived_late(self, event: Event) -> None:
        """Tell a person their message came after a later one of theirs: not read, to send
        again if it still holds."""
        shown = event.text if len(event.text) <= QUOTED else event.text[: QUOTED - 1] + "…"
        text = self._text("zalo.arrived_late", text=shown)
        await self._tell(event, text, "arrived-late note to a Zalo person not sent")

    def kept(self, sender_id: str) -> None:
        """Note that one of the person's messages was kept: tell them again next time."""
        self._told_unavailable.discard(sender_id)

    async def apologise(self, event: Event, ref: str) -> None:
        """Tell the person their message could not be handled, with the error's reference.

        It stays unfinished in the inbox, so a restart handles it once more.
        """
        text = self._text("common.internal_error", ref=ref)
        await self._tell(event, text, f"could not tell a Zalo person about error {ref}")

    def _text(self, key: str, **params: object) -> str:
        """Return a catalog text as plain text, in the default language."""
        lang = self.services.settings.default_language
        return to_plain(self.services.catalog.get(lang, key, **params))

    async def _tell(self, event: Event, text: str, unsent: str) -> None:
        """Send a note to the event's chat at the pacer's pace; log `unsent` if Zalo refuses,
        or if the chat is a group's (where nothing is answered: a person's note is theirs)."""
        if not event.private:
            log.info("%s: event %s was written in a group chat", unsent, event.message_id)
            return
        await self.pacer.wait(event.chat_id)
        try:
            await self.client.send_message(event.chat_id, text)
        except ZaloError as exc:
            log.warning("%s: %s", unsent, exc)
        finally:
            self.pacer.done(event.chat_id)
