"""A new unit from what an admin typed, field by field or in one line (/addunit on text).

The fields and checks of Telegram's /addunit form: code (free, not taken), name, kind (a
key, name or alias), parent (a code or name, or none), groups (or none); saving goes through
the same checks as a file import (`db.imports.units.save_unit`). Each `take_*` returns the
value to keep, or a `Refusal` with the words to say before the same field is asked again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.choices import Choice, Rows
from app.import_report import reason_text
from app.services import Services
from app.task_notices import tell_unit_stopped, withdraw_unit_stopped
from core.markup import Markup
from core.spreadsheet.report import ImportReport
from core.textnorm import COMMITTEE_NAMES, fold, name_key, unmarked, without_committee
from core.units import parse_unit_line, says_none
from db.engine import session_scope
from db.imports.unit_rows import MAX_CODE, MAX_GROUP, MAX_NAME, new_code_problem
from db.imports.units import groups_of, save_unit
from db.models import Unit as Unit  # re-exported: what `named_units` finds
from db.models import UnitKind
from db.queries.contacts import Identities, identities_by_person, label
from db.queries.unit_admin import (
    contacts_of_unit,
    open_tasks_taken_off,
    parent_code,
    set_active,
    take_off_open_tasks,
)
from db.queries.units import find_kind, find_units, unit_by_code

FIELDS = ("code", "name", "kind", "parent_code", "groups")
LISTED_NAME = 80
LISTED_TASKS = 10
NONE_WORDS = frozenset({"-", "khong", "no", "none", "bo qua", "skip"})


@dataclass(frozen=True)
class Refusal:
    """Why a typed field is not taken, as the words to say."""

    text: str


def ask(services: Services, lang: str, field: str) -> str:
    """Return the question of one field."""
    t = partial(services.catalog.get, lang)
    if field == "kind":
        return t("units.form_kind", kinds=kind_list(services, lang))
    key = {"code": "form_code", "name": "form_name", "parent_code": "form_parent"}
    return t(f"units.{key.get(field, 'form_groups')}")


def take(services: Services, lang: str, field: str, text: str) -> str | Refusal:
    """Check what was typed for one field; return the cell to keep or why not."""
    typed = " ".join(text.split())
    if field == "code":
        return _code(services, lang, typed)
    if field == "name" and typed and not any(c.isalnum() for c in typed):
        return Refusal(services.catalog.get(lang, "units.name_no_words"))
    if field == "name" and len(typed) > MAX_NAME:
        text = services.catalog.get(lang, "units.name_too_long", length=len(typed), limit=MAX_NAME)
        return Refusal(text)
    if field == "name":
        return typed if typed else Refusal(ask(services, lang, field))
    if field == "kind":
        with session_scope(services.engine) as session:
            kind = find_kind(session, text=typed)
            key = kind.key if kind is not None else None
        if key is not None:
            return key
        if not typed:
            return Refusal(ask(services, lang, field))
        kinds = kind_list(services, lang)  # the question again said only what it asked
        return Refusal(services.catalog.get(lang, "units.kind_unknown", text=typed, kinds=kinds))
    if field == "parent_code":
        return _parent(services, lang, typed)
    if fold(typed) in NONE_WORDS:
        return ""
    groups = [g.strip() for g in typed.replace(",", ";").split(";") if g.strip()]
    if long := next((g for g in groups if len(g) > MAX_GROUP), None):
        text = services.catalog.get(lang, "units.groups_too_long", group=long, limit=MAX_GROUP)
        return Refusal(text)
    return ";".join(groups)


def _code(services: Services, lang: str, code: str) -> str | Refusal:
    """Take a new unit's code: short, without `|`, `,` or `;`, not used by any unit."""
    t = partial(services.catalog.get, lang)
    if not code:
        return Refusal(ask(services, lang, "code"))
    if len(code) > MAX_CODE:
        return Refusal(t("units.code_too_long", code=code[:MAX_CODE] + "…", limit=MAX_CODE))
    if "|" in code:
        return Refusal(t("units.code_bar", code=code))
    return _code_refusal(services, lang, code) or code


def _code_refusal(services: Services, lang: str, code: str) -> Refusal | None:
    """Say why a new unit cannot have this code (the import's rule, or taken), or None."""
    with session_scope(services.engine) as session:
        problem = new_code_problem(session, code)
        taken = unit_by_code(session, code=code) is not None
    if problem:
        return Refusal(services.catalog.get(lang, f"units.{problem}", code=code))
    if taken:
        return Refusal(services.catalog.get(lang, "units.exists", code=code))
    return None


def _parent(services: Services, lang: str, text: str) -> str | Refusal:
    """Take the parent unit: one unit by code or name, or none."""
    if fold(text) in NONE_WORDS:
        return ""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        units = [(u.code, u.name) for u in find_units(session, text=text)]
    if len(units) == 1:
        return units[0][0]
    if not units:
        return Refusal(t("units.not_found", text=text))
    names = "; ".join(f"{name} ({code})" for code, name in units[:10])
    return Refusal(t("units.form_parent_ambiguous", text=text, names=names))


def named_units(
    services: Services, lang: str, text: str, *, include_inactive: bool = False
) -> tuple[list[Unit], str]:
    """Return the units an admin's words name (by code or name: one is that unit, several
    are to choose from) and, when none, what to say (blocking)."""
    with session_scope(services.engine) as session:
        units = find_units(session, text=text, include_inactive=include_inactive)
    if units:
        return units, ""
    if include_inactive:
        return [], services.catalog.get(lang, "units.not_found", text=text)
    return [], not_found(services, lang, text)


UNITS_LISTED = 10  # the units a text channel lists when a name fits several


def one_named(
    services: Services, lang: str, text: str, *, include_inactive: bool = False
) -> Unit | str:
    """Return the one unit an admin's words name, or what a channel without buttons says:
    none (as `named_units`), or several, listed by code for the admin to type one
    (blocking)."""
    units, none = named_units(services, lang, text, include_inactive=include_inactive)
    if len(units) == 1:
        return units[0]
    if not units:
        return none
    listed = "\n".join(f"{u.code}: {u.name}" for u in units[:UNITS_LISTED])
    return services.catalog.get(lang, "zalo.unit_ambiguous", text=text, units=listed)


UNITS_OFFERED = 20  # the units a name fits offered as choices, buttons or numbers


def offered(
    services: Services,
    lang: str,
    text: str,
    units: Sequence[Unit],
    data: Callable[[Unit], tuple[str | int, ...]],
) -> tuple[str, Rows]:
    """Return the question of a name that fits several units, and a choice per unit (the
    first UNITS_OFFERED) taking that unit's `data`: Telegram's buttons, Zalo's numbers."""
    choices: Rows = [[Choice(f"{u.name} ({u.code})", data(u))] for u in units[:UNITS_OFFERED]]
    return services.catalog.get(lang, "units.which_one", text=text, count=len(units)), choices


def not_found(services: Services, lang: str, text: str) -> str:
    """Say that no active unit is named so: a deactivated one by name, with /activate.

    "Not found" for a unit the admin sees in files and history would send them looking
    for a typo that is not there.
    """
    with session_scope(services.engine) as session:
        units = find_units(session, text=text, include_inactive=True)
        idle = [(u.name, u.code) for u in units if not u.active]
    if len(idle) != 1 or len(units) != 1:
        return services.catalog.get(lang, "units.not_found", text=text)
    name, code = idle[0]
    return services.catalog.get(lang, "units.not_active", text=text, name=name, code=code)


def code_exists(services: Services, code: str) -> bool:
    """Tell whether a unit (active or not) already has this code."""
    with session_scope(services.engine) as session:
        return unit_by_code(session, code=code) is not None


def listed_name(name: str) -> str:
    """Return a unit's name as a list shows it: cut after LISTED_NAME characters.

    A page of /units is one message, edited in place by its buttons: 25 names of up to 200
    characters would pass Telegram's 4,096. The card (/editunit) shows the whole name.
    """
    return name if len(name) <= LISTED_NAME else name[: LISTED_NAME - 1].rstrip() + "…"


def kind_list(services: Services, lang: str) -> str:
    """Return the kinds an admin can type, in their language."""
    with session_scope(services.engine) as session:
        kinds = session.exec(select(UnitKind).order_by(col(UnitKind.sort_order))).all()
        return ", ".join(k.name_en if lang == "en" else k.name_vi for k in kinds)


def from_line(services: Services, lang: str, line: str) -> dict[str, str] | Refusal:
    """Return the cells of a one-line unit, or why it cannot be added."""
    cells = parse_unit_line(line)
    if cells is None:
        return Refusal(services.catalog.get(lang, "units.add_usage"))
    return _code_refusal(services, lang, cells["code"]) or cells


def save(services: Services, lang: str, actor_id: int, cells: dict[str, str]) -> str:
    """Save a new unit with the checks of an import and say what happened.

    Only ever adds: the code was free when the admin typed it, but another admin may have
    added a unit with it since (or be adding it now, the unique code failing our insert).
    Then nothing is changed and the admin is told what stands.
    """
    try:
        with session_scope(services.engine) as session:
            twin = same_name(session, cells)
            if twin is not None:
                return services.catalog.get(
                    lang, "units.same_name", name=twin.name, code=twin.code
                )
            now = services.clock.now()
            report = save_unit(session, cells, actor_id=actor_id, now=now, action="unit.added")
            if report.added or unit_by_code(session, code=cells["code"]) is None:
                return outcome(services, lang, report, cells)
            session.rollback()  # it was there when the import read the units: write nothing
    except IntegrityError:
        if not code_exists(services, cells["code"]):
            raise  # another constraint: not the race this is about
    return taken_meanwhile(services, lang, cells["code"])


def same_name(session: Session, cells: dict[str, str], unit_id: int | None = None) -> Unit | None:
    """Return an active unit (not `unit_id`) under the same parent whose name reads as the
    new one, or None.

    Names that differ only by case, spacing, NFC or NFD or where a tone mark sits look
    alike in every list: a second such unit would split a commune's tasks and reports in
    two. So does a name typed with no mark at all ("xa an hoa" is Xã An Hòa, typed on a
    phone with its Vietnamese keyboard off), where one with marks ("Xã Ân Hòa") is another.
    So does one named by its People's Committee ("UBND xã An Hòa"), as appendixes name it.
    A deactivated unit's name may be used again (a commune merged into a new one).
    """
    name = cells.get("name", "")
    parent = unit_by_code(session, code=cells["parent_code"]) if cells.get("parent_code") else None
    if cells.get("parent_code") and parent is None:
        return None  # an unknown parent: the save says so
    core = fold(without_committee(name))
    named = [core, *(f"{committee} {core}" for committee in COMMITTEE_NAMES)]
    query = select(Unit).where(col(Unit.name_folded).in_(named), col(Unit.active).is_(True))
    for unit in session.exec(query.order_by(col(Unit.id))):
        same_parent = unit.parent_id == (parent.id if parent is not None else None)
        alike = unmarked(without_committee(name)) or name_key(unit.name) == name_key(name)
        if unit.id != unit_id and same_parent and alike:
            return unit
    return None


def taken_meanwhile(services: Services, lang: str, code: str) -> str:
    """Say that someone else just added a unit with this code, naming it as it stands."""
    with session_scope(services.engine) as session:
        unit = unit_by_code(session, code=code)
        if unit is None:  # units are never deleted; kept for the type checker
            return services.catalog.get(lang, "units.exists", code=code)
        kind = kind_name(session.get(UnitKind, unit.kind_key), unit.kind_key, lang)
        return services.catalog.get(
            lang, "units.taken_meanwhile", code=unit.code, name=unit.name, kind=kind
        )


def outcome(services: Services, lang: str, report: ImportReport, cells: dict[str, str]) -> str:
    """Return what saving one unit did, in words."""
    t = partial(services.catalog.get, lang)
    if report.rejected:
        reason = reason_text(services.catalog, lang, report.rejected[0])
        return t("units.not_saved", reason=Markup(reason))
    key = (
        "units.added" if report.added else "units.updated" if report.updated else "units.unchanged"
    )
    return t(key, name=cells["name"], code=cells["code"])


def edit_cells(session: Session, unit: Unit, values: list[str]) -> dict[str, str]:
    """Merge new values (name, kind, parent, groups) into the unit's: empty keeps, `-` clears."""
    assert unit.id is not None
    current = [
        unit.name,
        unit.kind_key,
        parent_code(session, unit),
        ";".join(groups_of(session, unit_id=unit.id)),
    ]
    merged = [
        ("" if says_none(new) else new) if new else old
        for new, old in zip([*values, "", "", "", ""][:4], current, strict=True)
    ]
    merged[3] = ";".join(g.strip() for g in merged[3].replace(",", ";").split(";") if g.strip())
    return dict(zip(FIELDS, [unit.code, *merged], strict=False))


def edit(services: Services, lang: str, actor_id: int, unit_id: int, values: list[str]) -> str:
    """Change a unit (`/editunit <unit> | name | kind | parent | groups`) and say how."""
    with session_scope(services.engine) as session:
        unit = session.get(Unit, unit_id)
        if unit is None:
            return services.catalog.get(lang, "common.button_stale")
        cells = edit_cells(session, unit, values)
        moved = (cells["name"], cells["parent_code"]) != (unit.name, parent_code(session, unit))
        twin = same_name(session, cells, unit_id) if moved else None  # twins of old stay
        if twin is not None:
            return services.catalog.get(lang, "units.same_name", name=twin.name, code=twin.code)
        report = save_unit(
            session, cells, actor_id=actor_id, now=services.clock.now(), action="unit.edited"
        )
    return outcome(services, lang, report, cells)


def kind_name(kind: UnitKind | None, key: str, lang: str) -> str:
    """Return a kind's name in the person's language (its key when it is gone)."""
    if kind is None:
        return key
    return kind.name_en if lang == "en" else kind.name_vi


def card(
    services: Services, lang: str, unit_id: int, *, buttons: bool = True
) -> tuple[str, bool] | None:
    """Return a unit's card (fields, contacts, how to edit it) and whether it is active.

    `buttons`: the channel shows the card's buttons (Telegram); else an empty unit's card
    says the command to type for an invite (Zalo).
    """
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        unit = session.get(Unit, unit_id)
        if unit is None:
            return None
        kind = session.get(UnitKind, unit.kind_key)
        contacts = contacts_of_unit(session, unit_id=unit_id)
        found = identities_by_person(session, contact_ids=[c.id for c, _ in contacts if c.id])
        groups = ", ".join(groups_of(session, unit_id=unit_id)) or "-"
        parent = parent_code(session, unit) or "-"
        people = [
            _card_contact(services, lang, label(c, found[c.id or 0]), function, found[c.id or 0])
            for c, function in contacts
        ] or [
            t(
                "units.card_no_contact" if buttons else "units.card_no_contact_typed",
                code=unit.code,
            )
        ]
        text = t(
            "units.card",
            name=unit.name,
            code=unit.code,
            kind=kind_name(kind, unit.kind_key, lang),
            parent=parent,
            groups=groups,
            contacts=Markup("\n".join(people)),
            state=t("units.state_active" if unit.active else "units.state_inactive"),
        )
        return text, unit.active


def _card_contact(
    services: Services, lang: str, name: str, function: str, identities: Identities
) -> str:
    """Return one contact of a unit's card, flagged when the bot cannot reach them, or
    cannot read what they send on Zalo (since a day), as `/contacts` flags them."""
    t = partial(services.catalog.get, lang)
    does = t(f"common.function_{function}")
    if not identities.reachable:
        return t("units.card_contact_unreachable", name=name, function=does)
    unreadable = identities.unreadable_since
    if unreadable is None:
        return t("units.card_contact", name=name, function=does)
    since = f"{unreadable.astimezone(services.settings.tz):%d/%m/%Y}"
    return t("units.card_contact_unreadable", name=name, function=does, since=since)


def switch(
    services: Services, lang: str, actor_id: int, unit_id: int, *, active: bool
) -> str | None:
    """Deactivate or reactivate a unit (audited; its history stays) and say so; None when
    it no longer exists.

    Deactivating takes the unit off its open tasks (`take_off_open_tasks`), so that every
    summary, report, ranking and digest stops counting it there, and names the tasks left
    with no unit. Reactivating gives none back (a merged commune's tasks went to the new
    one): it names them, with `/assign`.
    """
    t = partial(services.catalog.get, lang)
    now = services.clock.now()
    with session_scope(services.engine) as session:
        unit = set_active(session, unit_id=unit_id, active=active, actor_id=actor_id, now=now)
        if unit is None:
            return None
        lines = [t("units.activated" if active else "units.deactivated", name=unit.name)]
        if active:
            were = open_tasks_taken_off(session, unit_id=unit_id)
            if were:
                tasks = task_numbers(were)
                lines.append(
                    t(
                        "units.activated_tasks",
                        count=len(were),
                        tasks=tasks,
                        first=were[0],
                        code=unit.code,
                    )
                )
            # Followed again before its people heard it was not (held overnight): they hear
            # nothing, as a unit put back by /assign, a task reopened by /reopentask.
            return "\n".join(lines) + withdraw_unit_stopped(
                session, services, lang, unit_id=unit_id
            )
        taken = take_off_open_tasks(session, unit_id=unit_id, actor_id=actor_id)
        if taken.task_ids:
            tasks = task_numbers(taken.task_ids)
            lines.append(t("units.deactivated_tasks", count=len(taken.task_ids), tasks=tasks))
        if taken.emptied:
            lines.append(t("units.deactivated_emptied", tasks=task_numbers(taken.emptied)))
        # Its people hear that its open tasks need no more report from it, as /unassign's do.
        told = tell_unit_stopped(session, services, lang, unit_id=unit_id, task_ids=taken.task_ids)
        return "\n".join(lines) + told


def task_numbers(task_ids: list[int]) -> str:
    """Return tasks as '#12, #15' (the first LISTED_TASKS, then '…')."""
    named = ", ".join(f"#{i}" for i in task_ids[:LISTED_TASKS])
    return named + (", …" if len(task_ids) > LISTED_TASKS else "")


def kind_named(services: Services, lang: str, key: str) -> str:
    """Return the name of the kind `key` in the person's language (its key when it is gone)."""
    with session_scope(services.engine) as session:
        return kind_name(session.get(UnitKind, key), key, lang)
