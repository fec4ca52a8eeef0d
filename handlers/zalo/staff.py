"""Coordinators' and admins' commands on Zalo, typed as on Telegram.

/summary (/tonghop) page by page (a long one names the /export that links it whole), /units,
/invite <unit>, /explain, /approve N, /reject N,
/digest on|off.
Each checks the person's role first and returns what to say.
"""

from __future__ import annotations

from functools import partial

from app import digest as app_digest
from app import invite_admin, reports, unit_list
from app.actor import Actor
from app.checkin import Said
from app.explanation_requests import named_by
from app.explanation_requests import request as request_explanation
from app.explanations import answer_typed
from app.extensions import decide_typed
from app.services import Services
from core.roles import Access
from db.engine import session_scope
from handlers.zalo.commandkit import refused_below
from handlers.zalo.pages import remember, show_page

CHANNEL = "zalo"  # the channel a /reject asks why on (`handlers.zalo.channel` imports this)


def summary(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Summarise all open tasks, one task or a directive; long ones page by page."""
    return summary_page(services, actor, args.strip(), 1)


def summary_page(services: Services, actor: Actor, text: str, page: int) -> list[Said]:
    """Show one page of the summary `text` names ("tiếp" asks for the next)."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    target = reports.target(services.engine, text, actor.scope)
    said = reports.refused(t, target, text, "zalo.summary_which")
    if said:
        return [Said(said)]
    return summary_shown(services, actor, target.kind, reports.ident_of(target), page)


def summary_shown(
    services: Services, actor: Actor, kind: str, ident: int, page: int
) -> list[Said]:
    """Show one page of the summary of a task, a directive or all open tasks, built now
    (Telegram's rule: a task cancelled since its first page is said to be cancelled)."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None:
        return refused
    t = partial(services.catalog.get, actor.lang)
    now, tz = services.clock.now(), services.settings.tz
    ctx = reports.Context(t, actor.lang, actor.scope, now, tz)
    report, empty = reports.summary_of(services.engine, ctx, kind, ident)
    if report is None:
        return [Said(empty)]
    more = {"command": "summary", "kind": kind, "id": ident}
    whole = _export_of(services, kind, ident) if services.settings.public_base_url_set else ""
    return show_page(services, actor, report, page, more, whole=whole)


def _export_of(services: Services, kind: str, ident: int) -> str:
    """Return the /export that links the same list as one workbook ("/export #12")."""
    if kind == "task":
        return f"/export #{ident}"
    if kind == "directive":
        with session_scope(services.engine) as session:
            number = reports.directive_number(session, ident)
        return f"/export {number}" if number else ""
    return "/export"


def invite(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Create a one-time invite for a unit: its pairing code, and how to use it on Zalo."""
    refused = refused_below(services, actor, Access.ADMIN)
    if refused is not None:
        return refused
    return [Said(invite_admin.create_typed(services, actor.lang, actor.contact_id, args))]


def units(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/units (admins): the units by kind, with contacts and reachability, a page at a time."""
    refused = refused_below(services, actor, Access.ADMIN)
    if refused is not None:
        return refused
    listed = unit_list.listed(services, actor.lang, *unit_list.read_args(args))
    if listed.paged:
        more = {"command": "units", "page": listed.next_page} if listed.next_page else None
        remember(services, actor, more)
    return [Said(listed.text)]


def explain(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """Coordinators: /explain <task> <unit> asks; a unit's contact: /explain [#task] <text>."""
    if actor.access >= Access.COORDINATOR:
        found = named_by(services, actor, args)
        if found.assignment_id is None:
            return [Said(found.said, found.choices)]  # a typed number asks that unit
        return [Said(request_explanation(services, actor, found.assignment_id))]
    said, choices = answer_typed(services, actor, args)
    return [Said(said, choices)]  # several requests waiting: a typed number picks one


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
    # A /reject without a note asks why, as a typed "2" under the notice does.
    return [Said(decide_typed(services, actor, args, approve, channel=CHANNEL))]


def digest(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/digest on|off: turn the person's scheduled digest on or off, or say its state."""
    refused = refused_below(services, actor, Access.COORDINATOR)
    if refused is not None:
        return refused
    return [Said(app_digest.switch(services, actor.lang, actor.contact_id, args))]
