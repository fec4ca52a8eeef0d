"""What Zalo's typed commands share: the refusal of a role too low, the one unit a text
names, and the units a name fits offered as numbered choices."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app import unit_form
from app.actor import Actor
from app.checkin import Said
from app.services import Services
from app.unit_form import UNITS_LISTED, Unit
from core.roles import Access

__all__ = ["UNITS_LISTED", "one_unit", "refused_below", "refused_unless_admin", "units_offered"]


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
    found = unit_form.one_named(services, lang, text, include_inactive=include_inactive)
    return Said(found) if isinstance(found, str) else found


def units_offered(
    services: Services,
    lang: str,
    text: str,
    units: Sequence[Unit],
    data: Callable[[Unit], tuple[str | int, ...]],
) -> list[Said]:
    """Offer the units a name fits, numbered: a typed number takes that unit's `data`."""
    said, choices = unit_form.offered(services, lang, text, units, data)
    return [Said(said, choices)]
