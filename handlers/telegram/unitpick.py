"""Naming a unit in chat: by code or name; several matches are offered as buttons.

Not a flow: units, invites and contacts (and later summaries) use it to turn what an
admin typed into one unit, or to ask which one they meant instead of guessing.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from app import unit_form
from db.models import Unit
from db.queries.units import find_units
from handlers.telegram.access import Request
from scheduler.workers import in_worker

MAX_CHOICES = 20


async def pick_unit(
    req: Request, text: str, *parts: object, include_inactive: bool = False
) -> Unit | None:
    """Return the one unit text names; else answer (not found, or which one) and return None.

    Each offered button carries `*parts` followed by the unit id, signed for the sender.
    """
    units = await req.transaction(
        lambda session: find_units(session, text=text, include_inactive=include_inactive)
    )
    if not units and include_inactive:
        await req.say("units.not_found", text=text)
        return None
    if not units:
        lang = req.actor.lang
        await req.reply(await in_worker(unit_form.not_found, req.services, lang, text))
        return None
    if len(units) == 1:
        return units[0]
    rows = [[req.button(f"{u.name} ({u.code})", *parts, u.id)] for u in units[:MAX_CHOICES]]
    await req.reply(
        req.t("units.which_one", text=text, count=len(units)),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return None
