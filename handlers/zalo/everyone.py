"""Everyone's typed commands on Zalo: /start (without a code), /help, /whoami, /lang and
/mytasks (`app/my_tasks.py`, a page at a time; "tiếp" shows the next, `pages.py`).
Registered in `commands.py`."""

from __future__ import annotations

from functools import partial

from app import people
from app.actor import Actor
from app.checkin import Said
from app.my_tasks import MyTasks, my_tasks, shown
from app.services import Services
from core.numbers import typed_number
from core.roles import Access
from handlers.zalo.pages import remember

ROLE_KEYS = {
    "member": "common.role_member",
    "coordinator": "common.role_coordinator",
    "admin": "common.role_admin",
}


def greet(services: Services, actor: Actor, _args: str, name: str) -> list[Said]:
    """Say who the person is for the bot (/start without a code)."""
    t = partial(services.catalog.get, actor.lang)
    role = t(ROLE_KEYS.get(actor.role, "common.role_member"))
    if actor.unit_ids:
        return [
            Said(
                t("start.welcome_registered", name=name, role=role, units=_units(services, actor))
            )
        ]
    if actor.access >= Access.COORDINATOR:
        return [Said(t("start.welcome_staff", name=name, role=role))]
    return [Said(t("zalo.not_registered"))]


def help_text(services: Services, actor: Actor, _args: str, _name: str) -> list[Said]:
    """List the commands of the person's role."""
    t = partial(services.catalog.get, actor.lang)
    lines = [t("zalo.help_header", role=t(ROLE_KEYS.get(actor.role, "common.role_member")))]
    lines.append(t("zalo.help_member"))
    if "telegram" in services.settings.channels:  # on Zalo alone there is nothing to link
        lines.append(t("zalo.help_link"))
    if actor.access >= Access.COORDINATOR:
        lines.append(t("zalo.help_coordinator"))
        lines.append(t("zalo.help_coordinator_more"))
    if actor.access >= Access.ADMIN:
        lines.append(t("zalo.help_admin"))
        lines.append(t("zalo.help_admin_more"))
    lines.append(t("zalo.help_answer"))  # how to answer a reminder: the closing sentence
    return [Said("\n".join(lines))]


def whoami(services: Services, actor: Actor, _args: str, name: str) -> list[Said]:
    """Say the person's name, Zalo id, role and units."""
    t = partial(services.catalog.get, actor.lang)
    units = _units(services, actor) or t("zalo.no_units")
    role = t(ROLE_KEYS.get(actor.role, "common.role_member"))
    return [Said(t("zalo.whoami", name=name, id=actor.external_id, role=role, units=units))]


def lang(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Switch the person's language between Vietnamese and English."""
    return [Said(people.set_language(services, actor, args).said)]


def mytasks(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """List the open assignments of the person's units, a page at a time ("trang 2"), or
    one task of theirs ("2", "#2")."""
    return _listed(services, actor, shown(services, actor, args))


def mytasks_page(services: Services, actor: Actor, page: str, _name: str) -> list[Said]:
    """Show a page of /mytasks ("tiếp" after one)."""
    return _listed(services, actor, my_tasks(services, actor, typed_number(page) or 1))


def _listed(services: Services, actor: Actor, shown: MyTasks) -> list[Said]:
    """Say a page (or one task) of /mytasks, and remember the next page for "tiếp"."""
    t = partial(services.catalog.get, actor.lang)
    if shown.said is not None:
        return [Said(shown.said)]
    if shown.task is not None:
        return [Said("\n\n".join([*shown.lines, t("zalo.answer_hint")]))]
    page, pages = shown.page, shown.pages
    lines = [*shown.lines, t("common.page", page=page, pages=pages) + ". " + t("zalo.answer_hint")]
    if page < pages:
        lines.append(t("zalo.more"))
    remember(services, actor, {"command": "mytasks", "page": page + 1} if page < pages else None)
    return [Said("\n\n".join(lines))]


def _units(services: Services, actor: Actor) -> str:
    """Return the names of the person's units, comma-separated."""
    return ", ".join(people.unit_names(services, actor.unit_ids))
