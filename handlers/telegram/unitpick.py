"""Naming a unit in chat: by code or name; several matches are offered as buttons.

Not a flow: units, invites and contacts (and later summaries) use it to turn what an
admin typed into one unit, or to ask which one they meant instead of guessing.
"""

from __future__ import annotations

from functools import partial

from telegram import InlineKeyboardMarkup

from app import unit_form
from app.unit_form import Unit
from handlers.telegram.access import Request

MAX_CHOICES = 20


async def pick_unit(
    req: Request, text: str, *parts: object, include_inactive: bool = False
) -> Unit | None:
    """Return the one unit text names; else answer (not found, or which one) and return None.

    Each offered button carries `*parts` followed by the unit id, signed for the sender.
    """
    named = partial(unit_form.named_units, include_inactive=include_inactive)
    units, none = await req.atomic(named, req.services, req.actor.lang, text)
    if not units:
        await req.reply(none)
        return None
    if len(units) == 1:
        return units[0]
    rows = [[req.button(f"{u.name} ({u.code})", *parts, u.id)] for u in units[:MAX_CHOICES]]
    await req.reply(
        req.t("units.which_one", text=text, count=len(units)),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return None
