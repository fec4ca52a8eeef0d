"""Coordinators' and admins' commands on Zalo, typed as on Telegram.

/summary (/tonghop) page by page, /units, /invite <unit>, /explain, /approve N, /reject N,
/digest on|off.
Each checks the person's role first and returns what to say.
"""

from __future__ import annotations

from functools import partial

from app import digest as app_digest
from app import reports, unit_form
from app.actor import Actor
from app.checkin import Said
from app.expiry import expiry
from app.explanation_requests import named
from app.explanation_requests import request as request_explanation
from app.explanations import answer_explanation
from app.extensions import decide
from app.services import Services
from core.checkin import task_numbers
from core.invites import invite_link, parse_invite_args
from core.markup import Markup
from core.numbers import typed_number
from core.paging import page_of
from core.roles import Access
from db.engine import session_scope
from db.models import Assignment, Directive
from db.queries.explanations import waiting_explanations
from db.queries.invites import create_invite
from db.queries.targets import resolve_target
from db.queries.unit_admin import unit_overview
from db.queries.units import find_units
from handlers.zalo.commandkit import refused_below
from handlers.zalo.pages import remember, show_page

UNITS_SIZE = 25


def summary(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Summarise all open tasks, one task or a directive; long ones page by page."""
    return summary_page(services, actor, args.strip(), 1)


def summary_page(services: Services, actor: Actor, text: str, page: int) -> list[Said]:
    """Show one page of the summary `text` names ("tiếp" asks for the next)."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    ctx = reports.Context(t, actor.lang, actor.scope, services.clock.now(), services.settings.tz)
    with session_scope(services.engine) as session:
        target = resolve_target(session, text=text, scope=actor.scope)
        if target.kind == "none":
            return [Said(reports.not_found(t, target, text))]
        if target.kind == "ambiguous":
            shown, more = reports.task_choices(t, target)
            tasks = "\n".join(t("summary.choice", id=task.id, title=task.title) for task in shown)
            return [Said(t("zalo.summary_which", text=text, tasks=Markup(tasks)) + more)]
        if target.task is not None and target.task.id is not None:
            report = reports.one_task(session, ctx, target.task.id)
        elif target.directive is not None and target.directive.id is not None:
            doc = session.get(Directive, target.directive.id)
            report = reports.directive(session, ctx, doc) if doc is not None else None
        else:
            report = reports.all_tasks(session, ctx)
    if report is None:
        return [
            Said(t("summary.none_open" if target.kind == "all" else "summary.nothing_in_scope"))
        ]
    return show_page(services, actor, report, page, {"command": "summary", "args": text})


def invite(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Create a one-time invite for a unit: its pairing code, and how to use it on Zalo."""
    refused = refused_below(services, actor, Access.ADMIN)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    unit_text, role, function = parse_invite_args(args)
    if not unit_text:
        return [Said(t("invites.usage"))]
    now = services.clock.now()
    with session_scope(services.engine) as session:
        units = find_units(session, text=unit_text)
        if not units:
            return [Said(unit_form.not_found(services, actor.lang, unit_text))]
        if len(units) > 1:
            listed = "\n".join(f"{u.code}: {u.name}" for u in units[:10])
            return [Said(t("zalo.unit_ambiguous", text=unit_text, units=listed))]
        unit = units[0]
        assert unit.id is not None
        made, code = create_invite(
            session,
            unit_id=unit.id,
            role=role,
            function=function,
            created_by_id=actor.contact_id,
            now=now,
            ttl_days=services.settings.invite_ttl_days,
        )
        ends = expiry(made.expires_at, services.settings.tz)
        name = unit.name
    about = {
        "unit": name,
        "role": t(f"common.role_{role.value}"),
        "function": t(f"common.function_{function.value}"),
        "code": code,
        **ends,
    }
    if services.bot_username:  # Telegram runs too: its deep link works as well
        created = t("invites.created", link=invite_link(services.bot_username, code), **about)
    else:
        created = t("zalo.invite_created", **about)
    return [Said(created + "\n" + t("zalo.invite_code", code=code))]


def units(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/units (admins): the units by kind, with contacts and reachability, a page at a time."""
    refused = refused_below(services, actor, Access.ADMIN)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    number = typed_number(args) or 1
    with session_scope(services.engine) as session:
        statuses = unit_overview(session)
    if not statuses:
        return [Said(t("units.none"))]
    page = page_of(statuses, number, UNITS_SIZE)
    flagged = sum(1 for s in statuses if s.unreachable)
    lines = [t("units.list_header", count=len(statuses), flagged=flagged)]
    kind_key = None
    for status in page.items:
        unit = status.unit
        if unit.kind_key != kind_key:
            kind_key = unit.kind_key
            kind = status.kind
            name = (kind.name_en if actor.lang == "en" else kind.name_vi) if kind else kind_key
            lines += ["", t("units.kind_header", kind=name)]
        if status.contacts == 0:
            lines.append(t("units.line_no_contact", code=unit.code, name=unit.name))
        else:
            key = "units.line_unreachable" if status.unreachable else "units.line"
            lines.append(t(key, code=unit.code, name=unit.name, contacts=status.contacts))
    lines += ["", t("common.page", page=page.number, pages=page.pages)]
    if page.has_next:
        lines.append(t("zalo.more"))
    more = {"command": "units", "page": page.number + 1} if page.has_next else None
    remember(services, actor, more)
    return [Said("\n".join(lines))]


def explain(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Coordinators: /explain <task> <unit> asks; a unit's contact: /explain [#task] <text>."""
    t = partial(services.catalog.get, actor.lang)
    if actor.access >= Access.COORDINATOR:
        with session_scope(services.engine) as session:
            found = named(session, actor.lang, services.catalog.get, text=args, scope=actor.scope)
        if found.assignment_id is None:
            return [Said(found.said, found.choices)]  # a typed number asks that unit
        return [Said(request_explanation(services, actor, found.assignment_id))]
    with session_scope(services.engine) as session:
        waiting = waiting_explanations(session, unit_ids=actor.unit_ids)
        tasks = {e.id: session.get(Assignment, e.assignment_id) for e in waiting}
    numbers = task_numbers(args)
    if numbers:
        waiting = [e for e in waiting if (a := tasks[e.id]) is not None and a.task_id in numbers]
    if not args.strip() or len(waiting) != 1 or waiting[0].id is None:
        return [Said(t("explanations.answer_usage" if waiting else "explanations.none_waiting"))]
    return [Said(answer_explanation(services, actor, waiting[0].id, args.strip()))]


def approve(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/approve N: approve extension request N."""
    return _decide(services, actor, args, approve=True)


def reject(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/reject N [reason]: reject extension request N."""
    return _decide(services, actor, args, approve=False)


def _decide(services: Services, actor: Actor, args: str, *, approve: bool) -> list[Said]:
    """Decide the extension request a typed command names, with an optional note."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None:
        return refused
    word, _, note = args.strip().partition(" ")
    number = typed_number(word.lstrip("#"))
    if number is None:
        return [Said(services.catalog.get(actor.lang, "extensions.usage"))]
    return [Said(decide(services, actor, number, approve, note))]


def digest(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/digest on|off: turn the person's scheduled digest on or off, or say its state."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None:
        return refused
    return [Said(app_digest.switch(services, actor.lang, actor.contact_id, args))]
