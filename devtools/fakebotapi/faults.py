"""Fault injection: decide per call to answer 429, 5xx, slowly, only once a test lets it,
not at all in time, or to drop the connection."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["flood", "server_error", "delay", "hold", "timeout", "drop"]


@dataclass(frozen=True)
class Fault:
    """What to do to one call instead of (or on top of) answering it normally."""

    kind: FaultKind
    retry_after: int = 1
    status: int = 502
    description: str = "Bad Gateway"
    seconds: float = 0.0
    apply: bool = False
    gate: threading.Event | None = field(default=None, compare=False)
    reached: threading.Event | None = field(default=None, compare=False)

    @classmethod
    def flood(cls, retry_after: int = 1) -> Fault:
        """Answer 429 Too Many Requests with `parameters.retry_after`."""
        return cls("flood", retry_after=retry_after)

    @classmethod
    def server_error(cls, status: int = 502, description: str = "Bad Gateway") -> Fault:
        """Answer with a server error such as 502 Bad Gateway."""
        return cls("server_error", status=status, description=description)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Answer normally, after `seconds`."""
        return cls("delay", seconds=seconds)

    @classmethod
    def hold(cls, gate: threading.Event, reached: threading.Event | None = None) -> Fault:
        """Answer normally once `gate` is set: a call held for as long as a test needs, so
        that it can tell what happened meanwhile without a guess of how long that takes.

        `reached` is set when a call starts being held (a call is recorded once answered).
        """
        return cls("hold", gate=gate, reached=reached)

    @classmethod
    def timeout(cls, seconds: float = 30.0, *, apply: bool = False) -> Fault:
        """Hold the connection `seconds` (longer than the client waits) before answering.

        With `apply=True` the call takes effect first ("accepted, then timed out"), so a
        client that retries produces a duplicate; otherwise it never takes effect.
        """
        return cls("timeout", seconds=seconds, apply=apply)

    @classmethod
    def drop(cls, *, apply: bool = False) -> Fault:
        """Read the call, then close the connection without answering (a keep-alive
        connection closed by the server at that moment; a proxy or server dying).

        With `apply=True` the call takes effect first (it reached Telegram, the answer was
        lost); otherwise it never takes effect (closed before it was read).
        """
        return cls("drop", apply=apply)


@dataclass
class FaultRule:
    """Apply `fault` to calls matching methods and chat ids (empty = any).

    `skip` lets that many matching calls through first; `times` limits how often the
    rule fires (None = always); `probability` is drawn from the plan's seeded RNG.
    """

    fault: Fault
    methods: Collection[str] = ()
    chat_ids: Collection[int] = ()
    probability: float = 1.0
    times: int | None = None
    skip: int = 0

    def matches(self, method: str, chat_id: Any) -> bool:
        """Tell whether this rule is about `method` in chat `chat_id`."""
        if self.times is not None and self.times <= 0:
            return False
        if self.methods and method.lower() not in {name.lower() for name in self.methods}:
            return False
        return not self.chat_ids or chat_id in self.chat_ids


FaultFunction = Callable[[str, Mapping[str, Any]], Fault | None]


class FaultPlan:
    """The run-time fault configuration: an optional function, then rules in order."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._function: FaultFunction | None = None

    def add(self, rule: FaultRule) -> None:
        """Append a rule; earlier rules win."""
        with self._lock:
            self._rules.append(rule)

    def set_function(self, function: FaultFunction | None) -> None:
        """Consult `function(method, params)` before the rules (None removes it)."""
        with self._lock:
            self._function = function

    def clear(self, seed: int | None = None) -> None:
        """Remove every rule and the function, optionally reseeding the RNG."""
        with self._lock:
            self._rules.clear()
            self._function = None
            if seed is not None:
                self._rng.seed(seed)

    def choose(self, method: str, params: Mapping[str, Any]) -> Fault | None:
        """Return the fault to apply to this call, if any."""
        with self._lock:
            if self._function is not None:
                fault = self._function(method, params)
                if fault is not None:
                    return fault
            chat_id = params.get("chat_id")
            for rule in self._rules:
                if rule.matches(method, chat_id) and self._fires(rule):
                    return rule.fault
            return None

    def _fires(self, rule: FaultRule) -> bool:
        """Consume the rule's skip, probability and times for one matching call."""
        if rule.skip > 0:
            rule.skip -= 1
            return False
        if rule.probability < 1.0 and self._rng.random() >= rule.probability:
            return False
        if rule.times is not None:
            rule.times -= 1
        return True
