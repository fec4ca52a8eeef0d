"""Admins' unit switch on Zalo, typed: /deactivate <unit code or name>, as on Telegram, and
/activate <unit> (on Telegram, the unit card's button); /mergeunits OLD1, OLD2 | NEW.

A name that fits several units is answered with numbered choices: a typed "2" switches the
second (`un:off:<unit id>`, `un:on:<unit id>`), as Telegram's second button would. A merge's
plan is answered so too: "1" merges (`un:mg:<token>`), "2" does not (`un:mgx:<token>`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from app import unit_form, unit_merge
from app.actor import Actor
from app.checkin import Said
from app.services import Services
from handlers.zalo.commandkit import refused_unless_admin, units_offered

PREFIX = "un"
SWITCHES = {"off": False, "on": True}


def deactivate(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/deactivate <unit>: it stops getting tasks and reminders; its history stays."""
    return _named(services, actor, args, active=False)


def activate(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/activate <unit>: a unit deactivated before is followed again (Telegram: its card's
    button), found among the deactivated units only."""
    return _named(services, actor, args, active=True)


def _named(services: Services, actor: Actor, args: str, *, active: bool) -> list[Said]:
    """Switch the unit the admin named on or off, or ask which one, or say how to type it."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    text = args.strip()
    if not text:
        return [Said(t("units.activate_usage" if active else "units.deactivate_usage"))]
    # Telegram's words when none fits: a deactivated unit /deactivate names is said to be
    # one, with the /activate that follows it again.
    found, none = unit_form.named_units(services, actor.lang, text, include_inactive=active)
    units = [u for u in found if not u.active] if active else found
    if not units:
        return [Said(t("units.already_active", name=found[0].name) if found else none)]
    if len(units) > 1:
        switch = "on" if active else "off"
        return units_offered(
            services, actor.lang, text, units, lambda u: (PREFIX, switch, u.id or 0)
        )
    return _switch(services, actor, units[0].id or 0, active=active)


def mergeunits(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/mergeunits OLD1, OLD2 | NEW: what it would do, with numbered Merge and Cancel."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    text, choices = unit_merge.ask_typed(services, actor.lang, actor.contact_id, args)
    return [Said(text, choices)]


def take(services: Services, actor: Actor, data: Sequence[str]) -> list[Said]:
    """Switch the unit chosen by its number (`un:off:<id>` or `un:on:<id>`), or merge as
    asked (`un:mg:<token>`) or not (`un:mgx:<token>`)."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    if len(data) > 1 and data[1] in (unit_merge.CONFIRM, unit_merge.DROP):
        answer = unit_merge.answer_choice
        return [Said(answer(services, actor.lang, actor.contact_id, list(data)))]
    if len(data) != 3 or data[1] not in SWITCHES or not data[2].isdigit():
        return [Said(services.catalog.get(actor.lang, "common.button_stale"))]
    return _switch(services, actor, int(data[2]), active=SWITCHES[data[1]])


def _switch(services: Services, actor: Actor, unit_id: int, *, active: bool) -> list[Said]:
    """Switch one unit on or off and say so."""
    said = unit_form.switch(services, actor.lang, actor.contact_id, unit_id, active=active)
    return [Said(said or services.catalog.get(actor.lang, "common.button_stale"))]
