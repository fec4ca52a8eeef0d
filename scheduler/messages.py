"""Compose reminder messages: one per contact a day, listing everything due for them.

A message is split only when it would exceed Telegram's limits: 4096 characters, and a
keyboard kept to MAX_ITEMS items (four status buttons each) so it stays usable on a phone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

from app.choices import Rows, status_choices
from app.due_words import reminder_footer, said_deadline
from app.i18n import Catalog
from core.calendar import WorkingCalendar
from core.markup import Markup
from core.textnorm import vi_sort_key
from db.queries.recipients import Recipient

MAX_CHARS = 4096
MAX_ITEMS = 8
MAX_LIST_LINES = 40
PROGRESS_STATES = ("in_progress", "blocked")


@dataclass(frozen=True)
class Item:
    """One assignment in a reminder, with what the contact should be told about it."""

    assignment_id: int
    task_id: int
    title: str
    directive: str | None
    unit_id: int
    unit: str
    deadline: date
    kind: str  # assigned | before | due | overdue | nudge
    seq: int
    escalate: bool
    days_left: int  # working days until the deadline day
    days_overdue: int  # calendar days past the deadline
    late_from: date | None = None  # the day this reminder was due, when sent late
    created_at: datetime | None = None  # when the unit was assigned the task
    reported: bool = False  # the unit has reported on it (so it is not news to them)
    due: date | None = None  # the day due in effect, when a day off rolls the deadline
    state: str | None = None  # what the unit last reported (in_progress, blocked), if any
    percent: int | None = None  # the share done it last reported
    reported_on: date | None = None  # the day of that report


@dataclass(frozen=True)
class Part:
    """One message to queue: its text, its choices and the assignments it is about."""

    text: str
    choices: Rows
    assignment_ids: list[int]
    recipe: dict[str, Any]  # what composed it (JSON), to compose it again with fewer items


def compose(
    items: Sequence[Item],
    to: Recipient,
    *,
    catalog: Catalog,
    day: date,
    header_key: str = "reminders.header",
    previous: datetime | None = None,
) -> list[Part]:
    """Return the messages that tell the recipient about the items, split only if needed.

    `previous` is when the recipient was last reminded: an item is new to them when it was
    assigned since (or, for a first reminder, when it is the assignment notice), unless
    their unit has already reported on it.
    """
    return _compose(
        items, to.language, catalog=catalog, day=day, header_key=header_key, previous=previous
    )


def recompose(recipe: dict[str, Any], keep: set[int], *, catalog: Catalog) -> Part | None:
    """Compose a queued message again with only the items of `keep` (assignment ids).

    The sender calls this when some of what a reminder lists is no longer to chase (reported
    done, closed, cancelled) between queuing and sending: the rest is said exactly as
    `compose` says it. None when nothing is kept or the recipe is not one of ours.
    """
    try:
        items = [_item_of(i) for i in recipe["items"] if i["assignment_id"] in keep]
        previous = recipe.get("previous")
        parts = _compose(
            items,
            str(recipe["lang"]),
            catalog=catalog,
            day=date.fromisoformat(recipe["day"]),
            header_key=str(recipe["header_key"]),
            previous=datetime.fromisoformat(previous) if previous else None,
            numbered=tuple(recipe["part"]) if recipe.get("part") else None,
        )
    except (KeyError, TypeError, ValueError):
        return None
    return parts[0] if len(parts) == 1 and items else None


def said_deadlines(payload: dict[str, Any]) -> dict[int, date]:
    """Return the deadline a queued message gives each assignment, by its recipe (none for a
    message queued without one)."""
    recipe = payload.get("recipe")
    try:
        items = recipe["items"] if isinstance(recipe, dict) else []
        return {int(i["assignment_id"]): date.fromisoformat(i["deadline"]) for i in items}
    except (KeyError, TypeError, ValueError):
        return {}


def redated(recipe: dict[str, Any], day: date, calendar: WorkingCalendar) -> dict[str, Any] | None:
    """Return the recipe worded as of `day`: each item's working days left and days overdue
    counted on it (a nudge held from one day to the next office moment is read then). None
    when the recipe is not one of ours."""
    try:
        items = [_item_of(i) for i in recipe["items"]]
    except (KeyError, TypeError, ValueError):
        return None
    moved = [
        replace(
            item,
            days_left=max(
                0, calendar.working_days_between(day, calendar.roll_forward(item.deadline)[0])
            ),
            days_overdue=max(0, (day - calendar.roll_forward(item.deadline)[0]).days),
            late_from=None,
            due=calendar.roll_forward(item.deadline)[0],
        )
        for item in items
    ]
    return {**recipe, "day": day.isoformat(), "items": [_json_of(item) for item in moved]}


def _compose(
    items: Sequence[Item],
    lang: str,
    *,
    catalog: Catalog,
    day: date,
    header_key: str,
    previous: datetime | None,
    numbered: tuple[int, int] | None = None,
) -> list[Part]:
    """Compose the messages (see `compose`); `numbered` keeps a part's "(part 2 of 3)"."""
    items = sorted(items, key=lambda i: (i.deadline, i.task_id, vi_sort_key(i.unit)))
    units = {i.unit_id for i in items}
    header = catalog.get(lang, header_key, day=day)
    if len(units) == 1:
        header += "\n" + catalog.get(lang, "reminders.header_unit", unit=items[0].unit)
    # Its length only: each part's footer gives an example date after its first deadline.
    footer = reminder_footer(catalog, lang, due=day, today=day)
    groups: list[list[tuple[Item, str]]] = [[]]
    size = len(header) + len(footer) + 40
    for n, item in enumerate(items, 1):
        new = _is_new(item, previous)
        block = _item_text(item, n, catalog, lang, with_unit=len(units) > 1, new=new)
        current = groups[-1]
        if current and (len(current) >= MAX_ITEMS or size + len(block) + 2 > MAX_CHARS):
            groups.append([])
            size = len(header) + len(footer) + 40
        groups[-1].append((item, block))
        size += len(block) + 2
    labelled = len(items) > 1
    # A task given to two of the recipient's units shows twice: its buttons name the unit.
    twice = {task for task, n in Counter(i.task_id for i in items).items() if n > 1}
    parts = []
    for index, group in enumerate(groups, 1):
        head = header
        part = (index, len(groups)) if len(groups) > 1 else numbered
        if part is not None:
            head += " " + catalog.get(lang, "reminders.part", n=part[0], total=part[1])
        first = group[0][0]
        ending = reminder_footer(catalog, lang, due=first.due or first.deadline, today=day)
        text = "\n\n".join([head, *(block for _, block in group), ending])
        rows = [
            row
            for item, _ in group
            for row in status_choices(
                catalog, lang, item.assignment_id, label=_label(item, labelled, twice)
            )
        ]
        recipe = {
            "lang": lang,
            "day": day.isoformat(),
            "header_key": header_key,
            "previous": previous.isoformat() if previous else None,
            "part": list(part) if part else None,
            "items": [_json_of(item) for item, _ in group],
        }
        parts.append(Part(text, rows, [item.assignment_id for item, _ in group], recipe))
    return parts


_DATES = ("deadline", "late_from", "due", "reported_on")
_MOMENTS = ("created_at",)


def _json_of(item: Item) -> dict[str, Any]:
    """Return an item as JSON values (dates in ISO form)."""
    data = asdict(item)
    for name in (*_DATES, *_MOMENTS):
        value = data[name]
        data[name] = value.isoformat() if value is not None else None
    return data


def _item_of(data: dict[str, Any]) -> Item:
    """Return the item `_json_of` wrote."""
    values = dict(data)
    for name in _DATES:
        values[name] = date.fromisoformat(values[name]) if values.get(name) else None
    for name in _MOMENTS:
        values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
    return Item(**values)


def _label(item: Item, labelled: bool, twice: set[int]) -> str:
    """Return what an item's buttons start with: "#12", or "#12 <unit>" for a task shown
    for two units, or nothing when the message is about one item."""
    if not labelled:
        return ""
    return f"#{item.task_id} {item.unit}" if item.task_id in twice else f"#{item.task_id}"


def _is_new(item: Item, previous: datetime | None) -> bool:
    """Return whether the item is news to someone last reminded at `previous`."""
    if item.reported or item.kind == "nudge":
        return False
    if previous is None or item.created_at is None:
        return item.kind == "assigned"
    return item.created_at > previous


def _item_text(
    item: Item, n: int, catalog: Catalog, lang: str, *, with_unit: bool, new: bool
) -> str:
    """Return one item's lines."""
    directive = (
        catalog.get(lang, "reminders.directive", number=item.directive) if item.directive else ""
    )
    text = catalog.get(
        lang,
        "reminders.item_unit" if with_unit else "reminders.item",
        n=n,
        task=Markup(str(item.task_id)),
        title=item.title,
        unit=item.unit,
        status=Markup(_status(item, catalog, lang, new=new)),
        deadline=Markup(said_deadline(catalog, lang, item.deadline, item.due)),
        directive=Markup(directive),
    )
    if (said := _progress(item, catalog, lang)) is not None:
        text += "\n" + said
    if item.escalate:
        text += "\n" + catalog.get(lang, "reminders.escalated")
    if item.late_from is not None:
        text += "\n" + catalog.get(lang, "reminders.late", day=item.late_from)
    return text


def _progress(item: Item, catalog: Catalog, lang: str) -> str | None:
    """Return the line saying what the unit last reported (in progress, blocked) and when,
    or None when it reported no such thing: the official sees what the province has on
    record, and whether to say more."""
    if item.state not in PROGRESS_STATES or item.reported_on is None:
        return None
    if item.state == "in_progress" and item.percent is not None:
        state = catalog.get(lang, "checkin.state_in_progress_pct", percent=item.percent)
    else:
        state = catalog.get(lang, f"checkin.state_{item.state}")
    return catalog.get(lang, "reminders.reported", state=state, day=item.reported_on)


def _status(item: Item, catalog: Catalog, lang: str, *, new: bool) -> str:
    """Return the line that says how far the item is from its deadline (and if it is new)."""
    if item.days_overdue > 0:
        if new:
            return catalog.get(lang, "reminders.status_assigned_overdue", days=item.days_overdue)
        if item.seq == 0:
            return catalog.get(lang, "reminders.status_overdue_plain", days=item.days_overdue)
        return catalog.get(lang, "reminders.status_overdue", days=item.days_overdue, seq=item.seq)
    if item.days_left <= 0:
        key = "reminders.status_assigned_today" if new else "reminders.status_due"
        return catalog.get(lang, key)
    key = "reminders.status_assigned" if new else "reminders.status_before"
    return catalog.get(lang, key, days=item.days_left)


def escalation_list(
    items: Sequence[Item],
    *,
    lang: str,
    catalog: Catalog,
    day: date,
    times: int,
    hidden: int = 0,
) -> str:
    """Return the coordinators' list of overdue units, grouped by task.

    `hidden` counts the lines of further units (and their tasks) that sort after `items`
    and were not kept, as a country's list is cut long before them anyway.
    """
    by_task: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        by_task[item.task_id].append(item)
    # A unit nobody can be written to is listed by its days overdue, with no count
    # (`core.reminders.Occasion.counted`): then the header counts nothing either.
    if times:
        lines = [catalog.get(lang, "reminders.escalation_header", times=times, day=day)]
    else:
        lines = [catalog.get(lang, "reminders.escalation_header_plain", day=day)]
    for task_items in sorted(by_task.values(), key=lambda group: group[0].task_id):
        first = task_items[0]
        lines.append(
            catalog.get(
                lang,
                "reminders.escalation_task",
                task=Markup(str(first.task_id)),
                title=first.title,
                deadline=Markup(said_deadline(catalog, lang, first.deadline, first.due)),
            )
        )
        lines += [
            catalog.get(
                lang,
                "reminders.escalation_unit" if i.seq else "reminders.escalation_unit_unreached",
                unit=i.unit,
                days=i.days_overdue,
                seq=i.seq,
            )
            for i in sorted(task_items, key=lambda i: vi_sort_key(i.unit))
        ]
    return _capped(lines, catalog, lang, hidden=hidden)


def late_list(
    missed: Sequence[tuple[Item, list[date]]],
    *,
    lang: str,
    catalog: Catalog,
    day: date,
    hidden: int = 0,
) -> str:
    """Return the coordinators' list of reminders missed and folded into today's.

    `hidden` counts further missed reminders that sort after `missed` and were not kept.
    """
    lines = [catalog.get(lang, "reminders.late_header", day=day)]
    for item, days in sorted(
        missed, key=lambda pair: (pair[0].task_id, vi_sort_key(pair[0].unit))
    ):
        shown = ", ".join(d.strftime("%d/%m") for d in days)
        lines.append(
            catalog.get(
                lang,
                "reminders.late_line",
                task=Markup(str(item.task_id)),
                title=item.title,
                unit=item.unit,
                days=shown,
            )
        )
    return _capped(lines, catalog, lang, hidden=hidden)


def _capped(lines: list[str], catalog: Catalog, lang: str, *, hidden: int = 0) -> str:
    """Join lines, keeping the message well under Telegram's length limit.

    `hidden` more lines follow `lines` without being given; they are counted as not shown.
    """
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        if index > MAX_LIST_LINES or size + len(line) > MAX_CHARS - 200:
            kept.append(catalog.get(lang, "reminders.more", count=len(lines) + hidden - index))
            return "\n".join(kept)
        kept.append(line)
        size += len(line) + 1
    if hidden:
        kept.append(catalog.get(lang, "reminders.more", count=hidden))
    return "\n".join(kept)
