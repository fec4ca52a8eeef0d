"""A person's guided form on Zalo: kept as their pending value of kind "form" (which form,
the step it waits at, what was typed so far), and the words a form reads at any step."""

from __future__ import annotations

from typing import Any

from app.actor import Actor
from app.checkin import Said
from app.choices import Choice
from app.services import Services
from core.textnorm import fold
from db.engine import session_scope
from db.queries.pending import clear_pending, get_pending, set_pending

KIND = "form"
PREFIX = "fm"  # the data of the confirmation's choices (read by the form, not as buttons)
NEWTASK, ADDUNIT = "newtask", "addunit"
CONFIRM = "confirm"
CANCEL_WORDS = frozenset({"huy", "cancel", "thoi"})
YES_WORDS = frozenset({"1", "ok", "yes", "co", "dong y", "tao", "luu"})
NO_WORDS = frozenset({"2", "no", "khong"})


def current(services: Services, actor: Actor) -> dict[str, Any] | None:
    """Return the form the person is filling in, if any."""
    with session_scope(services.engine) as session:
        return get_pending(
            session, contact_id=actor.contact_id, now=services.clock.now(), kind=KIND
        )


def is_cancel(typed: str) -> bool:
    """Tell whether a typed word leaves a form ("huỷ", "hủy", "cancel", "thôi")."""
    return fold(typed) in CANCEL_WORDS


def cancel(services: Services, actor: Actor) -> list[Said]:
    """Leave the form; nothing is created."""
    keep(services, actor, None)
    return [Said(services.catalog.get(actor.lang, "common.cancelled"))]


def unless_yes(services: Services, actor: Actor, text: str) -> list[Said] | None:
    """At a confirmation: None on "1"/yes; the form left on "2"/no; else how to answer."""
    word = fold(text)
    if word in YES_WORDS:
        return None
    if word in NO_WORDS:
        return cancel(services, actor)
    return [Said(services.catalog.get(actor.lang, "zalo.form_confirm_hint"))]


def choices(yes: str, no: str) -> list[list[Choice]]:
    """Return the confirmation's two numbered choices."""
    return [[Choice(yes, (PREFIX, "ok")), Choice(no, (PREFIX, "no"))]]


def dropped(services: Services, actor: Actor) -> str:
    """Say that the form under way is dropped for a new one ("" when there is none)."""
    form = current(services, actor)
    if form is None:
        return ""
    name = f"/{form.get('form', NEWTASK)}"
    return services.catalog.get(actor.lang, "common.form_dropped", form=name) + "\n\n"


def keep(services: Services, actor: Actor, form: dict[str, Any] | None) -> None:
    """Store the person's form (None: there is none any more)."""
    with session_scope(services.engine) as session:
        if form is None:
            clear_pending(session, contact_id=actor.contact_id, kind=KIND)
        else:
            now = services.clock.now()
            set_pending(session, contact_id=actor.contact_id, data=form, now=now, kind=KIND)
