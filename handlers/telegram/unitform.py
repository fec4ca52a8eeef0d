"""/addunit: one line (`code | name | kind [| parent] [| groups]`) or a guided form.

The guided form is a ConversationHandler shaped like PTB's conversationbot: one state per
field, each answer checked before the next question, /cancel always works. Every field
can be typed (a second channel has no buttons), and the unit is saved through the same
checks as a file import.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from app.import_report import reason_text
from core.markup import Markup
from core.roles import Access
from core.spreadsheet import ImportReport
from core.textnorm import fold
from core.units import parse_unit_line
from db.imports.units import MAX_CODE, MAX_NAME, save_unit
from db.models import Unit, UnitKind
from db.queries.units import find_kind, find_units
from handlers.telegram.access import Request, command

CODE, NAME, KIND, PARENT, GROUPS = range(5)
FORM_KEY = "unit_form"
NONE_WORDS = {"-", "khong", "no", "none"}
FORM_TIMEOUT_S = 900  # an abandoned form must not swallow the admin's later messages


def _form(req: Request) -> dict[str, str]:
    """Return the form being filled in by the sender."""
    data: dict[str, Any] = req.context.user_data if req.context.user_data is not None else {}
    form: dict[str, str] = data.setdefault(FORM_KEY, {})
    return form


def _text(req: Request) -> str:
    """Return the text the sender typed."""
    return (req.message.text or "").strip() if req.message is not None else ""


async def _code_exists(req: Request, code: str) -> bool:
    """Tell whether a unit (active or not) already has this code."""
    query = select(Unit).where(Unit.code_folded == fold(code))
    return await req.transaction(lambda session: session.exec(query).first() is not None)


@command(Access.ADMIN)
async def addunit_command(req: Request) -> int:
    """Add a unit from one line, or start the guided form when there are no arguments."""
    if not req.text_args:
        _form(req).clear()
        await req.say("units.form_code")
        return CODE
    cells = parse_unit_line(req.text_args)
    if cells is None:
        await req.say("units.add_usage")
    elif await _code_exists(req, cells["code"]):
        await req.say("units.exists", code=cells["code"])
    else:
        await save_and_answer(req, cells)
    return ConversationHandler.END


async def save_and_answer(req: Request, cells: dict[str, str]) -> None:
    """Save a new unit and tell the admin what happened."""
    report = await req.transaction(
        lambda session: save_unit(
            session,
            cells,
            actor_id=req.actor.contact_id,
            now=req.services.clock.now(),
            action="unit.added",
        )
    )
    await req.reply(outcome_text(req, report, cells))


def outcome_text(req: Request, report: ImportReport, cells: dict[str, str]) -> str:
    """Return what saving one unit did, in words."""
    if report.rejected:
        reason = reason_text(req.services.catalog, req.actor.lang, report.rejected[0])
        return req.t("units.not_saved", reason=Markup(reason))
    key = (
        "units.added" if report.added else "units.updated" if report.updated else "units.unchanged"
    )
    return req.t(key, name=cells["name"], code=cells["code"])


@command(Access.ADMIN)
async def code_step(req: Request) -> int:
    """Take the new unit's code."""
    code = _text(req)
    if not code or len(code) > MAX_CODE or "|" in code:
        await req.say("units.form_code")
        return CODE
    if await _code_exists(req, code):
        await req.say("units.exists", code=code)
        return CODE
    _form(req)["code"] = code
    await req.say("units.form_name")
    return NAME


@command(Access.ADMIN)
async def name_step(req: Request) -> int:
    """Take the unit's name."""
    name = _text(req)
    if not name or len(name) > MAX_NAME:
        await req.say("units.form_name")
        return NAME
    _form(req)["name"] = name
    await req.say("units.form_kind", kinds=await _kind_list(req))
    return KIND


async def _kind_list(req: Request) -> str:
    """Return the kinds an admin can type, in the sender's language."""
    kinds = await req.transaction(
        lambda session: session.exec(select(UnitKind).order_by(col(UnitKind.sort_order))).all()
    )
    return ", ".join(k.name_en if req.actor.lang == "en" else k.name_vi for k in kinds)


@command(Access.ADMIN)
async def kind_step(req: Request) -> int:
    """Take the unit's kind (a key, a name or a Vietnamese alias)."""
    kind = await req.transaction(lambda session: find_kind(session, text=_text(req)))
    if kind is None:
        await req.say("units.form_kind", kinds=await _kind_list(req))
        return KIND
    _form(req)["kind"] = kind.key
    await req.say("units.form_parent")
    return PARENT


@command(Access.ADMIN)
async def parent_step(req: Request) -> int:
    """Take the parent unit (a code or name), or none."""
    text = _text(req)
    if fold(text) in NONE_WORDS:
        _form(req)["parent_code"] = ""
    else:
        units = await req.transaction(lambda session: find_units(session, text=text))
        if len(units) != 1:
            names = "; ".join(f"{u.name} ({u.code})" for u in units[:10])
            key = "units.form_parent_ambiguous" if units else "units.not_found"
            await req.say(key, text=text, names=names) if units else await req.say(key, text=text)
            return PARENT
        _form(req)["parent_code"] = units[0].code
    await req.say("units.form_groups")
    return GROUPS


@command(Access.ADMIN)
async def groups_step(req: Request) -> int:
    """Take the groups, then save the unit."""
    text = _text(req)
    groups = "" if fold(text) in NONE_WORDS else text.replace(",", ";")
    cells = {**_form(req), "groups": groups}
    _form(req).clear()
    await save_and_answer(req, cells)
    return ConversationHandler.END


@command(Access.ADMIN)
async def cancel(req: Request) -> int:
    """Abandon the form."""
    _form(req).clear()
    await req.say("common.cancelled")
    return ConversationHandler.END


def addunit_conversation() -> ConversationHandler[Any]:
    """Return the /addunit conversation (registered early, before plain commands)."""
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("addunit", addunit_command)],
        states={
            CODE: [MessageHandler(text, code_step)],
            NAME: [MessageHandler(text, name_step)],
            KIND: [MessageHandler(text, kind_step)],
            PARENT: [MessageHandler(text, parent_step)],
            GROUPS: [MessageHandler(text, groups_step)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name="addunit",
        conversation_timeout=FORM_TIMEOUT_S,
    )
