"""Telegram out of reach at start, beside Zalo: the bot serves what answers and reaches
Telegram in the background.

Where Telegram is blocked, officials still read Zalo. With ZALO_BOT_TOKEN set, a Telegram
that does not answer at start (getMe, then deleteWebhook or setWebhook) no longer ends the
process (systemd restarted it a few times, then gave up, Zalo down with it): Zalo, the
jobs and the web start, one line says Telegram is out of reach, and Telegram is tried
again with a growing wait until it answers; one line says so, then its menus are set, the
updates kept from before are run and polling starts (or the webhook is set). A token
Telegram refuses (401) will not mend itself: one line says so, Zalo serves on, and nothing
is tried again. With Telegram alone, a start that fails ends the process as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Updater

from handlers.telegram.admission import StoringBot

log = logging.getLogger(__name__)

FIRST_WAIT_S = 2.0  # the first try again after a start Telegram did not answer
LONGEST_WAIT_S = 60.0  # the wait doubles up to this

Step = Callable[[], Awaitable[Any]]


class PatientBot(StoringBot):
    """The bot that, when another channel serves (`patient`), starts without Telegram."""

    # (PTB's objects take no new public attribute after their __init__.)
    _patient = False  # set by the composition root when Zalo serves beside Telegram
    _missing: TelegramError | None = None  # why Telegram did not answer (None: it did)

    def be_patient(self, patient: bool) -> None:
        """Start without Telegram when it does not answer (`patient`: another channel serves)."""
        self._patient = patient

    @property
    def missing(self) -> TelegramError | None:
        """Why Telegram did not answer at the last try (None: it did)."""
        return self._missing

    def answered(self, missing: TelegramError | None) -> None:
        """Keep how the last try went (None: Telegram answered)."""
        self._missing = missing

    @property
    def id(self) -> int:
        """The bot's id; before Telegram answered, the one its token begins with (PTB names
        its update fetcher's task with it when the application starts)."""
        try:
            return super().id
        except RuntimeError:
            return int(self.token.partition(":")[0])

    async def initialize(self) -> None:
        """Initialize as python-telegram-bot does; patient, keep why getMe failed instead."""
        if not self._patient:
            await super().initialize()
            return
        try:
            await super().initialize()
        except (InvalidToken, NetworkError) as exc:
            self._missing = exc


def reached(bot: Bot) -> bool:
    """Tell whether Telegram has answered this bot (always, for a bot that is not patient)."""
    return not isinstance(bot, PatientBot) or bot.missing is None


class PatientUpdater(Updater):
    """The updater whose polling, Telegram out of reach, begins once the link reached it."""

    on_missing: Callable[[Step], None] | None = None  # the link's start, given the last step

    async def start_polling(self, *args: Any, **kwargs: Any) -> Any:
        """Poll as python-telegram-bot does; Telegram out of reach, leave it to the link."""
        if reached(self.bot) or self.on_missing is None:
            return await super().start_polling(*args, **kwargs)

        async def poll() -> None:
            await Updater.start_polling(self, *args, **kwargs)

        self.on_missing(poll)
        return self.update_queue


def say_missing(bot: PatientBot, url: str) -> None:
    """Log in one line that Telegram did not answer at start, and what happens now."""
    if isinstance(bot.missing, InvalidToken):
        log.error(
            "Telegram refused BOT_TOKEN (401 Unauthorized): the token is wrong or was revoked"
            " and this will not mend itself; Zalo, the jobs and the web serve on without"
            " Telegram. Get the token again from @BotFather, then restart"
        )
    else:
        log.warning(
            "Telegram does not answer at %s (%s); Zalo, the jobs and the web serve on, and"
            " Telegram is tried again in the background",
            url,
            bot.missing,
        )


class TelegramLink:
    """Tries Telegram again, waiting longer each time, until it answers; then brings its
    side up (`up`: name, menus, the updates kept, then `last`: polling or the webhook)."""

    def __init__(self, bot: PatientBot, up: Step) -> None:
        self.bot, self.up = bot, up
        self.task: asyncio.Task[None] | None = None
        self.tries = 0  # the failed tries since start, for the line Telegram answers with

    def start(self, last: Step) -> None:
        """Begin trying in the background (not for a refused token: it will not mend)."""
        if self.task is None and not isinstance(self.bot.missing, InvalidToken):
            self.task = asyncio.create_task(self._reach(last), name="dondoc-telegram-link")

    async def stop(self) -> None:
        """Stop trying (the bot stops)."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _reach(self, last: Step) -> None:
        wait = FIRST_WAIT_S
        while True:
            await asyncio.sleep(wait)
            try:
                await self.bot.get_me()
                self.bot.answered(None)
                await self.up()
                await last()
            except InvalidToken as exc:
                self.bot.answered(exc)
                say_missing(self.bot, "")
                return
            except TelegramError as exc:  # out of reach still (a timeout, refused, DNS)
                self.bot.answered(exc)
                self.tries += 1
                wait = min(wait * 2, LONGEST_WAIT_S)
                continue
            except Exception:  # the database, say: the next try goes on
                log.exception("bringing Telegram up failed; tried again")
                self.tries += 1
                wait = min(wait * 2, LONGEST_WAIT_S)
                continue
            log.warning(
                "Telegram answers again after %d tries; it serves from now", self.tries + 1
            )
            return
