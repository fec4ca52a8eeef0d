"""The getUpdates request that keeps each update's JSON, for the inbox to store."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from core.textnorm import without_nul

MAX_RAW = 1000

log = logging.getLogger(__name__)


class RawUpdates(BaseRequest):
    """The getUpdates request, keeping each update's JSON as Telegram sent it.

    The inbox stores it to run the update again after a crash; rebuilding it with
    Update.to_dict() would cost more than the rest of the inbox's work. The calls go through
    `transport` (handlers/telegram/transport.py: aiohttp, or PTB's httpx).
    """

    def __init__(self, transport: BaseRequest) -> None:
        self.transport = transport
        self.updates: dict[int, dict[str, Any]] = {}
        self._first: object = None  # the first update id of the last batch

    @property
    def read_timeout(self) -> float | None:
        """The transport's read timeout (PTB adds it to getUpdates' long-polling timeout)."""
        return self.transport.read_timeout

    async def initialize(self) -> None:
        """Open the transport."""
        await self.transport.initialize()

    async def shutdown(self) -> None:
        """Close the transport."""
        await self.transport.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make the call through the transport."""
        return await self.transport.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        """Parse the answer and keep the updates it carries, by id.

        A batch served twice from the same update was not confirmed: python-telegram-bot
        could not read one of its updates and would ask for it forever, every other update
        waiting behind it. That time each update is read alone, and one that cannot be read
        is passed on as an empty update of its id: its JSON is kept for the inbox, and the
        updates after it are handled.
        """
        data = BaseRequest.parse_json_payload(payload)
        if b"\\u0000" in payload:  # a NUL (that PostgreSQL refuses) in a name or a text
            data = without_nul(data)
        result = data.get("result")
        if isinstance(result, list):
            first = result[0].get("update_id") if result and isinstance(result[0], dict) else None
            if first is not None and first == self._first:
                data["result"] = [readable(item) for item in result]
            self._first = first
            for item in result:
                if isinstance(item, dict) and isinstance(item.get("update_id"), int):
                    self.updates[item["update_id"]] = item
            while len(self.updates) > MAX_RAW:  # the oldest go
                del self.updates[next(iter(self.updates))]
        return data

    def take(self, update: Update) -> dict[str, Any]:
        """Return the update's JSON (rebuilt when it did not come through getUpdates).

        Kept, not popped (the oldest go past MAX_RAW): Telegram delivering an update again
        while its first copy waits in the person's lane gives two copies one id, and the
        first copy popping it left the second a rebuilt JSON of another form, taken for a
        new update in a new epoch of ids and answered again.
        """
        return self.updates.get(update.update_id) or update.to_dict()


def readable(item: Any) -> Any:
    """Return the update if python-telegram-bot reads it, else an empty update of its id."""
    if not isinstance(item, dict) or not isinstance(item.get("update_id"), int):
        return item
    return item if read(item, None) is not None else {"update_id": item["update_id"]}


def read(item: dict[str, Any], bot: Bot | None) -> Update | None:
    """Return the update (of a whole-number `update_id`) as python-telegram-bot reads it, or
    None when it cannot: such an update is kept in the inbox and skipped (logged here)."""
    try:
        return Update.de_json(dict(item), bot)
    except Exception:  # whatever the library raises, the update is skipped
        log.warning("update %s cannot be read; kept in the inbox, skipped", item["update_id"])
        return None
