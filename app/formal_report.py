"""The formal report (báo cáo, Decree 30/2020 format) as a Word file: one task, a directive,
a period or every open task, within the reader's scope.

The figures are the official taxonomy's, counted from the same rows as /export; the wording
of the body is the catalog's (`report.doc_*`), the page and the fixed administrative wording
the template's (`app/report_docx.py`). Texts go into Word as they are: no markup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from functools import lru_cache, partial
from pathlib import Path

from sqlmodel import Session

from app.due_words import rolled
from app.export_xlsx import evidence_text, list_item, notes_text, remembered, task_order
from app.i18n import Catalog, Lang, format_percent
from app.report_docx import Block, Column, render
from app.services import ReportSettings
from app.summary_text import Translate, status_label
from core.deadlines import format_date
from core.markup import Markup
from core.period import decree_day_month
from core.status import AssignmentStatus, Counts, Status, count, status_of
from core.summary import Line, in_force_order
from core.taskdates import effective_deadline
from core.textnorm import vi_sort_key
from db.queries import export as xq
from db.queries import summary as summary_q
from db.queries.formal_report import (
    DirectiveInfo,
    directive_info,
    group_names,
    task_ids_due_between,
    unit_names,
)
from db.queries.scope import Scope

HEADING, TEXT, BULLET = "DD Heading", "Normal", "DD Bullet"
# Units a list of the body names before "and N more (see the appendix)": a report is read
# by people; the appendix has every unit.
BODY_LIST_MAX = 50
_SENTENCE_ENDS = (".", "!", "?", "…")
COLUMNS = (  # the appendix (DOMAIN.md): 252 mm, the width of landscape A4 between margins
    ("stt", 12, True),
    ("unit", 36, False),
    ("task", 46, False),
    ("directive", 26, True),
    ("deadline", 23, True),
    ("done_on", 23, True),
    ("status", 27, False),
    ("days_overdue", 15, True),
    ("evidence", 22, False),
    ("notes", 22, False),
)


@dataclass(frozen=True)
class Letterhead:
    """Who issues the report and from which template: plain values, for a worker process."""

    org_parent: str
    org_name: str
    symbol: str
    place: str
    signer_title: str
    signer_name: str = ""
    template: str | None = None


def letterhead_of(settings: ReportSettings) -> Letterhead:
    """Return the letterhead the settings describe."""
    template = settings.report_template
    return Letterhead(
        settings.org_parent,
        settings.org_name,
        settings.org_symbol,
        settings.org_place,
        settings.report_signer_title,
        settings.report_signer_name,
        str(template) if template is not None else None,
    )


@dataclass(frozen=True)
class ReportTarget:
    """What the report covers: a task, a directive, a period, or (nothing set) every open task."""

    task_id: int | None = None
    directive_id: int | None = None
    start: date | None = None
    end: date | None = None


REPORT_LANG: Lang = "vi"  # a formal report is a Vietnamese document, whoever asks for it


@dataclass(frozen=True)
class ReportFile:
    """A report built: its file name, its bytes, and how many tasks and appendix rows."""

    file_name: str
    content: bytes
    tasks: int
    rows: int


@dataclass(frozen=True)
class _Reader:
    """The language, moment and time zone the report is written for, and each assignment's
    status at that moment (worked out once: the body and the appendix both read it)."""

    t: Translate
    lang: str
    now: datetime
    tz: tzinfo
    statuses: dict[int, AssignmentStatus]
    groups: list[str]  # the groups the figures are limited to (none: every unit)
    own: list[str]  # the reader's own units, counted with the groups' (a coordinator's)
    filtered: str = ""  # the dashboard page's filters the units were kept to, named
    # Each assignment's place in the lists by unit (`_unit_key`), worked out once.
    order: dict[int, tuple[object, ...]] = field(default_factory=dict)

    def say(self, key: str, **params: object) -> str:
        """Return a document text: string values go in as they are (Word is no markup)."""
        raw = {k: Markup(v) if isinstance(v, str) else v for k, v in params.items()}
        return self.t(f"report.{key}", **raw)


def _task_ids(session: Session, target: ReportTarget) -> list[int]:
    """Return the tasks a report (or an export) of the target covers."""
    if target.start is not None and target.end is not None:
        return task_ids_due_between(session, start=target.start, end=target.end)
    return xq.task_ids_for(session, task_id=target.task_id, directive_id=target.directive_id)


def anything_in_scope(session: Session, *, target: ReportTarget, scope: Scope) -> bool:
    """Tell whether a report or an export of the target would hold a row in this scope.

    A channel that answers a link rather than the file (Zalo) asks first, so that a scope
    holding nothing gets the same words as Telegram's, not a link to an empty file.
    """
    return summary_q.any_line(session, scope=scope, task_ids=_task_ids(session, target))


def build_report(
    session: Session,
    *,
    target: ReportTarget,
    scope: Scope,
    catalog: Catalog,
    now: datetime,
    tz: tzinfo,
    letterhead: Letterhead,
    shown: Scope | None = None,
    filtered: str = "",
) -> ReportFile | None:
    """Read the data in scope and write the report; None when nothing of it is in scope.

    Written in Vietnamese (`REPORT_LANG`) whatever its reader's language: it is the
    administrative document the department sends the province (Decree 30/2020), header,
    body and appendix alike; an English body under a Vietnamese header, closing and
    appendix title read as two documents. The reader's answer says so (`report.caption`).
    `shown`: the units of `scope` a filtered dashboard page shows, the only ones counted,
    and `filtered`, its filters as the report names them (in Vietnamese too)."""
    t, lang = partial(catalog.get, REPORT_LANG), REPORT_LANG
    ids = _task_ids(session, target)
    data = xq.load(session, task_ids=ids, scope=shown or scope, history=False)
    if not data.lines:
        return None
    doc = directive_info(session, directive_id=target.directive_id, task_id=target.task_id)
    statuses = {ln.assignment_id: status_of(ln, now=now, tz=tz) for ln in data.lines}
    limited = [] if scope.everything else group_names(session, group_ids=scope.group_ids)
    own = [] if scope.everything else unit_names(session, unit_ids=scope.unit_ids)
    order = {ln.assignment_id: _unit_key(data, ln, tz) for ln in data.lines}
    reader = _Reader(t, lang, now, tz, statuses, limited, own, filtered, order)
    stamp = now.astimezone(tz).strftime("%Y%m%d-%H%M")
    content = render(
        template=Path(letterhead.template) if letterhead.template else None,
        fields=_fields(reader, letterhead, target, data, doc),
        body=_body(reader, letterhead, target, data, doc),
        columns=[Column(t(f"export.col_{key}"), w, c) for key, w, c in COLUMNS],
        rows=_appendix(reader, data),
    )
    name = f"{t('report.file_name')}-{stamp}.docx"
    return ReportFile(name, content, len(data.tasks), len(data.lines))


def _fields(
    r: _Reader,
    head: Letterhead,
    target: ReportTarget,
    data: xq.ExportData,
    doc: DirectiveInfo | None,
) -> dict[str, str]:
    """Return the template's placeholders."""
    today = r.now.astimezone(r.tz).date()
    day, month = decree_day_month(today)
    return {
        "org_parent": head.org_parent.upper(),
        "org_name": head.org_name.upper(),
        "org_parent_text": head.org_parent,
        "org_name_text": head.org_name,
        "symbol": head.symbol,
        "place": head.place,
        "day": day,
        "month": month,
        "year": str(today.year),
        "subject": _subject(r, target, data, doc),
        "signer_title": head.signer_title.upper(),
        "signer_name": head.signer_name,
    }


def _subject(
    r: _Reader, target: ReportTarget, data: xq.ExportData, doc: DirectiveInfo | None
) -> str:
    """Return the summary line under the title (trích yếu)."""
    if target.task_id is not None:
        return r.say("doc_subject_task", title=data.tasks[target.task_id].title)
    if target.directive_id is not None and doc is not None:
        return r.say("doc_subject_directive", number=doc.number)
    if target.start is not None and target.end is not None:
        return r.say("doc_subject_period", start=target.start, end=target.end)
    return r.say("doc_subject_all")


def _basis(
    r: _Reader,
    head: Letterhead,
    target: ReportTarget,
    data: xq.ExportData,
    doc: DirectiveInfo | None,
) -> str:
    """Return the opening paragraph: what the report answers (the directive and its date)."""
    cited = _cite(r, doc) if doc is not None else ""
    if target.task_id is not None:
        task = data.tasks[target.task_id]
        ref = r.say("doc_assigned_by", document=cited) if cited else ""
        return r.say(
            "doc_basis_task",
            title=task.title,
            deadline=_deadline(r, task.deadline, task.due),
            ref=ref,
            org=head.org_name,
        )
    if target.directive_id is not None and cited:
        return r.say("doc_basis_directive", document=cited, org=head.org_name)
    if target.start is not None and target.end is not None:
        return r.say("doc_basis_period", start=target.start, end=target.end, org=head.org_name)
    return r.say("doc_basis_all", org=head.org_name)


def _deadline(r: _Reader, deadline: date, due: date | None) -> str:
    """Return a task's deadline as the report's brackets hold it: the day in force, and the
    deadline given on a day off beside it after a semicolon ("thời hạn 14/12/2026; hạn ghi
    12/12/2026 là ngày nghỉ"), not in brackets of its own inside them."""
    if rolled(deadline, due):
        return r.say("doc_deadline_rolled", due=due, deadline=deadline)
    return format_date(deadline)


def _cite(r: _Reader, doc: DirectiveInfo) -> str:
    """Return 'Văn bản số 4824/UBND-KGVX ngày 01/10/2026 của UBND tỉnh về ...'."""
    text = r.say("doc_document", number=doc.number)
    if doc.issued_on is not None:
        text += r.say("doc_issued_on", date=doc.issued_on)
    if doc.issuer:
        text += r.say("doc_issuer", issuer=doc.issuer)
    if doc.title:
        text += r.say("doc_about", title=doc.title)
    return text


def _body(
    r: _Reader,
    head: Letterhead,
    target: ReportTarget,
    data: xq.ExportData,
    doc: DirectiveInfo | None,
) -> list[Block]:
    """Return the body: basis, overall results, overdue units, blockers, extensions, proposals."""
    statuses = r.statuses
    total = count([(statuses[ln.assignment_id], ln.state) for ln in data.lines])
    blocks = [Block(_basis(r, head, target, data, doc))]
    if len(data.tasks) == 1 and next(iter(data.tasks.values())).closed:  # no line of its own
        blocks.append(Block(r.say("doc_task_closed")))  # as /summary says it
    if r.groups:  # a coordinator limited to groups: say whose figures these are, all of them
        key = "doc_scope_groups_own" if r.own else "doc_scope_groups"
        blocks.append(Block(r.say(key, groups=", ".join(r.groups), units=", ".join(r.own))))
    if r.filtered:  # downloaded from a filtered dashboard page: its units alone
        blocks.append(Block(r.say("doc_filtered", filters=r.filtered)))
    blocks.append(Block(r.say("doc_results"), HEADING))
    blocks += _overall(r, data, total)
    blocks.append(Block(r.say("doc_overdue_head"), HEADING))
    overdue = [ln for ln in data.lines if statuses[ln.assignment_id].status == Status.OVERDUE]
    overdue.sort(
        key=lambda ln: (-statuses[ln.assignment_id].days_overdue, r.order[ln.assignment_id])
    )
    many = len(data.tasks) > 1
    for ln in overdue[:BODY_LIST_MAX]:
        state = statuses[ln.assignment_id]
        task = r.say("doc_of_task", title=data.tasks[ln.task_id].title) if many else ""
        never = r.say("doc_never") if state.never_reported else ""
        blocks.append(
            Block(
                r.say(
                    "doc_overdue_unit",
                    unit=ln.unit_name,
                    days=state.days_overdue,
                    task=task,
                    never=never,
                ),
                BULLET,
            )
        )
    blocks += _more(r, len(overdue))
    if not overdue:
        blocks.append(Block(r.say("doc_overdue_none")))
    blocks += _blockers(r, data, many)
    blocks += _extensions(r, data, many)
    blocks += [Block(r.say("doc_proposals"), HEADING), Block(r.say("doc_proposals_blank"))]
    return _end_lists(blocks)


def _end_lists(blocks: list[Block]) -> list[Block]:
    """Return the blocks with each list's last item ending in "." instead of ";".

    Administrative style (Decree 30) ends every item of a list with ";" but the last, which
    ends the sentence. The catalog's items end with ";" since most are not last; a reason a
    unit wrote that already ends a sentence gets no second full stop.
    """
    ended = list(blocks)
    for i, block in enumerate(ended):
        last = i + 1 == len(ended) or ended[i + 1].style != BULLET
        if block.style == BULLET and last and block.text.endswith(";"):
            text = block.text[:-1].rstrip()
            ended[i] = replace(block, text=text if text.endswith(_SENTENCE_ENDS) else text + ".")
    return ended


def _overall(r: _Reader, data: xq.ExportData, c: Counts) -> list[Block]:
    """Return the counts in the four categories, no report, the rates, and each task's."""
    as_of = r.now.astimezone(r.tz)
    blocks = [
        Block(
            r.say(
                "doc_total",
                tasks=len(data.tasks),
                assigned=c.total,
                time=as_of.strftime("%H:%M"),
                date=as_of.date(),
            )
        ),
        Block(r.say("doc_done", done=c.done, on_time=c.done_on_time, late=c.done_late), BULLET),
        Block(
            r.say("doc_not_done", not_done=c.not_done, in_time=c.in_time, overdue=c.overdue),
            BULLET,
        ),
        Block(r.say("doc_no_report", n=c.no_report), BULLET),
        Block(_rates(r, c), BULLET),
    ]
    if len(data.tasks) > 1:
        by_task: defaultdict[int, list[Line]] = defaultdict(list)
        for ln in data.lines:
            by_task[ln.task_id].append(ln)
        blocks.append(Block(r.say("doc_each_task")))
        blocks += [
            Block(_task_line(r, data, task_id, by_task[task_id]), BULLET)
            for task_id in _task_order(data)
        ]
    return blocks


def _rates(r: _Reader, c: Counts) -> str:
    """Return the completion and on-time rates over what is due."""
    if not c.due:
        return r.say("doc_rates_none")
    return r.say(
        "doc_rates",
        done=c.done,
        on_time=c.done_on_time,
        due=c.due,
        rate=format_percent(c.done, c.due, r.lang),
        on_time_rate=format_percent(c.done_on_time, c.due, r.lang),
    )


def _task_line(r: _Reader, data: xq.ExportData, task_id: int, lines: list[Line]) -> str:
    """Return one task's counts in the taxonomy, from its lines."""
    task = data.tasks[task_id]
    c = count([(r.statuses[ln.assignment_id], ln.state) for ln in lines])
    closed = " " + r.say("doc_task_closed") if task.closed else ""  # as /summary says it
    counts = r.say(
        "doc_task_counts",
        title=task.title,
        deadline=_deadline(r, task.deadline, task.due),
        done=c.done,
        total=c.total,
        on_time=c.done_on_time,
        late=c.done_late,
        not_done=c.not_done,
        in_time=c.in_time,
        overdue=c.overdue,
        no_report=c.no_report,
    )
    return counts + closed


def _blockers(r: _Reader, data: xq.ExportData, many: bool) -> list[Block]:
    """Return the blockers the units reported (still blocked), by unit."""
    blocks = [Block(r.say("doc_blockers_head"), HEADING)]
    by_id = {ln.assignment_id: ln for ln in data.lines}
    found = sorted(
        (by_id[aid] for aid in data.blockers if aid in by_id),
        key=lambda ln: r.order[ln.assignment_id],
    )
    for ln in found:
        task = r.say("doc_of_task", title=data.tasks[ln.task_id].title) if many else ""
        reason = list_item(data.blockers[ln.assignment_id])  # the list's ";" ends it
        blocks.append(
            Block(r.say("doc_blocker", unit=ln.unit_name, task=task, reason=reason), BULLET)
        )
    if not found:
        blocks.append(Block(r.say("doc_blockers_none")))
    return blocks


def _extensions(r: _Reader, data: xq.ExportData, many: bool) -> list[Block]:
    """Return the extensions granted: units whose deadline is no longer the original one."""
    blocks = [Block(r.say("doc_extensions_head"), HEADING)]
    found = sorted(
        (ln for ln in data.lines if ln.deadline != ln.original_deadline),
        key=lambda ln: r.order[ln.assignment_id],
    )
    for ln in found[:BODY_LIST_MAX]:
        task = r.say("doc_of_task", title=data.tasks[ln.task_id].title) if many else ""
        # The day in force, as the appendix's deadline column gives it: a day granted that is
        # a day off is met on the next working day, and said beside it.
        due = _in_force(ln.deadline, ln.due_at, r.tz)
        blocks.append(
            Block(
                r.say(
                    "doc_extension" if due <= ln.deadline else "doc_extension_rolled",
                    unit=ln.unit_name,
                    task=task,
                    deadline=ln.deadline,
                    due=due,
                    original=ln.original_deadline,
                ),
                BULLET,
            )
        )
    blocks += _more(r, len(found))
    if not found:
        blocks.append(Block(r.say("doc_extensions_none")))
    return blocks


def _more(r: _Reader, listed: int) -> list[Block]:
    """Return the line that sends the reader to the appendix when a list was cut."""
    if listed <= BODY_LIST_MAX:
        return []
    return [Block(r.say("doc_more", n=listed - BODY_LIST_MAX), BULLET)]


def _task_order(data: xq.ExportData) -> list[int]:
    """Return the tasks by deadline in force, as stored, then title (`in_force_order`)."""
    return sorted(data.tasks, key=lambda tid: task_order(data.tasks[tid]))


# An appendix sorts tens of thousands of rows by the day in force, among a few deadlines.
_in_force = lru_cache(maxsize=4096)(effective_deadline)


def _unit_key(data: xq.ExportData, ln: Line, tz: tzinfo) -> tuple[object, ...]:
    """Return the appendix's order: unit in Vietnamese alphabetical order, then its tasks by
    the deadline in force the row shows (the unit's own, extended or rolled off a day off)."""
    due = _in_force(ln.deadline, ln.due_at, tz)
    title = data.tasks[ln.task_id].title
    return (
        vi_sort_key(ln.unit_name),
        ln.unit_id,
        *in_force_order(due, ln.deadline, title, ln.task_id),
    )


def _appendix(r: _Reader, data: xq.ExportData) -> Iterator[Sequence[str]]:
    """Return the appendix rows: every unit, its status, date done or days overdue, evidence;
    made as they are read (the Word file takes them one by one, `report_docx._spliced`)."""
    t, tz = remembered(r.t), r.tz  # a status's label, a note's words: composed once each
    labels = {tid: f"#{task.task_id} {task.title}" for tid, task in data.tasks.items()}
    dates = lru_cache(maxsize=4096)(format_date)
    order = sorted(data.lines, key=lambda x: r.order[x.assignment_id])
    for n, ln in enumerate(order, start=1):
        state = r.statuses[ln.assignment_id]
        done = state.status.done and ln.done_at is not None
        done_on = dates(ln.done_at.astimezone(tz).date()) if done and ln.done_at else ""
        never = state.never_reported and not state.status.done
        kept = ln.assignment_id in data.documents or ln.assignment_id in data.files
        yield (
            str(n),
            ln.unit_name,
            labels[ln.task_id],
            data.tasks[ln.task_id].directive,
            dates(_in_force(ln.deadline, ln.due_at, tz)),  # noted if rolled
            done_on,
            status_label(t, state.status),
            str(state.days_overdue) if state.days_overdue else "",
            (evidence_text(data, ln, t) or "") if kept else "",
            notes_text(data, ln, t, never, tz) or "",
        )
