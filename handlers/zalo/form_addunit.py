"""Zalo's guided `/addunit`: code → name → kind → parent (or "-") → groups (or "-") →
confirm, each answer checked by `app/unit_form` as Telegram's form is."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy.exc import OperationalError

from app import unit_form
from app.actor import Actor
from app.checkin import Said
from app.services import Services
from core.roles import Access
from db.retry import UnkeptError
from handlers.zalo.form_state import ADDUNIT, CONFIRM, cancel, choices, dropped, keep, unless_yes

ADDUNIT_STEPS = (*unit_form.FIELDS, CONFIRM)


def start(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/addunit: start the guided form, or add the unit of a one-line form."""
    t = partial(services.catalog.get, actor.lang)
    if actor.access < Access.ADMIN:
        return [Said(t("common.not_allowed"))]
    if not args.strip():
        was = dropped(services, actor)
        keep(services, actor, {"form": ADDUNIT, "step": "code", "cells": {}})
        return [Said(was + unit_form.ask(services, actor.lang, "code"))]
    cells = unit_form.from_line(services, actor.lang, args)
    if isinstance(cells, unit_form.Refusal):
        return [Said(cells.text)]
    return [Said(unit_form.save(services, actor.lang, actor.contact_id, cells))]


def step(services: Services, actor: Actor, form: dict[str, Any], text: str) -> list[Said]:
    """One answer of the /addunit form."""
    lang, at, cells = actor.lang, str(form.get("step")), dict(form.get("cells", {}))
    if at == CONFIRM:
        return _decide(services, actor, form, text)
    if at not in unit_form.FIELDS:
        return cancel(services, actor)
    taken = unit_form.take(services, lang, at, text)
    if isinstance(taken, unit_form.Refusal):
        again = unit_form.ask(services, lang, at)
        said = taken.text if taken.text == again else f"{taken.text}\n\n{again}"
        return [Said(said)]
    cells[at] = taken
    following = ADDUNIT_STEPS[ADDUNIT_STEPS.index(at) + 1]
    keep(services, actor, {**form, "step": following, "cells": cells})
    if following != CONFIRM:
        return [Said(unit_form.ask(services, lang, following))]
    return [_confirm(services, lang, cells)]


def _confirm(services: Services, lang: str, cells: dict[str, Any]) -> Said:
    """Show the unit to be saved with "1. Lưu / 2. Huỷ"."""
    t = partial(services.catalog.get, lang)
    kind_name = unit_form.kind_named(services, lang, cells["kind"])
    text = t(
        "zalo.addunit_confirm",
        code=cells["code"],
        name=cells["name"],
        kind=kind_name,
        parent=cells["parent_code"] or "-",
        groups=cells["groups"].replace(";", "; ") or "-",
    )
    return Said(text, choices(t("zalo.btn_save"), t("newtask.btn_cancel")))


def _decide(services: Services, actor: Actor, form: dict[str, Any], text: str) -> list[Said]:
    """Save the unit on "1" (its code checked again), drop it on "2"; else say how."""
    not_yes = unless_yes(services, actor, text)
    if not_yes is not None:
        return not_yes
    cells = {k: str(v) for k, v in form.get("cells", {}).items()}
    if unit_form.code_exists(services, cells.get("code", "")):  # taken meanwhile
        keep(services, actor, {**form, "step": "code"})
        stands = unit_form.taken_meanwhile(services, actor.lang, cells.get("code", ""))
        return [Said(f"{stands}\n\n{unit_form.ask(services, actor.lang, 'code')}")]
    # Saved first, the form left after: a database failing on the way keeps the form whole;
    # once the unit is saved, the form is left after a wait, the unit not saved again.
    saved = [Said(unit_form.save(services, actor.lang, actor.contact_id, cells))]
    leave = partial(keep, services, actor, None)
    try:
        leave()
    except OperationalError as exc:
        raise UnkeptError(saved, leave) from exc
    return saved
