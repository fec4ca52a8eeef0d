"""/recurring: rules that create a task per occurrence ahead of time (monthly reports, ...).

`/recurring` lists the rules; `/recurring add <title> | <rule> | <units> [| <directive>]`
defines one (rule: `monthly:20`, `quarterly:15`, `weekly:fri`, or 'hàng tháng 20' ...) and
creates its first tasks at once; `/recurring stop <number>` stops one (its tasks stay).
The daily job (scheduler.recurring) creates the later occurrences.
"""

from __future__ import annotations

from sqlmodel import Session

from app.import_report import chunks
from core.directives import DirectiveDraft, parse_directive_line
from core.markup import Markup
from core.recurrence import Frequency, Rule, parse_rule
from core.roles import Access
from core.taskdraft import MAX_TITLE
from db.models import Task
from db.queries.assignees import resolve_assignees
from db.queries.calendar import working_calendar
from db.queries.directives import ensure_directive
from db.queries.recurring import create_rule, generate, rules, stop_rule
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec, Flow
from handlers.telegram.taskcommon import unmatched_lines

ADD_WORDS = frozenset({"add", "them", "thêm", "new"})
STOP_WORDS = frozenset({"stop", "dung", "dừng", "off", "remove"})


@command(Access.ADMIN)
async def recurring(req: Request) -> None:
    """List, add or stop recurring rules."""
    verb, _, rest = req.text_args.partition(" ")
    if not verb:
        await _list(req)
    elif verb.casefold() in ADD_WORDS:
        await _add(req, rest)
    elif verb.casefold() in STOP_WORDS and rest.strip().lstrip("R").isdigit():
        await _stop(req, int(rest.strip().lstrip("R")))
    else:
        await req.say("recurring.usage")


def rule_text(req: Request, stored: str) -> str:
    """Word a stored rule: 'hằng tháng, ngày 20'."""
    rule = parse_rule(stored)
    if rule is None:
        return stored
    if rule.frequency == Frequency.WEEKLY:
        return req.t("recurring.rule_weekly", weekday=req.t(f"calendar.wd_{rule.day}"))
    return req.t(f"recurring.rule_{rule.frequency.value}", day=rule.day)


async def _list(req: Request) -> None:
    """Send every active rule (in several messages when long)."""
    rows = await req.transaction(lambda session: rules(session))
    if not rows:
        await req.say("recurring.empty")
        return
    lines = [req.t("recurring.header", count=len(rows))]
    for row in rows:
        lines.append(
            req.t(
                "recurring.line",
                id=row.id or 0,
                title=row.title,
                rule=rule_text(req, row.rule),
                assignees=row.assignees,
                ahead=row.create_ahead_days,
            )
        )
    for text in chunks(lines):
        await req.reply(text)


async def _add(req: Request, text: str) -> None:
    """Check and store a rule, then create its occurrences due within its horizon."""
    parts = [" ".join(p.split()) for p in text.split("|")]
    if len(parts) < 3 or not all(parts[:3]):
        await req.say("recurring.usage")
        return
    title, typed_rule, spec = parts[:3]
    rule = parse_rule(typed_rule)
    directive = parse_directive_line(" | ".join(parts[3:])) if len(parts) > 3 else None
    if len(title) > MAX_TITLE - 20:  # room for the occurrence's period, e.g. ' (Q4/2026)'
        await req.say("newtask.title_too_long", limit=MAX_TITLE - 20)
        return
    if rule is None:
        await req.say("recurring.bad_rule", text=typed_rule)
        return
    if isinstance(directive, str):
        await req.say(f"newtask.directive_{directive}")
        return
    resolution = await req.transaction(
        lambda session: resolve_assignees(session, spec, lang=req.actor.lang)
    )
    if not resolution.ok:
        problems = unmatched_lines(req, resolution) or [req.t("newtask.none_chosen")]
        await req.reply("\n".join(problems))
        return
    await _create(req, title, rule, spec, directive, len(resolution.unit_ids))


async def _create(
    req: Request, title: str, rule: Rule, spec: str, directive: DirectiveDraft | None, units: int
) -> None:
    """Store the rule (and a new directive) and create its first tasks; audited."""
    actor = req.actor.contact_id
    today, tz = req.services.today(), req.services.settings.tz

    def store(session: Session) -> tuple[list[Task], int]:
        directive_id = None
        if directive is not None:
            directive_id = ensure_directive(session, draft=directive, actor_id=actor).id
        row = create_rule(
            session,
            title=title,
            rule=rule,
            assignees=spec,
            actor_id=actor,
            directive_id=directive_id,
        )
        created = generate(session, today=today, tz=tz, calendar=working_calendar(session))
        return [t for t in created if t.recurring_id == row.id], row.id or 0

    mine, row_id = await req.transaction(store)
    made = ", ".join(req.t("recurring.made", id=t.id or 0, deadline=t.deadline) for t in mine)
    await req.say(
        "recurring.added",
        id=row_id,
        title=title,
        rule=rule_text(req, str(rule)),
        units=units,
        made=Markup(made or "-"),
    )


async def _stop(req: Request, rule_id: int) -> None:
    """Stop a rule; the tasks it created stay."""
    row = await req.transaction(
        lambda session: stop_rule(session, rule_id=rule_id, actor_id=req.actor.contact_id)
    )
    if row is None:
        await req.say("recurring.not_found", id=rule_id)
    else:
        await req.say("recurring.stopped", id=rule_id, title=row.title)


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="recurring",
        commands=(CommandSpec("recurring", Access.ADMIN, recurring, "recurring.cmd_recurring"),),
    )
