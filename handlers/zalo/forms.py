"""Guided forms on Zalo: `/newtask` and `/addunit` alone, as numbered text conversations.

A form is one value per person in the database (pending kind "form": which form, the step
it waits at, what was typed so far), so a restart of the bot in the middle goes on at the
same step. Each answer is checked by the same use cases as Telegram's forms (`app/newtask`,
`app/unit_form`); a refused one is explained and the same step asked again. The last step
shows everything with "1. Tạo / 2. Huỷ" (or "1. Lưu"), read by the form itself; "huỷ" or
/cancel leaves the form at any step. Other commands typed meanwhile run as usual and leave
the form where it was.

/newtask: title → deadline → units → directive (optional, "bỏ qua") → confirm.
/addunit: code → name → kind → parent (or "-") → groups (or "-") → confirm.
The one-line `/newtask <title> | <deadline> | <units> [| <directive>]` lands on the
confirmation too, or on the step of the one part it refused.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from app import newtask, unit_form
from app.actor import Actor
from app.checkin import Said
from app.choices import Choice
from app.services import Services
from core.roles import Access
from core.taskdraft import TaskDraft
from core.textnorm import fold
from db.engine import session_scope
from db.models import UnitKind
from db.queries.pending import clear_pending, get_pending, set_pending

KIND = "form"
PREFIX = "fm"  # the data of the confirmation's choices (read by the form, not as buttons)
NEWTASK, ADDUNIT = "newtask", "addunit"
CONFIRM = "confirm"
NEWTASK_STEPS = ("title", "deadline", "units", "directive", CONFIRM)
ADDUNIT_STEPS = (*unit_form.FIELDS, CONFIRM)
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
    _keep(services, actor, None)
    return [Said(services.catalog.get(actor.lang, "common.cancelled"))]


def start_newtask(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/newtask: start the guided form, or read the one-line form to its confirmation."""
    t = partial(services.catalog.get, actor.lang)
    if actor.access < Access.ADMIN:
        return [Said(t("common.not_allowed"))]
    dropped = _dropped(services, actor)
    if not args.strip():
        form = {"form": NEWTASK, "step": "title", "cells": {}}
        _keep(services, actor, form)
        return [Said(dropped + t("zalo.newtask_title"))]
    parts = newtask.split_line(args)
    if parts is None:
        _keep(services, actor, None)
        return [Said(dropped + t("newtask.usage_one_line"))]
    cells = {"title": parts.title, "deadline": parts.deadline, "units": parts.units}
    cells["directive"] = parts.directive
    form = {"form": NEWTASK, "step": CONFIRM, "cells": cells}
    first, *rest = _confirm_newtask(services, actor, form)
    return [Said(dropped + first.text, first.choices), *rest]


def start_addunit(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/addunit: start the guided form, or add the unit of a one-line form."""
    t = partial(services.catalog.get, actor.lang)
    if actor.access < Access.ADMIN:
        return [Said(t("common.not_allowed"))]
    if not args.strip():
        dropped = _dropped(services, actor)
        _keep(services, actor, {"form": ADDUNIT, "step": "code", "cells": {}})
        return [Said(dropped + unit_form.ask(services, actor.lang, "code"))]
    cells = unit_form.from_line(services, actor.lang, args)
    if isinstance(cells, unit_form.Refusal):
        return [Said(cells.text)]
    return [Said(unit_form.save(services, actor.lang, actor.contact_id, cells))]


def answer(services: Services, actor: Actor, form: dict[str, Any], typed: str) -> list[Said]:
    """Take what the person typed at the form's step; ask the next step or the same again."""
    if actor.access < Access.ADMIN:  # the role changed while the form was open
        _keep(services, actor, None)
        return [Said(services.catalog.get(actor.lang, "common.not_allowed"))]
    text = " ".join(typed.split())
    if form.get("form") == ADDUNIT:
        return _addunit_step(services, actor, form, text)
    return _newtask_step(services, actor, form, text)


def _newtask_step(services: Services, actor: Actor, form: dict[str, Any], text: str) -> list[Said]:
    """One answer of the /newtask form."""
    lang, step, cells = actor.lang, str(form.get("step")), dict(form.get("cells", {}))
    if step == CONFIRM:
        return _decide_newtask(services, actor, form, text)
    refused: newtask.Refused | None = None
    if step == "title":
        refused = newtask.title_refusal(services, lang, text)
    elif step == "deadline":
        parsed = newtask.read_deadline(services, lang, text)
        refused = parsed if isinstance(parsed, newtask.Refused) else None
    elif step == "units":
        resolved = newtask.resolve_units(services, lang, text)
        refused = resolved if isinstance(resolved, newtask.Refused) else None
    elif step == "directive":
        read = newtask.read_directive(services, lang, text, known_only=True)
        refused = read if isinstance(read, newtask.Refused) else None
    if refused is not None:
        return [Said(f"{refused.text}\n\n{_question(services, lang, NEWTASK, step)}")]
    cells[step] = "" if step == "directive" and fold(text) in newtask.SKIP_WORDS else text
    # The next step not answered yet: a one-line form asked for its refused part alone.
    following = next(s for s in NEWTASK_STEPS if s == CONFIRM or s not in cells)
    form = {**form, "step": following, "cells": cells}
    if following == CONFIRM:
        return _confirm_newtask(services, actor, form)
    _keep(services, actor, form)
    noted = _deadline_noted(services, lang, text) if step == "deadline" else ""
    return [Said(noted + _question(services, lang, NEWTASK, following))]


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


def _confirm_newtask(services: Services, actor: Actor, form: dict[str, Any]) -> list[Said]:
    """Show the task to be created with "1. Tạo / 2. Huỷ", or ask for a refused part."""
    t = partial(services.catalog.get, actor.lang)
    draft = newtask.draft_from(services, actor.lang, _parts(form["cells"]))
    if isinstance(draft, newtask.Refused):
        return _back_to(services, actor, form, draft)
    _keep(services, actor, {**form, "step": CONFIRM})
    text = newtask.confirm_text(services, actor.lang, draft, buttons=False)
    return [Said(text, _choices(t("newtask.btn_create"), t("newtask.btn_cancel")))]


def _back_to(
    services: Services, actor: Actor, form: dict[str, Any], refused: newtask.Refused
) -> list[Said]:
    """Say what is wrong with a part; ask for it alone (or end, for a title or directive)."""
    if refused.part not in ("deadline", "units"):
        _keep(services, actor, None)
        hint = services.catalog.get(actor.lang, "newtask.fix_and_resend")
        return [Said(f"{refused.text}\n{hint}")]
    _keep(services, actor, {**form, "step": refused.part})
    question = _question(services, actor.lang, NEWTASK, refused.part)
    return [Said(f"{refused.text}\n\n{question}")]


def _decide_newtask(
    services: Services, actor: Actor, form: dict[str, Any], text: str
) -> list[Said]:
    """Create the task on "1" (its parts read again), drop it on "2"; else say how."""
    not_yes = _unless_yes(services, actor, text)
    if not_yes is not None:
        return not_yes
    draft = newtask.draft_from(services, actor.lang, _parts(form["cells"]))
    if isinstance(draft, newtask.Refused):
        return _back_to(services, actor, form, draft)
    return [Said(_create(services, actor, draft))]


def _create(services: Services, actor: Actor, draft: TaskDraft) -> str:
    """Create the task once: the form is taken first, so a repeated "1" creates nothing."""
    with session_scope(services.engine) as session:
        kept = get_pending(
            session, contact_id=actor.contact_id, now=services.clock.now(), kind=KIND
        )
        clear_pending(session, contact_id=actor.contact_id, kind=KIND)
    if kept is None:
        return services.catalog.get(actor.lang, "common.cancelled")
    return newtask.create(services, actor.lang, actor.contact_id, draft)


def _addunit_step(services: Services, actor: Actor, form: dict[str, Any], text: str) -> list[Said]:
    """One answer of the /addunit form."""
    lang, step, cells = actor.lang, str(form.get("step")), dict(form.get("cells", {}))
    if step == CONFIRM:
        return _decide_addunit(services, actor, form, text)
    if step not in unit_form.FIELDS:
        return cancel(services, actor)
    taken = unit_form.take(services, lang, step, text)
    if isinstance(taken, unit_form.Refusal):
        again = unit_form.ask(services, lang, step)
        said = taken.text if taken.text == again else f"{taken.text}\n\n{again}"
        return [Said(said)]
    cells[step] = taken
    following = ADDUNIT_STEPS[ADDUNIT_STEPS.index(step) + 1]
    _keep(services, actor, {**form, "step": following, "cells": cells})
    if following != CONFIRM:
        return [Said(unit_form.ask(services, lang, following))]
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        kind = session.get(UnitKind, cells["kind"])
        kind_name = (kind.name_en if lang == "en" else kind.name_vi) if kind else cells["kind"]
    text = t(
        "zalo.addunit_confirm",
        code=cells["code"],
        name=cells["name"],
        kind=kind_name,
        parent=cells["parent_code"] or "-",
        groups=cells["groups"].replace(";", "; ") or "-",
    )
    return [Said(text, _choices(t("zalo.btn_save"), t("newtask.btn_cancel")))]


def _decide_addunit(
    services: Services, actor: Actor, form: dict[str, Any], text: str
) -> list[Said]:
    """Save the unit on "1" (its code checked again), drop it on "2"; else say how."""
    not_yes = _unless_yes(services, actor, text)
    if not_yes is not None:
        return not_yes
    cells = {k: str(v) for k, v in form.get("cells", {}).items()}
    if unit_form.code_exists(services, cells.get("code", "")):  # taken meanwhile
        _keep(services, actor, {**form, "step": "code"})
        stands = unit_form.taken_meanwhile(services, actor.lang, cells.get("code", ""))
        return [Said(f"{stands}\n\n{unit_form.ask(services, actor.lang, 'code')}")]
    _keep(services, actor, None)
    return [Said(unit_form.save(services, actor.lang, actor.contact_id, cells))]


def _unless_yes(services: Services, actor: Actor, text: str) -> list[Said] | None:
    """At a confirmation: None on "1"/yes; the form left on "2"/no; else how to answer."""
    word = fold(text)
    if word in YES_WORDS:
        return None
    if word in NO_WORDS:
        return cancel(services, actor)
    return [Said(services.catalog.get(actor.lang, "zalo.form_confirm_hint"))]


def _choices(yes: str, no: str) -> list[list[Choice]]:
    """Return the confirmation's two numbered choices."""
    return [[Choice(yes, (PREFIX, "ok")), Choice(no, (PREFIX, "no"))]]


def _question(services: Services, lang: str, form: str, step: str) -> str:
    """Return the question of a step."""
    if form == ADDUNIT:
        return unit_form.ask(services, lang, step)
    return services.catalog.get(lang, f"zalo.newtask_{step}")


def _dropped(services: Services, actor: Actor) -> str:
    """Say that the form under way is dropped for a new one ("" when there is none)."""
    form = current(services, actor)
    if form is None:
        return ""
    name = f"/{form.get('form', NEWTASK)}"
    return services.catalog.get(actor.lang, "common.form_dropped", form=name) + "\n\n"


def _keep(services: Services, actor: Actor, form: dict[str, Any] | None) -> None:
    """Store the person's form (None: there is none any more)."""
    with session_scope(services.engine) as session:
        if form is None:
            clear_pending(session, contact_id=actor.contact_id, kind=KIND)
        else:
            now = services.clock.now()
            set_pending(session, contact_id=actor.contact_id, data=form, now=now, kind=KIND)
