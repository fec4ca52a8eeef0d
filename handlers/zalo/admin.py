"""Admins' commands on Zalo, typed as on Telegram, through the same use cases.

/editunit (a unit's card, or a change), /tasks (open tasks page by page; `/tasks #12` one
task), /calendar, /scope, /recurring, and /import (/contacts is `contacts.py`): Zalo brings no
files to a bot, so it answers a link to an upload page on `dondoc serve`, signed for this
admin and expiring (`web/upload.py`), or without PUBLIC_BASE_URL the other ways to import.
Each checks the person's role first, as Telegram's flows do, and returns what to say; long
lists go on with "tiếp".
"""

from __future__ import annotations

from functools import partial

from app import (
    import_files,
    links,
    people,
    recurring_rules,
    task_list,
    unit_form,
)
from app.actor import Actor
from app.calendar_days import command, listing
from app.checkin import Said
from app.services import Services
from core.markup import Markup
from core.numbers import typed_number
from core.units import split_edit_line
from handlers.zalo.commandkit import UNITS_LISTED, one_unit, refused_unless_admin
from handlers.zalo.pages import remember


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
    """/tasks [trang 2]: the open tasks, nearest deadline first; /tasks 12 (or #12, or a
    title): one task's card."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    wanted = task_list.asked(args)
    if isinstance(wanted, str):
        return [_task_card(services, actor, wanted)]
    return tasks_page(services, actor, wanted)


def tasks_page(services: Services, actor: Actor, number: int) -> list[Said]:
    """Page `number` of the open tasks (also "tiếp" after /tasks)."""
    refused = refused_unless_admin(services, actor)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    shown = task_list.open_page(services, actor.lang, number)
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
        return [Said(command.change(services, actor.lang, actor.contact_id, text))]
    listed, page = listing.listed(services, actor.lang, number or 1)
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
