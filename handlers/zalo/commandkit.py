"""What Zalo's typed commands share: the refusal of a role too low, the one unit a text
names, and the units a name fits offered as numbered choices."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from app import unit_form
from app.actor import Actor
from app.checkin import Said
from app.choices import Choice
from app.services import Services
from core.roles import Access
from db.engine import session_scope
from db.models import Unit
from db.queries.units import find_units

UNITS_LISTED = 10
UNITS_OFFERED = 20  # numbered choices of the units a name fits


def refused_unless_admin(services: Services, actor: Actor) -> list[Said] | None:
    """Return the refusal for anyone but an admin, else None."""
    return refused_below(services, actor, Access.ADMIN)


def refused_below(services: Services, actor: Actor, access: Access) -> list[Said] | None:
    """Return the refusal for anyone whose role is below `access`, else None."""
    if actor.access >= access:
        return None
    return [Said(services.catalog.get(actor.lang, "common.not_allowed"))]


def one_unit(
    services: Services, lang: str, text: str, *, include_inactive: bool = False
) -> Unit | Said:
    """Return the one unit `text` names (code or name), or what to say: none, or which."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        units = find_units(session, text=text, include_inactive=include_inactive)
    if not units and include_inactive:
        return Said(t("zalo.unit_not_found", text=text))
    if not units:
        return Said(unit_form.not_found(services, lang, text))
    if len(units) > 1:
        listed = "\n".join(f"{u.code}: {u.name}" for u in units[:UNITS_LISTED])
        return Said(t("zalo.unit_ambiguous", text=text, units=listed))
    return units[0]


def units_offered(
    services: Services,
    lang: str,
    text: str,
    units: Sequence[Unit],
    data: Callable[[Unit], tuple[str | int, ...]],
) -> list[Said]:
    """Offer the units a name fits, numbered: a typed number takes that unit's `data`."""
    choices = [[Choice(f"{u.name} ({u.code})", data(u))] for u in units[:UNITS_OFFERED]]
    t = partial(services.catalog.get, lang)
    return [Said(t("units.which_one", text=text, count=len(units)), choices)]
