"""A fake Zalo Bot API server for tests, benchmarks and local trials.

It answers `POST {url}/bot<TOKEN>/<method>` as the Zalo Bot API documents it (late 2025):
getMe, getUpdates (one event per call, the result an object, or a list with
`set_results_as_list`; an idle poll answers `{"ok": false, "error_code": 408}` on HTTP
200), setWebhook / deleteWebhook / getWebhookInfo (while a webhook is set, events are
POSTed to it with `X-Bot-Api-Secret-Token` and getUpdates is refused), sendMessage,
sendPhoto (the photo URL is fetched; an unfetchable one is refused), sendSticker,
sendChatAction. Refusals: empty text or over 2000 UTF-16 units (400), an unknown chat (404),
a person who never wrote to the bot or blocked it (403), a bad token (401 on HTTP 401).

Zalo publishes neither its error codes for these cases nor its rate limits; the ones here
are ours, and the client treats 403 and 404 as "cannot be reached".

    async with FakeZalo() as zalo:
        zalo.add_user("7f3a9c0e51d24b8e", "Hoa")
        zalo.send_text("7f3a9c0e51d24b8e", "/start ABCD1234")
        [answer] = await zalo.wait_for_messages("7f3a9c0e51d24b8e", after=0)

People write in their private chat or, `send_text(..., group=...)`, in a group chat
(chat_type GROUP), and send photos (`send_photo`: the address as `photo_url`, as Zalo's
webhook was seen to send it, or `field="photo"`, as its documentation names it), stickers
and voice messages (`send_voice`); `send_raw(event)` hands over an event of any shape (one
with no message, a kind the helpers do not make).

Faults: `add_fault(FaultRule("server_error" | "ok_false" | "timeout" | "delay" | "raw", ...))`;
`hold_polls(seconds)` holds every getUpdates that long whatever its `timeout` asked.
Rate limits: `set_rate_limits("observe" | "enforce", Limits(overall_per_s, per_chat_per_s))`,
counted in `rate_limit_stats()`. Run it alone: `python -m devtools.fakezalo --port 8082`.
"""

from devtools.fakezalo.server import DEFAULT_TOKEN, SECRET_HEADER, FakeZalo
from devtools.fakezalo.state import FaultRule, Limits, LimitStats, Sent

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "FakeZalo",
    "FaultRule",
    "LimitStats",
    "Limits",
    "Sent",
]
