"""Admins' commands on Zalo, typed as on Telegram, through the same use cases.

/editunit (a unit's card, or a change), /tasks (open tasks page by page; `/tasks #12` one
task), /calendar, /scope, /contacts (page by page), /recurring, and /import: Zalo brings no
files to a bot, so it answers a link to an upload page on `dondoc serve`, signed for this
admin and expiring (`web/upload.py`), or without PUBLIC_BASE_URL the other ways to import.
Each checks the person's role first, as Telegram's flows do, and returns what to say; long
lists go on with "tiếp".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from app import (
    calendar_days,
    import_files,
    links,
    people,
    recurring_rules,
    task_list,
    unit_form,
)
from app.actor import Actor
from app.checkin import Said
from app.choices import Choice
from app.services import Services
from core.markup import Markup
from core.numbers import typed_number
from core.roles import Access
from core.units import split_edit_line
from db.engine import session_scope
from db.models import Unit
from db.queries.contact_admin import contact_page
from db.queries.units import find_units
from handlers.zalo.pages import remember

CONTACTS_SIZE = 15
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
    if not units:
        return Said(t("zalo.unit_not_found", text=text))
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


def editunit(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/editunit <unit>: its card; /editunit <unit> | name | kind | parent | groups: change it."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    ref, values = split_edit_line(args)
    if not ref:
        return [Said(services.catalog.get(actor.lang, "units.edit_usage"))]
    unit = one_unit(services, actor.lang, ref, include_inactive=True)
    if isinstance(unit, Said) or unit.id is None:
        return [unit] if isinstance(unit, Said) else []
    if any(values):
        return [Said(unit_form.edit(services, actor.lang, actor.contact_id, unit.id, values))]
    card = unit_form.card(services, actor.lang, unit.id, buttons=False)
    return [Said(card[0])] if card is not None else []


def tasks(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/tasks [page]: the open tasks, nearest deadline first; /tasks #12: one task's card."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    text = args.strip()
    number = typed_number(text)
    if text and number is None:
        return [_task_card(services, actor, text)]
    t = partial(services.catalog.get, actor.lang)
    shown = task_list.open_page(services, actor.lang, number or 1)
    if shown is None:
        remember(services, actor, None)
        return [Said(t("tasks.list_empty"))]
    page = shown.page
    lines = [*shown.lines, t("zalo.tasks_footer")]
    more = {"command": "tasks", "page": page.number + 1} if page.has_next else None
    if more is not None:
        lines.append(t("zalo.more"))
    remember(services, actor, more)
    return [Said("\n".join(lines))]


def _task_card(services: Services, actor: Actor, text: str) -> Said:
    """Say one task: directive, deadline, status, progress, description."""
    t = partial(services.catalog.get, actor.lang)
    found = task_list.named(services, text)
    shown = task_list.card(services, actor.lang, found[0][0]) if len(found) == 1 else None
    if shown is not None:
        return Said(shown.text)
    if not found:
        return Said(t("tasks.not_found", text=text))
    listed = found[:UNITS_LISTED]
    choices = "\n".join(t("summary.choice", id=i, title=title) for i, title in listed)
    return Said(t("zalo.file_which", text=text, command="tasks", tasks=Markup(choices)))


def calendar(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/calendar: the province's days off and worked days; add, work or remove one."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    text = args.strip()
    number = typed_number(text)
    if text and number is None:
        return [Said(calendar_days.change(services, actor.lang, actor.contact_id, text))]
    listed, page = calendar_days.listed(services, actor.lang, number or 1)
    more = {"command": "calendar", "page": page.number + 1} if page and page.has_next else None
    remember(services, actor, more)
    if more is not None:
        listed += "\n" + services.catalog.get(actor.lang, "zalo.more")
    return [Said(listed)]


def scope(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/scope <person> [<group>, ... | all]: show, set or clear a coordinator's groups."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    return [Said(people.scope(services, actor.lang, actor.contact_id, args))]


def recurring(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/recurring [add … | stop N]: the recurring rules."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    answers = recurring_rules.command(services, actor.lang, actor.contact_id, args)
    return [Said(text) for text in answers]


def contacts(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/contacts [unit]: the registered people (or a unit's), a page at a time;
    `/contacts role <person> <role>` and `/contacts remove <person> <unit>` do what a
    person's card's buttons do on Telegram."""
    action = people.contact_action(args)
    if action is None:
        return contacts_page(services, actor, args.strip(), 1)
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    verb, rest = action
    change = people.set_role if verb == "role" else people.remove_contact
    return [Said(change(services, actor.lang, actor.contact_id, rest))]


def contacts_page(services: Services, actor: Actor, text: str, number: int) -> list[Said]:
    """Show one page of the people `text` asks for (all, or a unit's): "tiếp" the next."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    unit: Unit | None = None
    if text:
        found = one_unit(services, actor.lang, text, include_inactive=True)
        if isinstance(found, Said):
            return [found]
        unit = found
    t = partial(services.catalog.get, actor.lang)
    with session_scope(services.engine) as session:
        unit_id = unit.id if unit is not None else None
        page, count = contact_page(session, unit_id=unit_id, number=number, size=CONTACTS_SIZE)
        header = (
            t("zalo.contacts_header_unit", count=count, unit=unit.name)
            if unit is not None
            else t("zalo.contacts_header", count=count)
        )
        lines = [header]
        lines += [people.contact_line(services.catalog, actor.lang, i) for i in page.items]
    if not page.items:
        lines.append(t("contacts.none"))
    lines += ["", t("common.page", page=page.number, pages=page.pages)]
    more = None
    if page.has_next:
        more = {"command": "contacts", "page": page.number + 1, "args": text}
        lines.append(t("zalo.more"))
    remember(services, actor, more)
    return [Said("\n".join(lines))]


def imports(services: Services, actor: Actor, _args: str, _name: str) -> list[Said]:
    """/import: Zalo brings no files to a bot; say how an admin imports units or tasks."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    if not services.settings.public_base_url_set:  # no page to link to: the other ways
        telegram = (
            t("zalo.import_how_telegram") if "telegram" in services.settings.channels else ""
        )
        return [Said(t("zalo.import_how", telegram=telegram))]
    link = links.url(
        services.settings.public_base_url,
        services.link_key,
        path=import_files.UPLOAD_PATH,
        person=str(actor.contact_id),
        now=services.clock.now(),
        ttl=import_files.UPLOAD_TTL,
    )
    minutes = int(import_files.UPLOAD_TTL.total_seconds() // 60)
    return [Said(t("zalo.import_link", link=link + f"&lang={actor.lang}", minutes=minutes))]
