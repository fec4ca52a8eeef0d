"""Admins' unit switch on Zalo, typed as on Telegram: /deactivate <unit code or name>.

A name that fits several units is answered with numbered choices: a typed "2" deactivates
the second (`un:off:<unit id>`), as Telegram's second button would.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from app import unit_form
from app.actor import Actor
from app.checkin import Said
from app.choices import Choice
from app.services import Services
from db.engine import session_scope
from db.queries.units import find_units
from handlers.zalo.admin import refused_unless_admin

PREFIX = "un"
MAX_CHOICES = 20
SWITCHES = {"off": False, "on": True}


def deactivate(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/deactivate <unit>: it stops getting tasks and reminders; its history stays."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    text = args.strip()
    if not text:
        return [Said(t("units.deactivate_usage"))]
    with session_scope(services.engine) as session:
        units = find_units(session, text=text)
    if not units:
        return [Said(t("units.not_found", text=text))]
    if len(units) > 1:
        choices = [
            [Choice(f"{u.name} ({u.code})", (PREFIX, "off", u.id or 0))]
            for u in units[:MAX_CHOICES]
        ]
        return [Said(t("units.which_one", text=text, count=len(units)), choices)]
    return _switch(services, actor, units[0].id or 0, active=False)


def take(services: Services, actor: Actor, data: Sequence[str]) -> list[Said]:
    """Switch the unit chosen by its number (`un:off:<id>` or `un:on:<id>`)."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    if len(data) != 3 or data[1] not in SWITCHES or not data[2].isdigit():
        return [Said(services.catalog.get(actor.lang, "common.button_stale"))]
    return _switch(services, actor, int(data[2]), active=SWITCHES[data[1]])


def _switch(services: Services, actor: Actor, unit_id: int, *, active: bool) -> list[Said]:
    """Switch one unit on or off and say so."""
    said = unit_form.switch(services, actor.lang, actor.contact_id, unit_id, active=active)
    return [Said(said or services.catalog.get(actor.lang, "common.button_stale"))]
