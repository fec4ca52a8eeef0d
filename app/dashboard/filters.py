"""What a page is narrowed to (directive, unit kind, group, parent unit, overdue only, a unit's
name searched for), and the values the filters offer within the viewer's scope."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.dashboard.viewer import Viewer
from app.i18n import Lang
from core.markup import Markup
from core.numbers import typed_number
from core.textnorm import fold, vi_sort_key
from db.models import Assignment, Directive, Task, Unit, UnitGroup, UnitGroupMember, UnitKind
from db.queries.scope import Scope

T = TypeVar("T")
SEARCH_CHARS = 100  # a unit's name is up to 200; the words of one typed to find it, fewer
KIND_CHARS = 40
# A download's filters in its path: a search of SEARCH_CHARS letters of up to 4 bytes each,
# percent-encoded (3 characters a byte), then base64 (4 for 3), and the few other values.
TOKEN_CHARS = (SEARCH_CHARS * 4 * 3 + 200) * 4 // 3


@dataclass(frozen=True)
class Filters:
    """What a page is narrowed to (None: no filter)."""

    directive_id: int | None = None
    kind: str | None = None
    group_id: int | None = None
    parent_id: int | None = None
    overdue_only: bool = False
    search: str | None = None  # words of a unit's name or code, typed with diacritics or not

    @property
    def narrowing(self) -> bool:
        """Tell whether any filter narrows the page (an empty page then says so)."""
        return self != Filters()


def read(params: Mapping[str, str]) -> Filters:
    """Read the filters from a page's query parameters (anything malformed is ignored).

    A kind or a search with a control character is none (PostgreSQL refuses a NUL in a
    query); a search is its words, at most SEARCH_CHARS characters of them.
    """
    kind = params.get("kind") or None
    words = " ".join(params.get("q", "").split())[:SEARCH_CHARS]
    return Filters(
        search=words if words and words.isprintable() else None,
        directive_id=typed_number(params.get("directive", "")),
        kind=kind if kind is None or (len(kind) <= KIND_CHARS and kind.isprintable()) else None,
        group_id=typed_number(params.get("group", "")),
        parent_id=typed_number(params.get("parent", "")),
        overdue_only=params.get("overdue") == "1",
    )


def units_token(filters: Filters) -> str:
    """Return the filters that narrow the units (kind, group, parent, search, overdue only),
    as letters a download's path can carry ("" when none does); `from_token` reads them back."""
    pairs = [
        ("kind", filters.kind),
        ("group", filters.group_id),
        ("parent", filters.parent_id),
        ("q", filters.search),
    ]
    kept = [(k, str(v)) for k, v in pairs if v is not None]
    kept += [("overdue", "1")] if filters.overdue_only else []
    if not kept:
        return ""
    return base64.urlsafe_b64encode(urlencode(kept).encode()).decode().rstrip("=")


def from_token(token: str) -> Filters | None:
    """Read the unit filters of `units_token`; None when `token` is none of its."""
    if not token or len(token) > TOKEN_CHARS:
        return None
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    filters = replace(read(dict(parse_qsl(text))), directive_id=None)
    return None if filters == Filters() else filters  # `units_token` makes none of nothing


@dataclass(frozen=True)
class Shown:
    """The units a filtered page shows, and its filters named as the page names them
    (kind, group, parent unit, words searched for, overdue only), for a file to say what it
    covers (`app.dashboard.downloads.shown`)."""

    scope: Scope
    named: tuple[tuple[str, str], ...] = ()


def named_filters(t: Callable[..., str], shown: Shown) -> str:
    """Return the filters a file's figures were kept to, in the reader's words ("loại đơn
    vị Xã; nhóm Nhóm A"); "" when none."""
    return "; ".join(t(f"export.filter_{key}", value=Markup(v)) for key, v in shown.named)


@dataclass(frozen=True)
class Choices:
    """The values the filters offer, within the viewer's scope."""

    directives: list[tuple[int, str]]
    kinds: list[tuple[str, str]]
    groups: list[tuple[int, str]]
    parents: list[tuple[int, str]]


def narrowed(session: Session, viewer: Viewer, filters: Filters) -> Scope:
    """Return the viewer's scope narrowed to the filters' units (kind, group, parent, and
    those whose name or code holds the words searched for, diacritics or none: "phuong"
    finds "Phường", as officials type either)."""
    searched = fold(filters.search or "")
    if (filters.kind, filters.group_id, filters.parent_id) == (None, None, None) and not searched:
        return viewer.scope
    query = select(Unit.id).where(col(Unit.active).is_(True), viewer.scope.covers(Unit.id))
    if searched:
        found = col(Unit.name_folded).contains(searched, autoescape=True)
        query = query.where(or_(found, col(Unit.code_folded) == searched))
    if filters.kind is not None:
        query = query.where(Unit.kind_key == filters.kind)
    if filters.parent_id is not None:
        query = query.where(Unit.parent_id == filters.parent_id)
    if filters.group_id is not None:
        members = select(UnitGroupMember.unit_id).where(
            UnitGroupMember.group_id == filters.group_id
        )
        query = query.where(col(Unit.id).in_(members))
    ids = tuple(sorted(i for i in session.exec(query) if i is not None))
    return Scope(False, (), ids)


def choices(session: Session, viewer: Viewer, *, lang: Lang | None = None) -> Choices:
    """Return the directives, kinds, groups and parent units the filters offer, named in
    the page's language (`lang`, the viewer's by default).

    A coordinator limited to groups is offered only the directives that gave a task to a
    unit in their scope, the groups with a unit in their scope and the parent units in their
    scope (a district above a commune of theirs may not be): the others' numbers and names
    are outside it.
    """
    covered = select(Unit.id).where(viewer.scope.covers(Unit.id))
    given = select(Task.directive_id).join(Assignment, col(Assignment.task_id) == col(Task.id))
    given = given.where(col(Assignment.unit_id).in_(covered), col(Task.directive_id).is_not(None))
    members = select(UnitGroupMember.group_id).where(col(UnitGroupMember.unit_id).in_(covered))
    directive_query, group_query = select(Directive), select(UnitGroup)
    if not viewer.scope.everything:
        directive_query = directive_query.where(col(Directive.id).in_(given))
        group_query = group_query.where(col(UnitGroup.id).in_(members))
    directives = [(d.id, d.number) for d in session.exec(directive_query) if d.id is not None]
    name = UnitKind.name_en if (lang or viewer.lang) == "en" else UnitKind.name_vi
    kinds = [(k, str(n)) for k, n in session.exec(select(UnitKind.key, name))]
    groups = [(g.id, g.name) for g in session.exec(group_query) if g.id is not None]
    parent_ids = select(Unit.parent_id).where(
        col(Unit.parent_id).is_not(None), viewer.scope.covers(Unit.id)
    )
    parent_query = select(Unit).where(col(Unit.id).in_(parent_ids), viewer.scope.covers(Unit.id))
    parents = [(u.id, u.name) for u in session.exec(parent_query) if u.id is not None]
    return Choices(
        sorted(directives, key=lambda d: vi_sort_key(d[1])),
        sorted(kinds, key=lambda k: vi_sort_key(k[1])),
        sorted(groups, key=lambda g: vi_sort_key(g[1])),
        sorted(parents, key=lambda p: vi_sort_key(p[1])),
    )


def offered(filters: Filters, choices: Choices) -> Filters:
    """Return the filters without a value the page does not offer (a directive, kind, group
    or parent unit unknown or outside the viewer's scope): such a value narrowed the page to
    nothing while its filters read "all", and the page said no task was open in scope."""

    return replace(
        filters,
        directive_id=kept(filters.directive_id, choices.directives),
        kind=kept(filters.kind, choices.kinds),
        group_id=kept(filters.group_id, choices.groups),
        parent_id=kept(filters.parent_id, choices.parents),
    )


def kept(value: T | None, values: list[tuple[T, str]]) -> T | None:
    """Return the value when it is one of those offered, else None."""
    return value if value is None or value in {v for v, _ in values} else None
