"""One text-only channel: a person's message in, the bot's answers out as plain text.

The channel is named (`name`, e.g. "zalo"), so each person is known by that channel's id. A
message with choices stores them as the person's pending choices, so that a typed "2" takes
the second one, as a tap on Telegram's second button would; any other answer forgets them.

A check-in (a status in words, an answer to the bot's question, a check-in choice typed)
and the choices it offers are written in one transaction, so that the channel's caller may
run it again after the database failed (Zalo's `answers.answer`); the other commands and
choices are marked `db.retry.not_repeated` (run again only when the database failed before
they kept anything), their choices kept after them (`db.retry.UnkeptError` when that fails).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app import photo_evidence
from app.actor import NO_CONTACT, Actor
from app.checkin import Answer, RepliedTo, Said, unhandled_key
from app.checkin.choice import choose
from app.checkin.pending import cancel
from app.checkin.text import answer_text
from app.link_confirm import PREFIX as LINK_PREFIX
from app.linking import Caller, confirm, link
from app.offers import CHOICES, last_offer_since
from app.people import whoami
from app.said import as_said
from app.seen import seen
from app.services import Services
from core.numbers import chosen_number
from core.roles import Access, Role
from core.textnorm import fold, trim
from db.engine import session_in, session_scope
from db.queries.pending import clear_pending, set_pending
from db.retry import UnkeptError, not_repeated
from render.text import numbered, render
from scheduler.nudge import nudge

CHECKIN_CHOICES = frozenset({"st", "pc", "ck", "cf"})
# How much earlier than the choices a dated number may say it was typed and still take them:
# the channel's clock and ours differ by a little (NTP), a person never answers that fast.
OFFER_GRACE = timedelta(seconds=2)
SPACED_SLASH_RE = re.compile(r"^/\s+(?=[^\W\d_])")  # "/ mytasks": a space after the slash
NUMBERS_RE = re.compile(r"[\s.,;#-]*\d+(?:[\s.,;&-]+\d+)*[\s.,;!]*")  # "5", "0", "1 2", "1,2."


@dataclass(frozen=True)
class Offered:
    """The choice a typed number takes: its data, the offer it came with, when offered."""

    data: tuple[str, ...]
    offer: str
    since: datetime


@dataclass
class TextChannel:
    """The adapter of one text-only channel, sending nothing itself: it returns the texts."""

    services: Services
    name: str = "text"
    limit: int = 2000
    # What a stranger is told: how to join from this channel (Zalo's has no links to press).
    not_registered: str = "common.not_registered"

    def receive(
        self,
        external_id: str,
        text: str,
        message_id: str,
        replied: RepliedTo | None = None,
        *,
        wait: timedelta | None = None,
    ) -> list[str]:
        """Answer what a person typed (blocking: database work; run it off the event loop).

        `replied`: what the text answers, when the channel knows (a status offer taken up);
        `wait`: how long the message waited since it was sent, when the channel dates it (a
        status it gives counts from then, `app.said`).
        """
        actor = self._actor(external_id)
        typed = joined_slash(trim(text))
        if actor is None:
            lang = self.services.settings.default_language
            if _command_word(typed) == "link":  # a stranger here may be someone elsewhere
                stranger = Actor(NO_CONTACT, external_id, lang, Role.MEMBER.value, (), ())
                with not_repeated("linking"):
                    return self._render(lang, self._link(stranger, typed))
            return self._render(lang, Said(self.services.catalog.get(lang, self.not_registered)))
        key = f"{self.name}:msg:{external_id}:{message_id}"
        if typed.startswith("/"):
            with not_repeated("running a typed command"):
                return self._show(actor, self._command(actor, typed, key))
        offered = self._offered(actor, typed)
        if offered is not None and self._typed_before(offered, wait):
            # The choices were replaced after the number was typed: it took the newer ones.
            t = partial(self.services.catalog.get, actor.lang)
            return self._render(actor.lang, Said(t("common.choices_changed")))
        if offered is not None:
            data, offer = offered.data, offered.offer
            if data and data[0] in CHECKIN_CHOICES:
                return self._checkin(actor, lambda db: self._take(actor, data, offer, db=db))
            with not_repeated("taking a choice"):  # not every other choice can run again
                return self._show(actor, self._take(actor, data, offer))
        count = self._listed(actor, typed)
        if count:  # "5" after a list of 3: the list kept, not a check-in answer for no unit
            t = partial(self.services.catalog.get, actor.lang)
            return self._render(actor.lang, Said(t("common.choose_number", count=count)))
        return self._checkin(
            actor,
            lambda db: self._photos_still_asked(
                actor,
                answer_text(
                    as_said(self.services, wait), actor, text, key=key, replied=replied, db=db
                ),
                db,
            ),
        )

    def _photos_still_asked(self, actor: Actor, answer: Answer, db: Session) -> Answer:
        """Ask again about the photos waiting for their task after an answer that offers no
        choice of its own (the usage hint to a text with no word too): its offer is the one
        the next typed number takes."""
        if any(said.choices for said in answer.said):
            return answer
        again = photo_evidence.still_asked(self.services, actor, db)
        if again is None:
            return answer
        shown = self._fallback(actor) if answer.unhandled else answer
        return replace(shown, said=[*shown.said, again])

    def _fallback(self, actor: Actor) -> Answer:
        """Return what words no flow took are answered: how to join, or the usage hint."""
        t = partial(self.services.catalog.get, actor.lang)
        public = actor.access == Access.PUBLIC
        return Answer([Said(t(self.not_registered if public else unhandled_key(actor.unit_ids)))])

    def _checkin(self, actor: Actor, work: Callable[[Session], Answer]) -> list[str]:
        """Answer a check-in (a status in words, an answer, a check-in choice taken) and keep
        the choices it offers, in one transaction: run again after the database failed, it
        finds nothing of the earlier try kept (the question it answered still asked)."""
        with session_scope(self.services.engine) as session:
            return self._show(actor, work(session), session)

    def _actor(self, external_id: str) -> Actor | None:
        """Return who this is on this channel, if the bot knows them, recording them as seen.

        The chat is the person's id; being seen makes this the identity used last, the one
        their reminders go to.
        """
        return seen(
            self.services, self.name, external_id, chat_id=external_id, name="", same_username=True
        )

    def _command(self, actor: Actor, typed: str, key: str) -> Answer:
        """Run a typed command the channel knows."""
        t = partial(self.services.catalog.get, actor.lang)
        word, _, rest = typed.partition(" ")
        command = _command_word(typed)
        if command == "cancel":
            return cancel(self.services, actor)
        if command == "link":
            return Answer([self._link(actor, typed)])
        if command == "whoami":
            return Answer([Said(whoami(self.services, actor))])
        if command == "nudge":
            if actor.access < Access.COORDINATOR:
                return Answer([Said(t("common.not_allowed"))])
            # This runs in a worker thread: on a large database it waits for a process.
            return Answer([Said(nudge(self.services, actor, rest.strip(), key))])
        return Answer([Said(t("common.unknown_command", command=word[:40]))])

    def _link(self, actor: Actor, typed: str) -> Said:
        """Answer /link or /link <code> from this channel's person (or stranger); a merge's
        Join and Cancel are numbered choices, kept as the person's pending choices."""
        _, _, code = typed.partition(" ")
        linked = link(self.services, actor, self._caller(actor), code)
        return Said(linked.text, linked.choices)

    def _caller(self, actor: Actor) -> Caller:
        """Return this channel's chat of the person (its id is the person's id here)."""
        return Caller(self.name, actor.external_id, actor.external_id)

    def _offered(self, actor: Actor, typed: str) -> Offered | None:
        """Return the choice a typed number takes, with the offer it came with, if any."""
        number = chosen_number(typed)
        if number is None:
            return None
        found = self._last_offer_since(actor)
        if found is None:
            return None
        offer, since = found
        choices: list[Any] = offer.get("choices", [])
        if not 1 <= number <= len(choices) or not self._numbered(choices):
            return None
        return Offered(
            tuple(str(part) for part in choices[number - 1]), str(offer["offer"]), since
        )

    def _numbered(self, choices: Sequence[Any]) -> bool:
        """Tell whether an offer's choices are taken by a typed number (all are, here)."""
        return True

    def _typed_before(self, offered: Offered, wait: timedelta | None) -> bool:
        """Tell whether a number the channel dates was typed before the choices it would take
        were offered (a newer notice delivered while it waited): by the channel's date, with
        `OFFER_GRACE` for the two clocks (None: an undated message counts when handled)."""
        if wait is None:
            return False
        typed_at = self.services.clock.now() - wait
        return offered.since - typed_at > OFFER_GRACE

    def _listed(self, actor: Actor, typed: str) -> int:
        """Return how many choices a list offers when numbers that take none of them ("5"
        after three, "0", "1 2") answer it from someone with no unit to report for, else 0.

        Such a person's words were read as a check-in, answered with how to report, and
        the list forgotten. An official's number is a check-in: "50" is 50%."""
        if actor.unit_ids or not NUMBERS_RE.fullmatch(typed):
            return 0
        choices: list[Any] = (self._last_offer(actor) or {}).get("choices", [])
        if any(choice and choice[0] in CHECKIN_CHOICES for choice in choices):
            return 0
        return len(choices)

    def _last_offer(self, actor: Actor) -> dict[str, Any] | None:
        """Return the numbered choices last offered to the person (`offer`, `choices`), if
        a typed number still takes them (`app.offers`)."""
        found = self._last_offer_since(actor)
        return None if found is None else found[0]

    def _last_offer_since(self, actor: Actor) -> tuple[dict[str, Any], datetime] | None:
        """Return the numbered choices last offered to the person and when, if a typed number
        still takes them: one read, which also dates the offer against a dated number."""
        now = self.services.clock.now()
        with self.services.engine.begin() as connection:
            return last_offer_since(connection, contact_id=actor.contact_id, now=now)

    def _take(
        self, actor: Actor, data: tuple[str, ...], offer: str, db: Session | None = None
    ) -> Answer:
        """Apply a numbered choice, as the same choice's button would (a check-in's in `db`'s
        transaction, when given)."""
        if data and data[0] in CHECKIN_CHOICES:
            dedup = partial(_dedup, offer)
            return choose(self.services, actor, data, dedup=dedup, db=db)
        if data and data[0] == LINK_PREFIX:  # a merge's Join or Cancel, as its button would
            return Answer([Said(confirm(self.services, actor, self._caller(actor), data).text)])
        stale = self.services.catalog.get(actor.lang, "common.button_stale")
        return Answer([Said(stale)])

    def _show(self, actor: Actor, answer: Answer, db: Session | None = None) -> list[str]:
        """Render an answer, keeping its last numbered choices for the next typed number (in
        `db`'s transaction when given).

        Without `db`, the work answered is done: a database that fails to keep the choices
        raises `db.retry.UnkeptError`, their keeping left to its caller to wait out (run
        again, the work would be done twice).
        """
        if answer.unhandled:  # words from someone with no unit to report for
            answer = self._fallback(actor)
        texts = [text for said in answer.said for text in self._render(actor.lang, said)]
        if db is not None:
            self._keep_choices(actor, answer, db)
            return texts
        keep = partial(self._keep_choices, actor, answer)
        try:
            keep()
        except OperationalError as exc:
            raise UnkeptError(texts, keep) from exc
        return texts

    def _keep_choices(self, actor: Actor, answer: Answer, db: Session | None = None) -> None:
        """Keep the answer's last numbered choices as the person's pending choices (none: the
        earlier forgotten), in `db`'s transaction or one of its own."""
        offered = [said for said in answer.said if said.choices]
        with session_in(self.services.engine, db) as session:
            if offered:
                data = {
                    "offer": f"offer:{self.services.clock.now().timestamp():.6f}",
                    "choices": [list(c.data) for c in numbered(offered[-1].choices)],
                }
                now = self.services.clock.now()
                set_pending(session, contact_id=actor.contact_id, data=data, now=now, kind=CHOICES)
            else:
                clear_pending(session, contact_id=actor.contact_id, kind=CHOICES)

    def _render(self, lang: str, said: Said) -> list[str]:
        """Return one message as this channel shows it."""
        intro = self.services.catalog.get(lang, "common.reply_with_number")
        return render(said.text, said.choices, intro=intro, limit=self.limit)


def joined_slash(typed: str) -> str:
    """Return a typed command with no space after its slash: "/ mytasks" is "/mytasks"
    (else answered "Bot không hiểu lệnh /"); "/ 2" or "/" alone are left as they are."""
    return SPACED_SLASH_RE.sub("/", typed, count=1)


def _command_word(typed: str) -> str:
    """Return the command a typed text starts with ("link" for "/link X", "viec" for "/Việc":
    a Vietnamese keyboard adds the marks), else ""."""
    if not typed.startswith("/"):
        return ""
    return fold(typed.partition(" ")[0][1:])


def _dedup(offer: str, kind: str, assignment_id: int) -> str:
    """Return the dedup key of a report made by taking a choice of one offer."""
    return f"{offer}:{kind}:{assignment_id}"
