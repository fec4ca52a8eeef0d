"""Naming a unit in chat: by code or name; several matches are offered as buttons.

Not a flow: units, invites and contacts (and later summaries) use it to turn what an
admin typed into one unit, or to ask which one they meant instead of guessing.
"""

from __future__ import annotations

from functools import partial

from app import unit_form
from app.unit_form import Unit
from handlers.telegram.access import Request
from render.telegram import buttons


async def pick_unit(
    req: Request, text: str, *parts: str | int, include_inactive: bool = False
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
    said, choices = unit_form.offered(
        req.services, req.actor.lang, text, units, lambda u: (*parts, u.id or 0)
    )
    await req.reply(
        said, reply_markup=buttons(req.services.button_key, req.actor.external_id, choices)
    )
    return None
