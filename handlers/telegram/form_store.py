"""Each admin's guided forms, kept in the database: the truth, read and written per update.

python-telegram-bot keeps a conversation's step, and each person's `user_data` (here
`PersonForms`: the /newtask draft, the /addunit fields), in the process's memory. That is
lost at a restart, and under `WORKERS=multi` the next update of the form may go to another
worker. So for an admin's update (only admins have forms) the inbox loads their forms and
steps from the key-value store (`tgform:<user>`, JSON) before any flow sees it, and
`InboxApplication` writes them back, when they changed, before the update is finished:
the next update, on this worker after a restart or on another one (which waits for this
one to finish), goes on at the same step. A form is brought back only while it is fresh
(`fresh_for`: /addunit's 15 minutes, otherwise a day), which is also what ends one left
alone.

The steps live in PTB's ConversationHandler: its `_conversations` mapping is read and set
here, and nowhere else (python-telegram-bot is pinned in constraints.txt; the tests restart
the bot and run three workers to hold this to its word).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application, ConversationHandler

from core.clock import Clock
from core.taskdraft import draft_from_data, draft_to_data
from db.engine import session_scope
from db.queries import state
from db.queries.pending import PENDING_TTL
from db.retry import retry_db_async
from handlers.telegram.context import PersonForms
from handlers.telegram.forms import ADDUNIT, NEWTASK
from scheduler.workers import in_update_worker

PREFIX = "tgform:"
App = Application[Any, Any, Any, Any, Any, Any]


class FormStore:
    """Loads an admin's forms before their update and keeps them after it."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        conversations: Sequence[ConversationHandler[Any]],
        *,
        fresh_for: dict[str, timedelta] | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._conversations = {c.name: c for c in conversations if c.name}
        self._fresh_for = fresh_for or {}
        # The updates whose sender's forms were loaded: (chat, user, the JSON loaded).
        self._open: dict[int, tuple[int, int, str | None]] = {}

    async def load(self, application: App, update: Update) -> None:
        """Put the sender's forms and steps, as stored, in memory for this update."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        key = f"{PREFIX}{user.id}"

        def read() -> state.Stored | None:
            with session_scope(self._engine) as session:
                return state.read(session, key)

        stored = await retry_db_async(lambda: in_update_worker(read), "reading a form")
        data: dict[str, Any] = {}
        if stored is not None and self._clock.now() - stored.updated_at <= PENDING_TTL:
            age = self._clock.now() - stored.updated_at
            data = _fresh(_parsed(stored.value), age, self._fresh_for)
        forms: PersonForms = application.user_data[user.id]
        forms.newtask = draft_from_data(data["newtask"]) if data.get("newtask") else None
        unit_form = data.get("unit_form")
        forms.unit_form = _cells(unit_form) if isinstance(unit_form, dict) else None
        steps = data.get("steps") if isinstance(data.get("steps"), dict) else {}
        for name, conversation in self._conversations.items():
            step = steps.get(name) if isinstance(steps, dict) else None
            _set_step(conversation, (chat.id, user.id), step if isinstance(step, int) else None)
        self._open[id(update)] = (chat.id, user.id, self._snapshot(application, chat.id, user.id))

    def leave(self, application: App, update: Update) -> None:
        """Take the sender's forms and steps out of memory: no longer an admin, they have none.

        Left there from when they were one, the form's step took their every text and refused
        it (a check-in "xong" too, and /cancel) until the bot restarted."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        forms: PersonForms | None = application.user_data.get(user.id)  # none made for it
        if forms is not None:
            forms.newtask = forms.unit_form = None
        for conversation in self._conversations.values():
            _set_step(conversation, (chat.id, user.id), None)

    async def save(self, application: App, update: object) -> None:
        """Write the sender's forms and steps back if this update changed them."""
        opened = self._open.pop(id(update), None)
        if opened is None:
            return
        chat, user, loaded = opened
        now = self._snapshot(application, chat, user)
        if now == loaded:
            return
        key = f"{PREFIX}{user}"
        moment = self._clock.now()

        def write() -> None:
            with session_scope(self._engine) as session:
                if now is None:
                    state.forget(session, key)
                else:
                    state.write(session, key, now, now=moment)

        await retry_db_async(lambda: in_update_worker(write), "keeping a form")

    def _snapshot(self, application: App, chat: int, user: int) -> str | None:
        """Return the sender's forms and steps as JSON (None: no form under way)."""
        forms: PersonForms = application.user_data[user]
        steps = {
            name: step
            for name, conversation in self._conversations.items()
            if isinstance(step := _step(conversation, (chat, user)), int)
        }
        if not forms and not steps:
            return None
        data = {
            "newtask": draft_to_data(forms.newtask) if forms.newtask is not None else None,
            "unit_form": forms.unit_form,
            "steps": steps,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _parsed(text: str) -> dict[str, Any]:
    """Return stored JSON as a mapping ({} for anything else)."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _fresh(
    data: dict[str, Any], age: timedelta, fresh_for: dict[str, timedelta]
) -> dict[str, Any]:
    """Drop the forms (and their steps) older than their conversation would wait."""
    steps = data.get("steps")
    steps = dict(steps) if isinstance(steps, dict) else {}
    for name, part in ((NEWTASK, "newtask"), (ADDUNIT, "unit_form")):
        if age > fresh_for.get(name, PENDING_TTL):
            steps.pop(name, None)
            data = {**data, part: None}
    return {**data, "steps": steps}


def _cells(form: dict[Any, Any]) -> dict[str, str] | None:
    """Return an /addunit form's fields as typed (None if they are not text)."""
    if all(isinstance(v, str) for v in form.values()):
        return {str(k): v for k, v in form.items()}
    return None


def _step(conversation: ConversationHandler[Any], key: tuple[int, int]) -> object:
    """Return a person's step in a conversation (PTB keeps it in `_conversations`)."""
    return conversation._conversations.get(key)


def _set_step(
    conversation: ConversationHandler[Any], key: tuple[int, int], step: int | None
) -> None:
    """Set (or, with None, end) a person's step in a conversation."""
    steps = conversation._conversations
    if step is None:
        steps.pop(key, None)
    else:
        steps[key] = step
