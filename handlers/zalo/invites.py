"""/invites on Zalo for admins: `/invites revoke <unit, invite code or link>` as on Telegram,
through the same use case (`app.invite_admin`). A name that fits several units is answered
with numbered choices (`iv:rv:<unit id>`). Zalo sends no files, so the sheet of invite links
Telegram sends is not offered: the answer says how to invite unit by unit with /invite.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from app import invite_admin
from app.actor import Actor
from app.checkin import Said
from app.services import Services
from core.invites import looks_like_code
from core.textnorm import fold
from db.engine import session_scope
from db.queries.units import find_units
from handlers.zalo.admin import refused_unless_admin, units_offered

PREFIX = "iv"
REVOKE = "rv"
REVOKE_WORDS = ("revoke", "huy")  # "hủy"


def invites(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/invites revoke <unit|code>: revoke invites; /invites alone: how to invite on Zalo."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    words = args.split(maxsplit=1)
    if not words or fold(words[0]) not in REVOKE_WORDS:
        return [Said(services.catalog.get(actor.lang, "zalo.invites_how"))]
    return _revoke(services, actor, words[1] if len(words) > 1 else "")


def _revoke(services: Services, actor: Actor, text: str) -> list[Said]:
    """Revoke the invite of a code (or deep link), or every open invite of a unit."""
    t = partial(services.catalog.get, actor.lang)
    code = invite_admin.code_of(text)
    if not code:
        return [Said(t("invites.revoke_usage"))]
    if looks_like_code(code):
        said = invite_admin.revoke_code(services, actor.lang, actor.contact_id, code)
        if said is not None:
            return [Said(said)]
    with session_scope(services.engine) as session:
        units = find_units(session, text=text, include_inactive=True)
    if not units:
        return [Said(t("units.not_found", text=text))]
    if len(units) > 1:
        return units_offered(
            services, actor.lang, text, units, lambda u: (PREFIX, REVOKE, u.id or 0)
        )
    unit_id = units[0].id or 0
    return [Said(invite_admin.revoke_for_unit(services, actor.lang, actor.contact_id, unit_id))]


def take(services: Services, actor: Actor, data: Sequence[str]) -> list[Said]:
    """Revoke the open invites of the unit chosen by its number (`iv:rv:<unit id>`)."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    if len(data) != 3 or data[1] != REVOKE or not data[2].isdigit():
        return [Said(services.catalog.get(actor.lang, "common.button_stale"))]
    unit_id = int(data[2])
    return [Said(invite_admin.revoke_for_unit(services, actor.lang, actor.contact_id, unit_id))]
