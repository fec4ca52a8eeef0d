"""Zalo's guided `/newtask`: title → deadline → units → directive (optional, "bỏ qua") →
confirm, each answer checked by `app/newtask` as Telegram's form is. The one-line
`/newtask <title> | <deadline> | <units> [| <directive>]` lands on the confirmation too, or
on the step of the one part it refused."""

from __future__ import annotations

from functools import partial
from typing import Any

from app import newtask
from app.actor import Actor
from app.checkin import Said
from app.services import Services
from core.roles import Access
from core.taskdraft import TaskDraft
from core.textnorm import fold
from handlers.zalo.form_state import CONFIRM, KIND, NEWTASK, choices, dropped, keep, unless_yes

NEWTASK_STEPS = ("title", "deadline", "units", "directive", CONFIRM)


def start(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/newtask: start the guided form, or read the one-line form to its confirmation."""
    t = partial(services.catalog.get, actor.lang)
    if actor.access < Access.ADMIN:
        return [Said(t("common.not_allowed"))]
    was = dropped(services, actor)
    if not args.strip():
        form = {"form": NEWTASK, "step": "title", "cells": {}}
        keep(services, actor, form)
        return [Said(was + t("zalo.newtask_title"))]
    parts = newtask.split_line(args)
    if parts is None:
        keep(services, actor, None)
        return [Said(was + t("newtask.usage_one_line"))]
    cells = {"title": parts.title, "deadline": parts.deadline, "units": parts.units}
    cells["directive"] = parts.directive
    form = {"form": NEWTASK, "step": CONFIRM, "cells": cells}
    first, *rest = _confirm(services, actor, form)
    return [Said(was + first.text, first.choices), *rest]


def step(services: Services, actor: Actor, form: dict[str, Any], text: str) -> list[Said]:
    """One answer of the /newtask form."""
    lang, at, cells = actor.lang, str(form.get("step")), dict(form.get("cells", {}))
    if at == CONFIRM:
        return _decide(services, actor, form, text)
    refused = _refusal(services, lang, at, text)
    if refused is not None:
        return [Said(f"{refused.text}\n\n{_question(services, lang, at)}")]
    cells[at] = "" if at == "directive" and fold(text) in newtask.SKIP_WORDS else text
    # The next step not answered yet: a one-line form asked for its refused part alone.
    following = next(s for s in NEWTASK_STEPS if s == CONFIRM or s not in cells)
    form = {**form, "step": following, "cells": cells}
    if following == CONFIRM:
        return _confirm(services, actor, form)
    keep(services, actor, form)
    noted = _deadline_noted(services, lang, text) if at == "deadline" else ""
    return [Said(noted + _question(services, lang, following))]


def _refusal(services: Services, lang: str, at: str, text: str) -> newtask.Refused | None:
    """Return why the answer at step `at` is refused (None: it is taken)."""
    if at == "title":
        return newtask.title_refusal(services, lang, text)
    read: object = None
    if at == "deadline":
        read = newtask.read_deadline(services, lang, text)
    elif at == "units":
        read = newtask.resolve_units(services, lang, text)
    elif at == "directive":
        read = newtask.read_directive(services, lang, text, known_only=True)
    return read if isinstance(read, newtask.Refused) else None


def _deadline_noted(services: Services, lang: str, text: str) -> str:
    """Say the deadline taken (and that it moved off a day off), before the next question."""
    parsed = newtask.read_deadline(services, lang, text)
    if isinstance(parsed, newtask.Refused):
        return ""
    note = newtask.moved_note(services, lang, parsed)
    said = services.catalog.get(lang, "newtask.deadline_set", date=parsed.date)
    return said + (f"\n{note}" if note else "") + "\n\n"


def _parts(cells: dict[str, str]) -> newtask.Parts:
    """Return the typed parts of a /newtask form."""
    return newtask.Parts(
        cells.get("title", ""),
        cells.get("deadline", ""),
        cells.get("units", ""),
        cells.get("directive", ""),
    )


def _confirm(services: Services, actor: Actor, form: dict[str, Any]) -> list[Said]:
    """Show the task to be created with "1. Tạo / 2. Huỷ", or ask for a refused part."""
    t = partial(services.catalog.get, actor.lang)
    draft = newtask.draft_from(services, actor.lang, _parts(form["cells"]))
    if isinstance(draft, newtask.Refused):
        return _back_to(services, actor, form, draft)
    keep(services, actor, {**form, "step": CONFIRM})
    text = newtask.confirm_text(services, actor.lang, draft, buttons=False)
    return [Said(text, choices(t("newtask.btn_create"), t("newtask.btn_cancel")))]


def _back_to(
    services: Services, actor: Actor, form: dict[str, Any], refused: newtask.Refused
) -> list[Said]:
    """Say what is wrong with a part; ask for it alone (or end, for a title or directive)."""
    if refused.part not in ("deadline", "units"):
        keep(services, actor, None)
        hint = services.catalog.get(actor.lang, "newtask.fix_and_resend")
        return [Said(f"{refused.text}\n{hint}")]
    keep(services, actor, {**form, "step": refused.part})
    question = _question(services, actor.lang, refused.part)
    return [Said(f"{refused.text}\n\n{question}")]


def _decide(services: Services, actor: Actor, form: dict[str, Any], text: str) -> list[Said]:
    """Create the task on "1" (its parts read again), drop it on "2"; else say how."""
    not_yes = unless_yes(services, actor, text)
    if not_yes is not None:
        return not_yes
    draft = newtask.draft_from(services, actor.lang, _parts(form["cells"]))
    if isinstance(draft, newtask.Refused):
        return _back_to(services, actor, form, draft)
    return [Said(_create(services, actor, draft))]


def _create(services: Services, actor: Actor, draft: TaskDraft) -> str:
    """Create the task once: the form is taken in the transaction that creates it, so a
    repeated "1" creates nothing, and a database failing on the way keeps the form whole."""
    return newtask.create_once(services, actor.lang, actor.contact_id, draft, KIND)


def _question(services: Services, lang: str, at: str) -> str:
    """Return the question of a step."""
    return services.catalog.get(lang, f"zalo.newtask_{at}")
