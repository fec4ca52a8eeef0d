"""Coordinators' /evidence <task> <unit> on Zalo (/minhchung): the unit's evidence files as a
list, each with a link, since a Zalo bot sends no documents.

Read by the same use case as Telegram's /evidence (`app.evidence_files`). A unit's name
that fits several units given the task is answered with numbered choices: a typed "2"
lists the second unit's files (`el:p:<assignment id>`). Each file's link is signed for the
coordinator for 24 hours and opens `/files/evidence/<id>`'s page, whose button downloads the
file once (`web/files/`, role and scope checked again). A long list goes on with "tiếp".
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from app import evidence_files
from app.actor import Actor
from app.checkin import Said
from app.services import Services
from app.summary_text import Entry, Report
from core.markup import Markup
from db.engine import session_scope
from handlers.zalo.files import link_hours, links_refused, signed_link
from handlers.zalo.pages import show_page

PREFIX, PICK = evidence_files.UNIT_PICK
COMMAND = "evidence"  # what "tiếp" shows the next page of


def evidence(services: Services, actor: Actor, args: str, _name: str) -> list[Said]:
    """/evidence <task> <unit>: list the files the unit sent as evidence of the task."""
    said = links_refused(services, actor)
    if said is not None:
        return said
    t = partial(services.catalog.get, actor.lang)
    with session_scope(services.engine) as session:
        found = evidence_files.find(
            session, t, text=args, scope=actor.scope, contact_id=actor.contact_id
        )
    if found.fitting:
        return [Said(*evidence_files.which_unit(t, found.fitting))]
    if found.said:
        return [Said(found.said)]
    return files_page(services, actor, str(found.files[0].assignment_id), 1)


def files_page(services: Services, actor: Actor, assignment_id: str, page: int) -> list[Said]:
    """Show one page of an assignment's files, each with its link ("tiếp": the next)."""
    said = links_refused(services, actor)
    if said is not None or not assignment_id.isdigit():
        return said or [Said(services.catalog.get(actor.lang, "common.button_stale"))]
    t = partial(services.catalog.get, actor.lang)
    settings = services.settings
    with session_scope(services.engine) as session:
        found = evidence_files.of_assignment(
            session, t, assignment_id=int(assignment_id), contact_id=actor.contact_id
        )
        shown = evidence_files.items(
            session, found.files, root=settings.evidence_path, tz=settings.tz
        )
    if found.said or found.task is None or found.unit is None:
        return [Said(found.said or t("common.button_stale"))]
    header = t(
        "evidence.list_header",
        unit=found.unit.name,
        task=Markup(str(found.task.id)),
        title=found.task.title,
        count=len(shown),
        hours=link_hours(),
    )
    entries = [
        Entry(evidence_files.item_text(t, n, item, _link(services, actor, item)))
        for n, item in enumerate(shown, start=1)
    ]
    more = {"command": COMMAND, "args": assignment_id}
    return show_page(services, actor, Report(header, entries), page, more)


def _link(services: Services, actor: Actor, item: evidence_files.Item) -> str:
    """Return the file's download link, signed for the person."""
    return signed_link(services, actor, f"/files/evidence/{item.evidence_id}")


def take(services: Services, actor: Actor, data: Sequence[str]) -> list[Said]:
    """List the files of the unit chosen by its number (`el:p:<assignment id>`)."""
    if len(data) != 3 or data[1] != PICK:
        return [Said(services.catalog.get(actor.lang, "common.button_stale"))]
    return files_page(services, actor, data[2], 1)
