"""What the coordinator dashboard shows, as data: who is looking, and what they may see.

Every function takes the viewer and keeps to their scope (db.queries.scope's one rule):
nothing outside it is counted, listed or named. Filters only narrow the scope further.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import partial

from sqlmodel import Session, col, select

from app.actor import Actor
from app.i18n import Catalog, Lang
from core.chart import Bar
from core.markup import Markup
from core.numbers import is_id
from core.roles import Role
from core.states import ReportState, RequestStatus, TaskStatus
from core.status import Counts, Status, taxonomy_rank
from core.summary import Line, TaskCounts
from core.textnorm import SortKey, vi_sort_key
from db.models import (
    Assignment,
    Contact,
    ContactIdentity,
    Directive,
    Evidence,
    ExtensionRequest,
    StatusReport,
    Task,
    Unit,
    UnitContact,
    UnitGroup,
    UnitGroupMember,
    UnitKind,
)
from db.queries import summary as sq
from db.queries import web as wq
from db.queries.contacts import find_contact, identities_of, scope_group_ids, unit_ids_of
from db.queries.scope import Scope

MATRIX_UNITS = 100  # a matrix page's units (rows)
MATRIX_TASKS = 25  # a matrix page's tasks (columns): a page is at most 2,500 cells
STAFF = (Role.COORDINATOR.value, Role.ADMIN.value)
LOGIN_TTL = timedelta(minutes=10)
SESSION_IDLE = timedelta(hours=12)
# However often it is used: a cookie taken from a browser does not open the dashboard for
# ever, and a new session is one /web away.
SESSION_MAX = timedelta(days=7)


@dataclass(frozen=True)
class Viewer:
    """A staff member signed in to the dashboard, with the units they may see."""

    contact_id: int
    name: str
    role: str
    lang: Lang
    scope: Scope
    actor: Actor  # the same person as chat's rules see them, for decisions and nudges


@dataclass(frozen=True)
class Filters:
    """What a page is narrowed to (None: no filter)."""

    directive_id: int | None = None
    kind: str | None = None
    group_id: int | None = None
    parent_id: int | None = None
    overdue_only: bool = False


@dataclass(frozen=True)
class Choices:
    """The values the filters offer, within the viewer's scope."""

    directives: list[tuple[int, str]]
    kinds: list[tuple[str, str]]
    groups: list[tuple[int, str]]
    parents: list[tuple[int, str]]


@dataclass(frozen=True)
class Cell:
    """One assignment as the matrix and the task page show it."""

    status: Status
    days: int
    never: bool
    percent: int | None
    blocked: bool

    @property
    def rank(self) -> int:
        """Return where the cell's status sorts: the taxonomy's order, "no report" last."""
        return taxonomy_rank(self.status, never_reported=self.never)


@dataclass(frozen=True)
class UnitRow:
    """One unit on a task page: its status, last report, blocker and requests."""

    line: Line
    cell: Cell
    last_report: str | None
    blocker: str | None
    extension: ExtensionRequest | None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class TaskPage:
    """A task with every unit in scope."""

    task: Task
    directive: str | None
    counts: Counts
    rows: list[UnitRow]


@dataclass(frozen=True)
class Matrix:
    """Units (rows) by open tasks (columns), each cell an assignment or nothing: a page of
    units (`page`) of a page of tasks (`task_page`), both from 1."""

    tasks: list[TaskCounts]
    units: list[tuple[int, str]]
    cells: dict[tuple[int, int], Cell]
    page: int = 1
    more: bool = False  # a next page of units
    task_page: int = 1
    task_total: int = 0  # the open tasks of every task page
    first_task: int = 1  # the number of the page's first task among them, from 1

    @property
    def more_tasks(self) -> bool:
        """Tell whether a next page of tasks follows."""
        return self.first_task - 1 + len(self.tasks) < self.task_total


@dataclass(frozen=True)
class UnitPage:
    """A unit: its tasks, its report history, its contacts and whether they are reachable,
    and its counts (the on-time rate /unit gives)."""

    unit: Unit
    rows: list[tuple[Line, Cell, str]]
    history: list[tuple[StatusReport, str]]
    contacts: list[tuple[Contact, str, list[ContactIdentity]]]
    counts: Counts = field(default_factory=Counts)


def _lang(contact: Contact) -> Lang:
    """Return the language a person reads the bot in."""
    return "en" if contact.language == "en" else "vi"


def language_of(session: Session, *, contact_id: int) -> Lang | None:
    """Return the language of a person, staff or not (None when they are gone)."""
    contact = session.get(Contact, contact_id)
    return _lang(contact) if contact is not None else None


def viewer_of(session: Session, *, contact_id: int) -> Viewer | None:
    """Return the staff member behind a session, or None (gone, or no longer staff)."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.role not in STAFF:
        return None
    lang = _lang(contact)
    identities = identities_of(session, contact_id=contact_id)
    actor = Actor(
        contact_id,
        identities[0].external_id if identities else "",
        lang,
        contact.role,
        tuple(unit_ids_of(session, contact_id=contact_id)),
        tuple(scope_group_ids(session, contact_id=contact_id)),
    )
    return Viewer(contact_id, contact.display_name, contact.role, lang, actor.scope, actor)


def login_code(session: Session, *, contact_id: int, now: datetime) -> str | None:
    """Return a one-time sign-in code for a staff member (None for anyone else)."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.role not in STAFF:
        return None
    return wq.create_login(session, contact_id=contact_id, now=now, ttl=LOGIN_TTL)


@dataclass(frozen=True)
class LoginOffer:
    """What a sign-in link offers before it is used: whom it signs in, until when."""

    name: str
    lang: Lang
    expires: datetime
    used: bool
    expired: bool = False


def login_offer(session: Session, *, code: str, now: datetime) -> LoginOffer | None:
    """Return whom a sign-in code is for, without using it (None: no such code); an expired
    one's says so, and in whose language its refusal is."""
    login = wq.find_login(session, code=code, now=now, expired=True)
    if login is None:
        return None
    viewer = viewer_of(session, contact_id=login.contact_id)
    if viewer is None:
        return None
    used, expired = login.used_at is not None, login.expires_at <= now
    return LoginOffer(viewer.name, viewer.lang, login.expires_at, used, expired)


def sign_in(session: Session, *, code: str, now: datetime) -> tuple[int, str, str] | None:
    """Redeem a sign-in code for staff: (contact id, session token, CSRF token), or None."""
    contact_id = wq.redeem_login(session, code=code, now=now)
    if contact_id is None or viewer_of(session, contact_id=contact_id) is None:
        return None
    token, csrf = wq.open_session(session, contact_id=contact_id, now=now)
    return contact_id, token, csrf


def sign_in_as(
    session: Session, *, channel: str, external_id: str, now: datetime
) -> tuple[int, str, str] | None:
    """Open a session for a staff member known on a channel (a Mini App's checked user)."""
    contact = find_contact(session, channel=channel, external_id=external_id)
    if contact is None or contact.id is None or viewer_of(session, contact_id=contact.id) is None:
        return None
    token, csrf = wq.open_session(session, contact_id=contact.id, now=now)
    return contact.id, token, csrf


def narrowed(session: Session, viewer: Viewer, filters: Filters) -> Scope:
    """Return the viewer's scope narrowed to the filters' units (kind, group, parent)."""
    if filters.kind is None and filters.group_id is None and filters.parent_id is None:
        return viewer.scope
    query = select(Unit.id).where(col(Unit.active).is_(True), viewer.scope.covers(Unit.id))
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


def overview(
    session: Session, viewer: Viewer, *, now: datetime, filters: Filters
) -> list[TaskCounts]:
    """Return the open tasks with their counts in scope, nearest deadline first."""
    scope = narrowed(session, viewer, filters)
    tasks = sq.task_counts(session, now=now, scope=scope, directive_id=filters.directive_id)
    return sorted(tasks, key=lambda t: (t.deadline, t.task_id))


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


def cell_of(line: Line, now: datetime, tz: tzinfo) -> Cell:
    """Return an assignment's status as a cell."""
    status, days, never = line.status(now, tz)
    return Cell(status, days, never, line.percent, line.state == "blocked")


def task_page(
    session: Session, viewer: Viewer, *, task_id: int, now: datetime, tz: tzinfo
) -> TaskPage | None:
    """Return a task with its units in scope; None when it has nothing in scope."""
    task = session.get(Task, task_id) if is_id(task_id) else None
    if task is None or task.status == TaskStatus.CANCELLED:
        return None
    found = sq.task_counts(
        session, now=now, scope=viewer.scope, task_ids=[task_id], open_only=False
    )
    if not found:
        return None
    lines = sq.lines(session, scope=viewer.scope, task_ids=[task_id])
    ids = [ln.assignment_id for ln in lines]
    reports = _last_reports(session, ids)
    pending = {
        e.assignment_id: e
        for e in session.exec(
            select(ExtensionRequest).where(
                col(ExtensionRequest.assignment_id).in_(ids),
                ExtensionRequest.status == RequestStatus.PENDING,
            )
        )
    }
    evidence: dict[int, list[Evidence]] = {}
    for item in session.exec(
        select(Evidence).where(col(Evidence.assignment_id).in_(ids)).order_by(col(Evidence.id))
    ):
        evidence.setdefault(item.assignment_id, []).append(item)
    rows = []
    for ln in lines:
        report = reports.get(ln.assignment_id)
        blocker = report.reason if report is not None and ln.state == ReportState.BLOCKED else None
        rows.append(
            UnitRow(
                ln,
                cell_of(ln, now, tz),
                report.text if report is not None else None,
                blocker,
                pending.get(ln.assignment_id),
                evidence.get(ln.assignment_id, []),
            )
        )
    return TaskPage(task, found[0].directive, found[0].counts, rows)


def _last_reports(session: Session, assignment_ids: Sequence[int]) -> dict[int, StatusReport]:
    """Return each assignment's latest status report."""
    latest: dict[int, StatusReport] = {}
    query = (
        select(StatusReport)
        .where(col(StatusReport.assignment_id).in_(assignment_ids))
        .order_by(col(StatusReport.id))
    )
    for report in session.exec(query):
        latest[report.assignment_id] = report
    return latest


def matrix(
    session: Session,
    viewer: Viewer,
    *,
    now: datetime,
    tz: tzinfo,
    filters: Filters,
    page: int = 1,
    task_page: int = 1,
) -> Matrix:
    """Return units by open tasks in scope, narrowed by the filters: MATRIX_TASKS tasks a
    page, nearest deadline first (the overview's order), by MATRIX_UNITS of their units a
    page, in name order (`task_page` and `page` from 1).

    Only the page's units of the page's tasks are read (with overdue only, units overdue
    in one of the page's tasks, read a page's worth at a time until the page is full): the
    whole country's grid was a page of 100 MB, and 100 units by its 589 tasks 1.8 MB.
    """
    page, task_page = max(page, 1), max(task_page, 1)
    every = overview(session, viewer, now=now, filters=filters)
    first = (task_page - 1) * MATRIX_TASKS
    tasks = every[first : first + MATRIX_TASKS]
    task_ids = [t.task_id for t in tasks]
    named = sq.units_of(session, scope=narrowed(session, viewer, filters), task_ids=task_ids)
    named.sort(key=lambda u: vi_sort_key(u[1]))
    skip = (page - 1) * MATRIX_UNITS
    if filters.overdue_only:
        units, cells, more = _overdue_page(session, named, skip, task_ids, now, tz)
    else:
        units = named[skip : skip + MATRIX_UNITS]
        cells = _cells(session, [u for u, _ in units], task_ids, now, tz)
        more = len(named) > skip + MATRIX_UNITS
    return Matrix(tasks, units, cells, page, more, task_page, len(every), first + 1)


def _overdue_page(
    session: Session,
    named: list[tuple[int, str]],
    skip: int,
    task_ids: list[int],
    now: datetime,
    tz: tzinfo,
) -> tuple[list[tuple[int, str]], dict[tuple[int, int], Cell], bool]:
    """Return the page after `skip` of the units (in name order) overdue in one of these
    tasks, their cells, and whether more follow; read a page's worth at a time until full."""
    late: list[tuple[int, str]] = []  # the overdue units met so far, in name order
    cells: dict[tuple[int, int], Cell] = {}
    for start in range(0, len(named), MATRIX_UNITS):
        if len(late) > skip + MATRIX_UNITS:
            break
        chunk = named[start : start + MATRIX_UNITS]
        found = _cells(session, [u for u, _ in chunk], task_ids, now, tz)
        overdue = {u for (u, _), c in found.items() if c.status is Status.OVERDUE}
        for unit in chunk:
            if unit[0] in overdue:
                late.append(unit)
                if skip < len(late) <= skip + MATRIX_UNITS:  # on the page: its cells kept
                    cells |= {k: c for k, c in found.items() if k[0] == unit[0]}
    return late[skip : skip + MATRIX_UNITS], cells, len(late) > skip + MATRIX_UNITS


def _cells(
    session: Session, unit_ids: list[int], task_ids: list[int], now: datetime, tz: tzinfo
) -> dict[tuple[int, int], Cell]:
    """Return the cells of these units in these tasks."""
    lines = sq.lines(session, scope=Scope(False, (), tuple(unit_ids)), task_ids=task_ids)
    return {(ln.unit_id, ln.task_id): cell_of(ln, now, tz) for ln in lines}


def unit_page(
    session: Session, viewer: Viewer, *, unit_id: int, now: datetime, tz: tzinfo
) -> UnitPage | None:
    """Return a unit in scope with its tasks, history and contacts; None outside scope."""
    unit = session.get(Unit, unit_id) if is_id(unit_id) else None
    covered = select(Unit.id).where(Unit.id == unit_id, viewer.scope.covers(Unit.id))
    if unit is None or session.exec(covered).first() is None:
        return None
    lines = sq.lines(session, scope=viewer.scope, unit_id=unit_id)
    titles = sq.task_titles(session, task_ids=[ln.task_id for ln in lines])
    rows = [(ln, cell_of(ln, now, tz), titles.get(ln.task_id, "")) for ln in lines]
    rows.sort(key=lambda r: (r[0].deadline, r[0].task_id))
    history = session.exec(
        select(StatusReport, Task.title)
        .join(Assignment, col(Assignment.id) == col(StatusReport.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(Assignment.unit_id == unit_id)
        .order_by(col(StatusReport.id).desc())
        .limit(50)
    ).all()
    contacts = session.exec(
        select(Contact, UnitContact.function)
        .join(UnitContact, col(UnitContact.contact_id) == col(Contact.id))
        .where(UnitContact.unit_id == unit_id)
    ).all()
    people = [
        (c, str(f), identities_of(session, contact_id=c.id or 0))
        for c, f in sorted(contacts, key=lambda c: vi_sort_key(c[0].display_name))
    ]
    counts = sq.unit_counts(session, now=now, unit_ids=[unit_id], scope=viewer.scope)
    return UnitPage(
        unit, rows, [(r, str(t)) for r, t in history], people, counts.get(unit_id, Counts())
    )


def evidence_in_scope(session: Session, viewer: Viewer, *, evidence_id: int) -> Evidence | None:
    """Return an evidence file whose unit the viewer may see (None otherwise)."""
    if not is_id(evidence_id):
        return None
    query = (
        select(Evidence)
        .join(Assignment, col(Assignment.id) == col(Evidence.assignment_id))
        .where(Evidence.id == evidence_id, viewer.scope.covers(Assignment.unit_id))
    )
    return session.exec(query).first()


def task_chart(
    session: Session,
    viewer: Viewer,
    *,
    task_id: int,
    now: datetime,
    catalog: Catalog,
    lang: Lang | None = None,
) -> tuple[list[Bar], str]:
    """Return a task's chart bars in scope (one per unit kind, then per group) and title,
    in `lang` (the viewer's by default)."""
    task = session.get(Task, task_id) if is_id(task_id) else None
    if task is None or task.status == TaskStatus.CANCELLED:
        return [], ""
    lang = lang or viewer.lang
    return task_bars(session, task, scope=viewer.scope, lang=lang, now=now, catalog=catalog)


def task_bars(
    session: Session, task: Task, *, scope: Scope, lang: Lang, now: datetime, catalog: Catalog
) -> tuple[list[Bar], str]:
    """Return a task's chart bars in scope and its title: one bar per unit kind, then one
    per named group, each in Vietnamese alphabetical order (the dashboard's and /chart's)."""
    assert task.id is not None
    kinds = sq.kind_counts(session, now=now, task_id=task.id, scope=scope)
    if not kinds:
        return [], ""
    t = partial(catalog.get, lang)
    names = sq.kind_labels(session, lang=lang)
    groups = sq.group_counts(session, now=now, task_id=task.id, scope=scope)
    labelled = sorted(((names.get(k, k), c) for k, c in kinds.items()), key=_by_name)
    bars = [Bar(name, c) for name, c in labelled]
    bars += [
        Bar(t("chart.group", name=Markup(g)), c) for g, c in sorted(groups.items(), key=_by_name)
    ]
    return bars, t("chart.title_task", id=task.id, title=Markup(task.title))


def _by_name(item: tuple[str, Counts]) -> SortKey:
    """Sort a (name, counts) pair by its name in Vietnamese alphabetical order."""
    return vi_sort_key(item[0])


def request_of_task(session: Session, *, request_id: int, task_id: int) -> bool:
    """Tell whether an extension request is about one of this task's assignments."""
    if not (is_id(request_id) and is_id(task_id)):
        return False
    query = (
        select(ExtensionRequest.id)
        .join(Assignment, col(Assignment.id) == col(ExtensionRequest.assignment_id))
        .where(ExtensionRequest.id == request_id, Assignment.task_id == task_id)
    )
    return session.exec(query).first() is not None
