"""What the fake Zalo Bot API knows: people, their events, what the bot sent, the limits."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

JsonDict = dict[str, Any]
TEXT_LIMIT = 2000
RateLimitMode = Literal["off", "observe", "enforce"]


@dataclass
class Person:
    """A Zalo user who may write to the bot (their chat id is their user id; in a group
    chat, `FakeZalo.send_text(group=...)`, the chat is the group's)."""

    user_id: str
    display_name: str
    wrote: bool = False  # Zalo lets a bot write only to people who wrote to it
    blocked: bool = False


@dataclass(frozen=True)
class Sent:
    """A message the bot sent (sendMessage or sendPhoto)."""

    message_id: str
    chat_id: str
    text: str
    method: str = "sendMessage"
    photo: str | None = None
    at: float = 0.0


@dataclass
class Limits:
    """Rate limits the fake can count or enforce (Zalo publishes none: these are ours)."""

    overall_per_s: float = 30.0
    per_chat_per_s: float = 1.0


@dataclass
class LimitStats:
    """How many sends passed and how many went over a limit (refused when enforced)."""

    sends: int = 0
    over_overall: int = 0
    over_per_chat: int = 0


@dataclass
class FaultRule:
    """Answer matching calls with a fault instead of (or after) their normal answer.

    kind: "server_error" (HTTP `status`), "ok_false" (HTTP 200, ok:false with `code`),
    "timeout" (hold `seconds`, answer nothing in time; `apply` makes the call take effect
    first), "delay" (answer normally after `seconds`), "raw" (answer `body` as it is, with
    HTTP `status`: a proxy's HTML page, a truncated or odd JSON; `apply` makes the call take
    effect first). `times` None: every matching call; `texts`, when given, only the sends
    of one of these texts.
    """

    kind: Literal["server_error", "ok_false", "timeout", "delay", "raw"]
    methods: tuple[str, ...] = ()
    chat_ids: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    status: int = 502
    code: int = 500
    description: str = "Internal error"
    seconds: float = 0.0
    apply: bool = False
    times: int | None = None
    body: str = ""


@dataclass
class Webhook:
    """The webhook the bot set (getUpdates is refused while one is set)."""

    url: str = ""
    secret_token: str = ""


@dataclass
class ZaloState:
    """Everything the server holds, behind one lock (the server runs in its own thread)."""

    bot_id: str
    bot_name: str
    lock: threading.RLock = field(default_factory=threading.RLock)
    people: dict[str, Person] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)  # the group chats the bot is in
    events: deque[JsonDict] = field(default_factory=deque)
    delivered: list[JsonDict] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, JsonDict]] = field(default_factory=list)
    faults: list[FaultRule] = field(default_factory=list)
    webhook: Webhook = field(default_factory=Webhook)
    webhook_posts: list[tuple[int, JsonDict]] = field(default_factory=list)
    photos: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    limit_mode: RateLimitMode = "off"
    limits: Limits = field(default_factory=Limits)
    stats: LimitStats = field(default_factory=LimitStats)
    results_as_list: bool = False
    # getUpdates calls being answered now; one a stopped bot left open still takes an event.
    polls_waiting: int = 0
    # When each open getUpdates came (monotonic): how long Zalo has held it, for the tests.
    polls_opened: list[float] = field(default_factory=list)
    # The longest a getUpdates is held before its 408, whatever its `timeout` (a server may
    # end an idle poll early): the tests' is short, since a stopping bot waits for its poll.
    longest_poll_s: float = 60.0
    # Set: every getUpdates is held this long (an event arriving meanwhile still answers it),
    # whatever its `timeout` asked, as a Zalo that does not read it holds its default 30 s.
    poll_held_s: float | None = None
    _counter: int = 0
    _recent: deque[tuple[float, str]] = field(default_factory=deque)

    def next_id(self) -> str:
        """Return a fresh hex message id, unique in this server's life."""
        self._counter += 1
        return f"{int(time.time()) & 0xFFFFFFFF:08x}{self._counter:08x}"

    def fault_for(self, method: str, params: JsonDict) -> FaultRule | None:
        """Return the fault rule that fires for this call, consuming one of its times."""
        chat = str(params.get("chat_id", ""))
        for rule in self.faults:
            if rule.times is not None and rule.times <= 0:
                continue
            if rule.methods and method not in rule.methods:
                continue
            if rule.chat_ids and chat not in rule.chat_ids:
                continue
            if rule.texts and params.get("text") not in rule.texts:
                continue
            if rule.times is not None:
                rule.times -= 1
            return rule
        return None

    def over_limit(self, chat_id: str, now: float) -> bool:
        """Count one send; tell whether it is refused (over a limit, when enforced)."""
        if self.limit_mode == "off":
            return False
        while self._recent and now - self._recent[0][0] >= 1.0:
            self._recent.popleft()
        overall = len(self._recent) + 1 > self.limits.overall_per_s
        per_chat = sum(1 for _, c in self._recent if c == chat_id) + 1 > (
            self.limits.per_chat_per_s
        )
        self.stats.over_overall += overall
        self.stats.over_per_chat += per_chat
        refused = self.limit_mode == "enforce" and (overall or per_chat)
        if not refused:
            self._recent.append((now, chat_id))
            self.stats.sends += 1
        return bool(refused)
