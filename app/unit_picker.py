"""What the guided /newtask offers to choose its units and directive from, on Telegram's
buttons: the units of some kinds, the named groups, the active units a search finds (a page
of toggles), what typed words name; the latest directives."""

from __future__ import annotations

from collections.abc import Iterable

from app.services import Services
from core.assignees import Resolution
from db.engine import session_scope
from db.models import Directive
from db.queries.assignees import resolve_assignees
from db.queries.directives import recent_directives
from db.queries.unit_choices import group_choices, kind_unit_ids, pickable_units


def kind_units(services: Services, kinds: Iterable[str]) -> list[int]:
    """Return the active units of these kinds (blocking)."""
    with session_scope(services.engine) as session:
        return kind_unit_ids(session, kinds)


def groups(services: Services) -> list[tuple[int, str, int]]:
    """Return every named group: its id, name and how many units (blocking)."""
    with session_scope(services.engine) as session:
        return group_choices(session)


def group_name(services: Services, group_id: str) -> str | None:
    """Return the name of the group a button names by its id, None when it is gone
    (blocking)."""
    found = [name for gid, name, _ in groups(services) if str(gid) == group_id]
    return found[0] if found else None


def pickable(services: Services, search: str) -> list[tuple[int, str]]:
    """Return the active units a search finds (all without one): id and name (blocking)."""
    with session_scope(services.engine) as session:
        return pickable_units(session, search=search)


def resolve(services: Services, lang: str, spec: str) -> Resolution:
    """Read typed units (names, codes, groups, kinds, "tất cả") (blocking)."""
    with session_scope(services.engine) as session:
        return resolve_assignees(session, spec, lang=lang)


def recent(services: Services) -> list[tuple[int, str]]:
    """Return the latest directives, to pick one by button: id and number (blocking)."""
    with session_scope(services.engine) as session:
        return [(d.id or 0, d.number) for d in recent_directives(session)]


def directive(services: Services, directive_id: int) -> tuple[int, str] | None:
    """Return a directive picked by button (id and number), None when it is gone
    (blocking)."""
    with session_scope(services.engine) as session:
        found = session.get(Directive, directive_id)
        return (found.id or 0, found.number) if found is not None else None
