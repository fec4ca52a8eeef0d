"""A thin async client of the Zalo Bot API (httpx): typed results, Zalo's error shape.

It knows nothing of dondoc: no use case, no database. The scheduler's Zalo sender and the
Zalo adapter's polling loop both use it.
"""

from zalo.client import ZaloClient
from zalo.types import (
    STICKER,
    TOO_LARGE,
    UNSUPPORTED,
    BotInfo,
    Event,
    SentMessage,
    ZaloError,
    parse_events,
)

__all__ = [
    "STICKER",
    "TOO_LARGE",
    "UNSUPPORTED",
    "BotInfo",
    "Event",
    "SentMessage",
    "ZaloClient",
    "ZaloError",
    "parse_events",
]
