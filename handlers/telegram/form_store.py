"""The guided forms kept over a restart: python-telegram-bot's persistence, for them only.

PTB keeps a conversation's step and each person's `user_data` (here `PersonForms`: the
/newtask draft, the /addunit fields) in memory. This persistence writes them to the
key-value store, `tgconv:<conversation>:<chat>:<user>` (the step) and `tgform:<user>` (the
forms, as JSON), and reads them back at start-up: an admin half-way through /newtask goes on
at the same step after a restart, as on Zalo. Nothing else is kept (chat_data, bot_data,
button data). A form is brought back only while it is fresh: a day, or its conversation's
timeout (/addunit's 15 minutes).

PTB hands over what changed every UPDATE_INTERVAL_S and at a clean stop; only a value that
differs from the one stored is written, in a worker thread.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from telegram.ext import BasePersistence, PersistenceInput

from core.clock import Clock
from core.taskdraft import draft_from_data, draft_to_data
from db.engine import session_scope
from db.queries import state
from db.queries.pending import PENDING_TTL
from handlers.telegram.context import PersonForms, TelegramData
from handlers.telegram.forms import ADDUNIT
from scheduler.workers import in_worker

log = logging.getLogger(__name__)

UPDATE_INTERVAL_S = 2.0
FORMS = "tgform:"
STEPS = "tgconv:"
ConversationKey = tuple[int | str, ...]


class FormStore(BasePersistence[PersonForms, dict[Any, Any], TelegramData]):
    """Keeps the guided forms and their conversations' steps in the database."""

    def __init__(
        self, engine: Engine, clock: Clock, *, fresh_for: dict[str, timedelta] | None = None
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=UPDATE_INTERVAL_S,
        )
        self._engine = engine
        self._clock = clock
        self._fresh_for = fresh_for or {}
        self._stored: dict[str, str] = {}  # what the database holds, by key, as last seen

    async def get_user_data(self) -> dict[int, PersonForms]:
        """Return the forms under way, by Telegram user id."""
        found: dict[int, PersonForms] = {}
        unit_form_since = self._clock.now() - self._fresh_for.get(ADDUNIT, PENDING_TTL)
        for key, stored in (await self._read(FORMS, PENDING_TTL)).items():
            forms = forms_from_json(stored.value)
            user = key.removeprefix(FORMS)
            if forms is None or not user.lstrip("-").isdigit():
                continue
            if stored.updated_at < unit_form_since:
                forms.unit_form = None  # its conversation has timed out meanwhile
            found[int(user)] = forms
            self._stored[key] = stored.value
        return found

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        """Return the steps of one conversation, by (chat, user)."""
        prefix = f"{STEPS}{name}:"
        found: dict[ConversationKey, object] = {}
        for key, stored in (await self._read(prefix, self._fresh_for.get(name))).items():
            parts, value = key.removeprefix(prefix).split(":"), stored.value
            numbers = [*parts, value]
            if len(parts) == 2 and all(p.lstrip("-").isdigit() for p in numbers):
                found[(int(parts[0]), int(parts[1]))] = int(value)
                self._stored[key] = value
        return found

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Keep (or forget, at its end) one person's step in a conversation."""
        value = str(new_state) if isinstance(new_state, int) else None
        await self._put(f"{STEPS}{name}:" + ":".join(str(part) for part in key), value)

    async def update_user_data(self, user_id: int, data: PersonForms) -> None:
        """Keep (or forget, when none is under way) one person's forms."""
        await self._put(f"{FORMS}{user_id}", forms_to_json(data))

    async def drop_user_data(self, user_id: int) -> None:
        """Forget one person's forms."""
        await self._put(f"{FORMS}{user_id}", None)

    async def _read(self, prefix: str, fresh_for: timedelta | None) -> dict[str, state.Stored]:
        """Return the values under a prefix written within `fresh_for`; drop the older."""
        since = self._clock.now() - (fresh_for or PENDING_TTL)

        def read() -> dict[str, state.Stored]:
            with session_scope(self._engine) as session:
                state.prune(session, prefix=prefix, before=since)
                return state.entries(session, prefix=prefix, since=since)

        return await in_worker(read)

    async def _put(self, key: str, value: str | None) -> None:
        """Write a value (None: delete it) unless the database already holds it."""
        if self._stored.get(key) == value:
            return
        now = self._clock.now()

        def write() -> None:
            with session_scope(self._engine) as session:
                if value is None:
                    state.forget(session, key)
                else:
                    state.write(session, key, value, now=now)

        await in_worker(write)
        if value is None:
            self._stored.pop(key, None)
        else:
            self._stored[key] = value

    # What this persistence does not keep.
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> TelegramData:
        return TelegramData()

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: TelegramData) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: PersonForms) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: TelegramData) -> None:
        return None

    async def flush(self) -> None:
        return None


def forms_to_json(forms: PersonForms) -> str | None:
    """Return one person's forms as JSON (None when no form is under way)."""
    if not forms:
        return None
    draft = forms.newtask
    data = {
        "newtask": draft_to_data(draft) if draft is not None else None,
        "unit_form": forms.unit_form,
    }
    return json.dumps(data, ensure_ascii=False)


def forms_from_json(text: str) -> PersonForms | None:
    """Return the forms `forms_to_json` wrote (None for anything else)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    forms = PersonForms()
    if data.get("newtask") is not None:
        forms.newtask = draft_from_data(data["newtask"])
    unit_form = data.get("unit_form")
    if isinstance(unit_form, dict) and all(isinstance(v, str) for v in unit_form.values()):
        forms.unit_form = {str(k): v for k, v in unit_form.items()}
    return forms if forms else None
