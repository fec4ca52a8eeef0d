"""Revoking invites from Telegram: `/invites revoke <code|link|unit>` (a code's invite, or
every open invite of a unit chosen among several by an `iv:rv:<unit id>` button)."""

from __future__ import annotations

from app import invite_admin
from core.invites import looks_like_code
from handlers.telegram.access import Request
from handlers.telegram.unitpick import pick_unit

PREFIX = "iv"  # the invites flow's buttons (`invites.py` routes `iv:rv:` here)
REVOKE = "rv"


async def revoke(req: Request, text: str) -> None:
    """Revoke the invite of a code (or deep link), or every open invite of a unit."""
    code = invite_admin.code_of(text)
    if not code:
        await req.say("invites.revoke_usage")
        return
    actor = req.actor
    if looks_like_code(code):
        said = await req.run(
            invite_admin.revoke_code, req.services, actor.lang, actor.contact_id, code
        )
        if said is not None:
            await req.reply(said)
            return
    unit = await pick_unit(req, text, PREFIX, REVOKE, include_inactive=True)
    if unit is not None and unit.id is not None:
        await revoke_for_unit(req, unit.id)


async def revoke_for_unit(req: Request, unit_id: int) -> None:
    """Revoke every open invite of a unit and say how many."""
    actor = req.actor
    await req.reply(
        await req.run(
            invite_admin.revoke_for_unit, req.services, actor.lang, actor.contact_id, unit_id
        )
    )
