"""The units a typed text names, for the commands of a channel without buttons: the one
unit it names, or what to say (none such; several fit, listed), or all that fit."""

from __future__ import annotations

from functools import partial

from app import unit_form
from app.services import Services
from db.engine import session_scope
from db.models import Unit
from db.queries.units import find_units

UNITS_LISTED = 10


def fitting(services: Services, text: str, *, include_inactive: bool = False) -> list[Unit]:
    """Return the units `text` names (code or name), deactivated ones too if asked."""
    with session_scope(services.engine) as session:
        return find_units(session, text=text, include_inactive=include_inactive)


def one_unit(
    services: Services, lang: str, text: str, *, include_inactive: bool = False
) -> Unit | str:
    """Return the one unit `text` names (code or name), or what to say: none, or which."""
    t = partial(services.catalog.get, lang)
    units = fitting(services, text, include_inactive=include_inactive)
    if not units and include_inactive:
        return t("zalo.unit_not_found", text=text)
    if not units:
        return unit_form.not_found(services, lang, text)
    if len(units) > 1:
        listed = "\n".join(f"{u.code}: {u.name}" for u in units[:UNITS_LISTED])
        return t("zalo.unit_ambiguous", text=text, units=listed)
    return units[0]
