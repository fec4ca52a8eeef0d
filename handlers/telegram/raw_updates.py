"""The getUpdates request that keeps each update's JSON, for the inbox to store."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

MAX_RAW = 1000


class RawUpdates(HTTPXRequest):
    """The getUpdates request, keeping each update's JSON as Telegram sent it.

    The inbox stores it to run the update again after a crash; rebuilding it with
    Update.to_dict() would cost more than the rest of the inbox's work.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.updates: dict[int, dict[str, Any]] = {}

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        """Parse the answer and keep the updates it carries, by id."""
        data = HTTPXRequest.parse_json_payload(payload)
        result = data.get("result")
        if isinstance(result, list):
            for item in result:
                if isinstance(item, dict) and isinstance(item.get("update_id"), int):
                    self.updates[item["update_id"]] = item
            while len(self.updates) > MAX_RAW:  # only an update no handler saw stays
                del self.updates[next(iter(self.updates))]
        return data

    def take(self, update: Update) -> dict[str, Any]:
        """Return the update's JSON (rebuilt when it did not come through getUpdates)."""
        return self.updates.pop(update.update_id, None) or update.to_dict()
