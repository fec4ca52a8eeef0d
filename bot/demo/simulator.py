"""The chat simulator: the sample's people acting through the fake servers, as their apps would.

A visitor writes and taps as one of them (`say`, `press`), sees what each was sent (`chat`),
and moves the demo's clock to the next working morning, where the day's reminders go out.
Its pages and API are `routes.py`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.i18n import format_datetime
from app.services import Services
from bot.app import App
from bot.demo import sample
from bot.demo.chat import JsonDict, keyboard, telegram_html
from bot.demo.clock import CLOCK_KEY, DemoClock, working_morning
from bot.settings import Settings
from db.engine import session_scope
from db.queries import state
from db.queries.calendar import working_calendar
from devtools.fakebotapi import FakeBotApi
from devtools.fakebotapi.records import ChatMessage, StoredFile
from devtools.fakezalo.server import FakeZalo
from devtools.fakezalo.state import Sent
from scheduler.delivery import DISPATCH_JOB
from scheduler.workers import in_worker

# How long "next working morning" waits for a dispatch under way (its own follows).
DISPATCH_WAIT_S = 0.05
DISPATCH_WAIT_TRIES = 600
log = logging.getLogger(__name__)

# Where a kept Telegram message holds the file it carries (the fake keeps files in memory).
KEPT_FILE = "kept_file"
# What the four panes show, kept in the data folder between runs (`save`, `restore`): the
# fake servers hold their chats in memory only.
TRANSCRIPT = "demo-chats.json"


@dataclass
class Simulator:
    """What the simulator's routes act on: the fakes, the clock and the running bot."""

    settings: Settings
    telegram: FakeBotApi
    zalo: FakeZalo
    clock: DemoClock
    application: App
    # What the visitor typed as a Zalo person (the fake keeps only what the bot sent).
    typed: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def services(self) -> Services:
        """Return the running bot's services."""
        services: Services = self.application.bot_data.services
        return services

    def chat(self, persona: sample.Persona) -> list[JsonDict]:
        """Return what the persona's pane shows, oldest first."""
        if persona.channel == "telegram":
            return [
                {
                    "id": m.message_id,
                    "mine": not m.from_bot,
                    "html": telegram_html(
                        m.text or m.caption or "",
                        m.entities or m.caption_entities,
                        site=self.settings.public_base_url,
                    ),
                    "buttons": keyboard(m.reply_markup),
                    "file": self._file(m.document or (m.photo[-1] if m.photo else None)),
                }
                for m in self.telegram.history(int(persona.external_id))
                if not m.deleted
            ]
        with self.lock:
            typed = list(self.typed.get(persona.key, []))
        said = [
            (m.at, False, m.text or m.photo or "") for m in self.zalo.messages(persona.external_id)
        ]
        shown = sorted([(at, True, text) for at, text in typed] + said, key=lambda m: m[0])
        return [{"id": n, "mine": mine, "text": text} for n, (_, mine, text) in enumerate(shown)]

    def _file(self, sent: JsonDict | None) -> JsonDict | None:
        """Return a document or photo the bot sent as its name and the fake's download URL."""
        if sent is None:
            return None
        file_id = str(sent["file_id"])
        stored = self.telegram.state.files.get(file_id)
        name = (stored.file_name if stored else None) or Path(
            stored.file_path if stored else ""
        ).name
        return {"name": name or file_id, "url": f"{self.telegram.url}/_control/file/{file_id}"}

    def say(self, persona: sample.Persona, text: str) -> None:
        """Have the persona send a text, through their channel's fake server."""
        if persona.channel == "telegram":
            self.telegram.send_text(int(persona.external_id), text)
            return
        with self.lock:
            self.typed.setdefault(persona.key, []).append((time.monotonic(), text))
        self.zalo.send_text(persona.external_id, text)

    def press(self, persona: sample.Persona, message_id: int, data: str) -> None:
        """Have a Telegram persona press a button of one of the bot's messages."""
        self.telegram.press_button(int(persona.external_id), data, message_id)

    def save(self, path: Path) -> None:
        """Write what the four panes hold (the chats as the fakes keep them) to `path`."""
        kept: JsonDict = {}
        for persona in sample.SHOWN:
            if persona.channel == "telegram":
                history = self.telegram.history(int(persona.external_id))
                kept[persona.key] = [self._kept_message(m) for m in history]
                continue
            with self.lock:
                typed = list(self.typed.get(persona.key, []))
            sent = [dataclasses.asdict(m) for m in self.zalo.messages(persona.external_id)]
            kept[persona.key] = {"typed": typed, "sent": sent}
        path.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")

    def keep_clock(self) -> None:
        """Keep where the demo's clock stands now: the next start goes on from there."""
        with session_scope(self.services.engine) as session:
            now = self.clock.now()
            state.write(session, CLOCK_KEY, now.astimezone(self.settings.tz).isoformat(), now=now)

    def restore(self, path: Path) -> None:
        """Put back in the fakes what the panes held when the demo last stopped (`save`).

        Telegram's messages keep their ids, so their buttons still work; Zalo's are dated
        just before now, in their order, the monotonic clock they were dated by being the
        previous process's.
        """
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # none yet (or unreadable): the panes start empty
        if not isinstance(kept, dict):
            return
        for persona in sample.SHOWN:
            held = kept.get(persona.key)
            if not held:
                continue
            try:  # each pane read whole before any of it is put back
                if persona.channel == "telegram":
                    self._restore_telegram(int(persona.external_id), held)
                else:
                    self._restore_zalo(persona.key, held)
            except (TypeError, KeyError, ValueError, AttributeError, binascii.Error):
                # Kept by another version (or edited): that pane starts empty.
                log.warning(
                    "demo: %s's chat kept in %s is not readable, left out", persona.key, path
                )

    def _kept_message(self, message: ChatMessage) -> JsonDict:
        """Return a Telegram message as kept, with the bytes of the file it carries."""
        kept = dataclasses.asdict(message)
        sent = message.document or (message.photo[-1] if message.photo else None)
        stored = self.telegram.state.files.get(str(sent["file_id"])) if sent else None
        if stored is not None:
            kept[KEPT_FILE] = {
                "file_id": stored.file_id,
                "kind": "document" if message.document else "photo",
                "name": stored.file_name,
                "mime": stored.mime_type,
                "content": base64.b64encode(stored.content).decode("ascii"),
            }
        return kept

    def _restore_telegram(self, chat_id: int, held: list[JsonDict]) -> None:
        """Put a Telegram chat's messages back in the fake, ids and buttons as they were, and
        their files (under the new ids the fake gives them)."""
        state = self.telegram.state
        messages = [(ChatMessage(**_without(f, KEPT_FILE)), f.get(KEPT_FILE)) for f in held]
        for message, kept_file in messages:
            if kept_file is not None:
                _refile(message, state.store_file, kept_file)
        with state.lock:
            chat = state.chats[chat_id]
            for message, _ in messages:
                chat.messages[message.message_id] = message
                chat.last_message_id = max(chat.last_message_id, message.message_id)

    def _restore_zalo(self, key: str, held: JsonDict) -> None:
        """Put a Zalo chat back: what the bot sent to the fake, what was typed here."""
        merged = sorted(
            [(float(at), True, text) for at, text in held.get("typed", [])]
            + [(float(m["at"]), False, m) for m in held.get("sent", [])],
            key=lambda item: item[0],
        )
        base = time.monotonic() - len(merged) - 1
        typed: list[tuple[float, str]] = []
        sent: list[Sent] = []
        for n, (_, mine, item) in enumerate(merged):
            if mine:
                typed.append((base + n, str(item)))
            else:
                sent.append(Sent(**{**item, "at": base + n}))
        with self.lock:
            self.typed[key] = typed + self.typed.get(key, [])
        with self.zalo.state.lock:
            self.zalo.state.sent[:0] = sent

    def clock_text(self) -> str:
        """Return the demo's date and time as the dashboard writes them."""
        return format_datetime(self.services.now_local())

    async def next_morning(self) -> None:
        """Move the clock to 08:00 of the next working day and run the morning's dispatch."""
        services = self.services

        def pick() -> None:
            with session_scope(services.engine) as session:
                calendar = working_calendar(session)
                morning = working_morning(
                    calendar, services.today(), services.settings.tz, after=True
                )
                self.clock.jump(morning)
                state.write(session, CLOCK_KEY, morning.isoformat(), now=self.clock.now())

        await in_worker(pick)
        shared = self.application.bot_data
        for _ in range(DISPATCH_WAIT_TRIES):  # the minute's dispatch may be running
            if not shared.dispatching:
                break
            await asyncio.sleep(DISPATCH_WAIT_S)
        jobs = (
            self.application.job_queue.get_jobs_by_name(DISPATCH_JOB)
            if self.application.job_queue
            else ()
        )
        for job in jobs:
            await job.run(self.application)
        if shared.zalo is not None:
            shared.zalo.wake()


def _refile(message: ChatMessage, store: Callable[..., StoredFile], kept: JsonDict) -> None:
    """Store a kept file in the fake again and point the message's document or photo at it."""
    stored = store(base64.b64decode(kept["content"]), kept["kind"], kept["name"], kept["mime"])
    old = kept["file_id"]
    for sent in [message.document or {}, *(message.photo or [])]:
        if sent.get("file_id") == old:
            sent["file_id"] = stored.file_id
            sent["file_unique_id"] = stored.file_unique_id


def _without(fields: JsonDict, key: str) -> JsonDict:
    """Return the fields but one."""
    return {k: v for k, v in fields.items() if k != key}
