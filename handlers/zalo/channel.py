"""The Zalo channel: one person's event in, the texts to answer out (blocking: off the loop).

Built on the text channel (`handlers/text/channel.py`): numbered choices kept in the
database, free text through the reply parser. On top of it: pairing by code, the typed
commands (`handlers/zalo/commands.py`), the typed status answers ("2 60%", "#12 1",
`handlers/zalo/shorthand.py`), photos as evidence, and Zalo's rendering of status choices.
A guided form under way (`handlers/zalo/forms.py`, kept by `form_state.py`) takes the
person's plain text first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, NoReturn

from sqlmodel import Session

from app import photo_evidence, reject_reason
from app.actor import Actor
from app.checkin import MAX_TEXT, Answer, RepliedTo, Said
from app.checkin.offer import status_offer
from app.checkin.pending import reason_awaited
from app.checkin.reaction import still_chased
from app.explanation_requests import request as request_explanation
from app.explanations import start_answer
from app.extensions import decide
from app.linking import is_live_code
from app.offers import reminded
from app.pairing import Newcomer, redeem
from app.said import as_said, waited
from app.seen import seen
from core.checkin import asks_for_help
from core.invites import pasted_code
from core.linking import link_code_in, looks_like_link_code
from core.roles import Access
from core.textnorm import fold, narrow, trim
from db.retry import UnkeptError, not_repeated
from handlers.text.channel import TextChannel, joined_slash
from handlers.zalo import (
    commands,
    evidence,
    evidence_links,
    form_state,
    forms,
    invites,
    ranking,
    taskedit,
    unitadmin,
)
from handlers.zalo.files import PhotoSaid
from handlers.zalo.pages import recall
from handlers.zalo.shorthand import is_dated_extension, rewrite
from render.zalo import LIMIT, show
from zalo import STICKER, Event

log = logging.getLogger(__name__)

CHANNEL = "zalo"
# The staff's choices a typed number takes: a task to change, a unit to switch off, to
# show, whose invites to revoke or whose evidence to list.
CHOSEN = {
    taskedit.PREFIX: taskedit.take,
    unitadmin.PREFIX: unitadmin.take,
    ranking.PREFIX: ranking.take,
    invites.PREFIX: invites.take,
    evidence_links.PREFIX: evidence_links.take,
    evidence.PREFIX: evidence.take,
}
MORE_WORDS = frozenset({"tiep", "tiếp", "next", "more"})


@dataclass
class ZaloChannel(TextChannel):
    """The text channel named "zalo", answering Zalo events."""

    name: str = CHANNEL
    limit: int = LIMIT
    not_registered: str = "zalo.not_registered"

    def answer(
        self, event: Event, photo: bytes | None = None, *, oversized: bool = False
    ) -> Sequence[str | PhotoSaid]:
        """Return the texts that answer one event of a private chat, then photos to send.

        `oversized`: the photo was not fetched because it is larger than a photo may be.
        """
        actor = self._seen(event)
        lang = actor.lang if actor is not None else self.services.settings.default_language
        t = partial(self.services.catalog.get, lang)
        if actor is not None and actor.unit_ids and event.is_message and not event.is_photo:
            photo_evidence.row_ended(self.services, actor)  # photos after it are no album
        if event.is_photo:
            kept = self._photo(actor, lang, event, photo, oversized)
            if not kept.text:  # joined the question just asked about the photos before it
                return []
            if actor is not None and kept.choices:  # which task: a typed number answers
                return self._show(actor, Answer([kept]))
            return self._render(lang, kept)
        if event.is_text:
            return self._text(event, actor, lang)
        if not event.is_message:  # nothing was said to answer
            log.info(
                "Zalo event %s (%r) is no message: not answered", event.message_id, event.name
            )
            return []
        if not event.readable:  # a file, or every message of an account Zalo protects
            return self._render(lang, Said(t("zalo.unreadable", id=event.sender_id)))
        if event.name == STICKER:  # Zalo's 👍 and thank-you: no reaction to read
            return self._render(lang, self._sticker(actor, lang))
        return self._render(lang, Said(t("zalo.unsupported")))

    def _sticker(self, actor: Actor | None, lang: str) -> Said:
        """Answer a sticker: a stranger how to join; a reminder's tasks still chased that
        nothing was recorded for them (a reaction on Telegram); else thanks, as a 👍 typed
        is thanked for (it was told the bot reads no files, voice messages or videos)."""
        t = partial(self.services.catalog.get, lang)
        if actor is None:
            return Said(t(self.not_registered))
        chased = still_chased(self.services, actor, reminded(self._last_offer(actor)))
        return chased or Said(t("checkin.acknowledged"))

    def _text(self, event: Event, actor: Actor | None, lang: str) -> Sequence[str | PhotoSaid]:
        """Return the texts that answer a text."""
        t = partial(self.services.catalog.get, lang)
        typed = joined_slash(trim(narrow(event.text)))  # "＃12 xong" from a full-width keyboard
        if len(typed) > MAX_TEXT:  # as on Telegram, which takes no longer message
            return self._render(
                lang, Said(t("common.too_long", length=len(typed), limit=MAX_TEXT))
            )
        if commands.command_word(typed) == "huy":  # "/hủy": the word a question asks for, typed
            typed = "/cancel"  # as a command; it was an unknown one, the question left open
        rest = typed.partition(" ")[2]
        command = commands.command_word(typed)
        # Only admins fill in forms: an official's reply costs no read of one.
        admin = actor is not None and actor.access >= Access.ADMIN
        form = form_state.current(self.services, actor) if actor is not None and admin else None
        # A check-in (`receive`'s) is run again whole after the database failed; the others
        # only when it failed before they kept anything (`db.retry.not_repeated`), else they
        # fail as `db.retry.PartlyDoneError`; their choices are kept after them.
        if actor is not None and form is not None and command in ("", "cancel"):
            with not_repeated("answering a form"):
                try:
                    said = self._in_form(actor, form, command, typed, event)
                except UnkeptError as left:  # the form's step is done: keep the rest later
                    self._show_unkept(actor, left)
                return self._show(actor, Answer(said))
        # "trợ giúp", "menu" without the slash; "hướng dẫn" may answer "what blocks it?"
        if (
            not command
            and asks_for_help(typed)
            and (actor is None or not reason_awaited(self.services, actor, typed))
        ):
            command, rest = "help", ""
        code = rest.strip() if command == "start" else pasted_code(typed) if not command else ""
        # After /start, any word is meant as a code: a cut-short one is called unusable.
        if code:
            with not_repeated("redeeming a code"):
                newcomer = self._newcomer(event, lang)
                return self._render(lang, redeem(self.services, newcomer, code).said)
        worded = link_code_in(typed) if actor is None and command in ("", "link") else None
        if worded is not None:  # "Mã liên kết của anh/chị: K7QM-3XPA", "/link K7QM-3XPA ạ"
            return self.receive(event.sender_id, f"/link {worded}", event.message_id)
        if actor is None and command == "link":  # someone known on another channel
            return self.receive(event.sender_id, typed, event.message_id)
        if actor is None and not command and looks_like_link_code(typed):  # the code alone
            return self.receive(event.sender_id, f"/link {typed}", event.message_id)
        if not command and is_live_code(self.services, typed):  # copied without its /link
            return self.receive(event.sender_id, f"/link {typed}", event.message_id)
        if actor is None and command == "whoami":  # how an IT officer learns ZALO_ADMIN_IDS
            return self._render(lang, Said(t("zalo.whoami_stranger", id=event.sender_id)))
        if actor is None:
            return self._render(lang, Said(t("zalo.not_registered")))
        # A command run here with no declared role is the admins' until someone declares it.
        undeclared = Access.ADMIN if command in commands.COMMANDS else Access.PUBLIC
        if actor.access < commands.ACCESS.get(command, undeclared):
            # No unit and no role (removed from their last unit): how to join, as on Telegram.
            key = self.not_registered if actor.access == Access.PUBLIC else "common.not_allowed"
            return self._show(actor, Answer([Said(t(key))]))
        if actor.access >= Access.COORDINATOR:
            # Why a request was just rejected by its number: a command ends the question,
            # other words may answer it (`app.reject_reason`).
            if command:
                reject_reason.forget(self.services, actor, command)
            else:
                with not_repeated("giving a rejection's reason"):
                    why = reject_reason.answer(self.services, actor, typed, self.name)
                if why is not None:
                    return self._show(actor, why)
        run = commands.COMMANDS.get(command)
        if run is None and fold(typed) in MORE_WORDS:
            run = commands.next_page
        if run is not None:
            with not_repeated("running a command"):
                saids = run(self.services, actor, rest, event.sender_name)
                photos = [one for one in saids if isinstance(one, PhotoSaid)]
                try:
                    return [*self._show(actor, Answer(saids)), *photos]
                except UnkeptError as left:
                    raise UnkeptError([*left.answer, *photos], left.keep) from left
        words, replied = self._status_words(actor, typed)
        text = words or ("/cancel" if command == "cancel" else narrow(event.text))  # "/hủy"
        return self.receive(event.sender_id, text, event.message_id, replied, wait=_waited(event))

    def _show_unkept(self, actor: Actor, left: UnkeptError) -> NoReturn:
        """Raise a form's UnkeptError (its step done, what it keeps failed) again, its words
        rendered, the choices they offer to be kept after what the form left to keep."""
        answer = Answer(left.answer)
        texts = [text for said in answer.said for text in self._render(actor.lang, said)]
        keep_form = left.keep

        def keep() -> None:
            keep_form()
            self._keep_choices(actor, answer)

        raise UnkeptError(texts, keep) from left

    def _photo(
        self, actor: Actor | None, lang: str, event: Event, photo: bytes | None, oversized: bool
    ) -> Said:
        """Keep a photo as evidence of the sender's unit, or say why it is not kept."""
        t = partial(self.services.catalog.get, lang)
        if actor is None:
            return Said(t("zalo.not_registered"))
        # The status its caption states counts from when it was sent (`app.said`).
        said = as_said(self.services, _waited(event))
        return evidence.keep(said, actor, event, photo, oversized=oversized)

    def _in_form(
        self, actor: Actor, form: dict[str, Any], command: str, typed: str, event: Event
    ) -> list[Said]:
        """Take what an admin typed while a form waits: leave it, a next page, or an answer."""
        if command == "cancel" or form_state.is_cancel(typed):
            return form_state.cancel(self.services, actor)
        if fold(typed) in MORE_WORDS and recall(self.services, actor) is not None:
            # "tiếp" after a list asked for mid-form is its next page, not a title.
            return commands.next_page(self.services, actor, "", event.sender_name)
        return forms.answer(self.services, actor, form, typed)

    def _seen(self, event: Event) -> Actor | None:
        """Return who wrote, refreshing what Zalo says of them (they are reachable again, and
        unreadable since the first message Zalo did not hand over, until one it does)."""
        return seen(
            self.services,
            CHANNEL,
            event.sender_id,
            chat_id=event.chat_id,
            name=event.sender_name,
            readable=event.readable,
        )

    def _newcomer(self, event: Event, lang: str) -> Newcomer:
        """Return the person who sent a code, as Zalo names them."""
        return Newcomer(CHANNEL, event.sender_id, event.chat_id, event.sender_name, lang)

    def _status_words(self, actor: Actor, typed: str) -> tuple[str | None, RepliedTo | None]:
        """Return the words a typed status answer stands for, if the last offer was statuses,
        and the offered assignments it answers (`app.checkin.offer`'s rule)."""
        offer = status_offer(self.services, (self._last_offer(actor) or {}).get("choices", []))
        if not offer.assignments and not typed.startswith("#") and not is_dated_extension(typed):
            return None, None
        if offer.takes(typed):
            return None, None  # "1" takes the offered choice itself, as a button would
        words = rewrite(typed, offer.single_task)
        if words is None:
            return None, None
        return words, offer.answered(words)

    def _numbered(self, choices: Sequence[Any]) -> bool:
        """Tell whether an offer's choices are taken by a typed number: not an offer of
        statuses about several items, which Zalo shows as "#12 1", never numbered, so a bare
        "10" is the official's own words (10%), not the hidden tenth choice (the third task's
        in progress)."""
        return len(status_offer(self.services, choices).assignments) <= 1

    def _take(
        self, actor: Actor, data: tuple[str, ...], offer: str, db: Session | None = None
    ) -> Answer:
        """Apply a numbered choice; an extension decision (`xt:ok|no:N`) as its button would, a
        task to change (`te:`), a unit to switch (`un:`), show (`rk:`) or whose invites to
        revoke (`iv:`), or whose evidence to list (`el:`), as typing it would."""
        if len(data) == 3 and data[0] == "xt" and data[1] in ("ok", "no") and data[2].isdigit():
            if actor.access < Access.COORDINATOR:
                return Answer([Said(self.services.catalog.get(actor.lang, "common.not_allowed"))])
            approve = data[1] == "ok"  # a rejection asks why (app.reject_reason)
            line = decide(self.services, actor, int(data[2]), approve, "", ask_on=self.name)
            return Answer([Said(line)])
        if len(data) == 3 and data[0] == "ex" and data[2].isdigit():
            return self._explanation(actor, data[1], int(data[2]))
        chosen = CHOSEN.get(data[0]) if data else None
        if chosen is not None:
            return Answer(chosen(self.services, actor, data))
        return super()._take(actor, data, offer, db)

    def _explanation(self, actor: Actor, action: str, number: int) -> Answer:
        """Ask a unit for an explanation (`ex:req`), or start answering one (`ex:ans`)."""
        t = partial(self.services.catalog.get, actor.lang)
        if action == "req" and actor.access >= Access.COORDINATOR:
            return Answer([Said(request_explanation(self.services, actor, number))])
        if action != "ans":
            return Answer([Said(t("common.button_stale"))])
        return Answer([Said(start_answer(self.services, actor, number))])

    def _render(self, lang: str, said: Said) -> list[str]:
        """Return one message as Zalo shows it."""
        return show(self.services.catalog, lang, said.text, said.choices, self.limit)


def _waited(event: Event) -> timedelta | None:
    """Return how long the event's message waited since Zalo dated it (None: undated)."""
    if event.date_ms <= 0:
        return None
    return waited(datetime.fromtimestamp(event.date_ms / 1000, UTC))
