"""Recurring rules typed by an admin (/recurring on any channel): list, add, stop.

`add <title> | <rule> | <units> [| <directive>]` checks each part, stores the rule (and a
new directive), and creates its occurrences due within its horizon at once; the daily job
(scheduler.recurring) creates the later ones. `stop <number>` stops a rule; its tasks stay.
Each returns what to say, from the catalogs.
"""

from __future__ import annotations

from functools import partial

from app.import_report import chunks
from app.newtask import title_refusal
from app.services import Services
from core.directives import parse_directive_line
from core.markup import Markup
from core.numbers import typed_number
from core.recurrence import Frequency, parse_rule
from core.taskdraft import MAX_TITLE
from db.engine import session_scope
from db.models import Task
from db.queries.assignees import lasting_spec, resolve_assignees, spec_shown
from db.queries.calendar import working_calendar
from db.queries.directives import ensure_directive
from db.queries.recurring import create_rule, generate, rules, same_rule, stop_rule

ADD_WORDS = frozenset({"add", "them", "thêm", "new"})
STOP_WORDS = frozenset({"stop", "dung", "dừng", "off", "remove"})
PERIOD_ROOM = 20  # a title leaves room for its occurrence's period, e.g. ' (Q4/2026)'


def command(services: Services, lang: str, actor_id: int, args: str) -> list[str]:
    """Answer `/recurring [add … | stop N]`: the messages to send."""
    verb, _, rest = args.strip().partition(" ")
    number = typed_number(rest.strip().lstrip("R"))
    if not verb:
        return listed(services, lang)
    if verb.casefold() in ADD_WORDS:
        return [add(services, lang, actor_id, rest)]
    if verb.casefold() in STOP_WORDS and number is not None:
        return [stop(services, lang, actor_id, number)]
    return [services.catalog.get(lang, "recurring.usage")]


def rule_text(services: Services, lang: str, stored: str) -> str:
    """Word a stored rule: 'hằng tháng, ngày 20'."""
    t = partial(services.catalog.get, lang)
    rule = parse_rule(stored)
    if rule is None:
        return stored
    if rule.frequency == Frequency.WEEKLY:
        return t("recurring.rule_weekly", weekday=t(f"calendar.wd_{rule.day}"))
    return t(f"recurring.rule_{rule.frequency.value}", day=rule.day)


def listed(services: Services, lang: str) -> list[str]:
    """Return every active rule, in as many messages as it takes."""
    t = partial(services.catalog.get, lang)
    with session_scope(services.engine) as session:
        rows = rules(session)
        lines = [t("recurring.header", count=len(rows))]
        for row in rows:
            line = t(
                "recurring.line",
                id=row.id or 0,
                title=row.title,
                rule=rule_text(services, lang, row.rule),
                assignees=spec_shown(session, row.assignees),
                ahead=row.create_ahead_days,
            )
            # Its units all deactivated (merged communes): it would make nothing, unsaid.
            if not resolve_assignees(session, row.assignees, lang=lang).unit_ids:
                line += "\n" + t("recurring.names_no_unit", id=row.id or 0)
            lines.append(line)
    return chunks(lines) if rows else [t("recurring.empty")]


def add(services: Services, lang: str, actor_id: int, text: str) -> str:
    """Check and store a rule, then create its occurrences due within its horizon."""
    t = partial(services.catalog.get, lang)
    parts = [" ".join(p.split()) for p in text.split("|")]
    if len(parts) < 3 or not all(parts[:3]):
        return t("recurring.usage")
    title, typed_rule, spec = parts[:3]
    rule = parse_rule(typed_rule)
    directive = parse_directive_line(" | ".join(parts[3:])) if len(parts) > 3 else None
    if len(title) > MAX_TITLE - PERIOD_ROOM:
        return t("newtask.title_too_long", limit=MAX_TITLE - PERIOD_ROOM)
    refused = title_refusal(services, lang, title)
    if refused is not None:
        return refused.text
    if rule is None:
        return t("recurring.bad_rule", text=typed_rule)
    if isinstance(directive, str):
        return t(f"newtask.directive_{directive}")
    with session_scope(services.engine) as session:
        resolution = resolve_assignees(session, spec, lang=lang)
        if not resolution.ok:
            problems = [
                t(f"tasks.unmatched_{u.reason}", text=u.text, candidates=", ".join(u.candidates))
                for u in resolution.unmatched
            ]
            return "\n".join(problems) or t("newtask.none_chosen")
        twin = same_rule(session, title=title, rule=rule, unit_ids=resolution.unit_ids)
        if twin is not None:
            row, count = twin
            said = rule_text(services, lang, row.rule)
            return t(
                "recurring.same_rule", id=row.id or 0, title=row.title, rule=said, count=count
            )
        directive_id = None
        if directive is not None:
            directive_id = ensure_directive(session, draft=directive, actor_id=actor_id).id
        row = create_rule(
            session,
            title=title,
            rule=rule,
            assignees=lasting_spec(session, spec, lang=lang),
            actor_id=actor_id,
            directive_id=directive_id,
        )
        created = generate(
            session,
            today=services.today(),
            tz=services.settings.tz,
            calendar=working_calendar(session),
        )
        mine: list[Task] = [task for task in created if task.recurring_id == row.id]
        made = ", ".join(t("recurring.made", id=m.id or 0, deadline=m.deadline) for m in mine)
        row_id = row.id or 0
    return t(
        "recurring.added",
        id=row_id,
        title=title,
        rule=rule_text(services, lang, str(rule)),
        units=len(resolution.unit_ids),
        made=Markup(made or "-"),
    )


def stop(services: Services, lang: str, actor_id: int, rule_id: int) -> str:
    """Stop a rule; the tasks it created stay."""
    with session_scope(services.engine) as session:
        row = stop_rule(session, rule_id=rule_id, actor_id=actor_id)
        title = row.title if row is not None else ""
    if row is None:
        return services.catalog.get(lang, "recurring.not_found", id=rule_id)
    return services.catalog.get(lang, "recurring.stopped", id=rule_id, title=title)
