"""/lang is one use case for every channel (`app.people.set_language`): it keeps the language
and leaves the mark that resets the person's Telegram menu, whichever channel it came from."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.actor import NO_CONTACT, Actor
from app.i18n import load_catalog
from app.people import set_language
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Contact
from db.queries import menu_marks
from tests.factories import make_contact
from tests.harness import DEFAULT_NOW


def test_lang_keeps_the_language_and_marks_the_menu(settings: Settings, engine: Engine) -> None:
    """`/lang en` keeps English, answers in it and marks the menu; `/lang fr` keeps nothing;
    a stranger is told how to join, in the language asked."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    with Session(engine) as s:
        contact_id = make_contact(s, 0, channel="zalo", external_id="a1b2").id or 0
        s.commit()
    actor = Actor(contact_id, "a1b2", "vi", "member", (), ())

    usage = set_language(services, actor, "fr")
    assert usage.kept is None
    assert "/lang vi" in usage.said
    chosen = set_language(services, actor, " EN ")
    assert chosen.kept == "en"
    assert chosen.said == services.catalog.get("en", "start.lang_set")
    with Session(engine) as s:
        assert (s.get(Contact, contact_id) or Contact()).language == "en"
        assert [c for c, _ in menu_marks.marked(s)] == [contact_id]

    stranger = Actor(NO_CONTACT, "c3d4", "vi", "member", (), ())
    refused = set_language(services, stranger, "en")
    assert refused.kept is None
    assert refused.said == services.catalog.get("en", "common.not_registered")
