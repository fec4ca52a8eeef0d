"""/addunit: one line (`code | name | kind [| parent] [| groups]`) or a guided form.

The guided form is a ConversationHandler shaped like PTB's conversationbot: one state per
field, each answer checked before the next question, /cancel always works. Every field
can be typed (a second channel has no buttons); the checks and the saving (the same as a
file import's) are `app/unit_form.py`'s, which Zalo's form uses too.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from app import unit_form
from core.roles import Access
from handlers.telegram.access import Request, command
from handlers.telegram.registry import NEW_MESSAGES
from scheduler.workers import in_worker

CODE, NAME, KIND, PARENT, GROUPS = range(5)
STEPS = dict(zip(unit_form.FIELDS, (CODE, NAME, KIND, PARENT, GROUPS), strict=True))
FORM_KEY = "unit_form"
FORM_TIMEOUT_S = 900  # an abandoned form must not swallow the admin's later messages


def _form(req: Request) -> dict[str, str]:
    """Return the form being filled in by the sender."""
    data: dict[str, Any] = req.context.user_data if req.context.user_data is not None else {}
    form: dict[str, str] = data.setdefault(FORM_KEY, {})
    return form


def _text(req: Request) -> str:
    """Return the text the sender typed."""
    return (req.message.text or "").strip() if req.message is not None else ""


@command(Access.ADMIN)
async def addunit_command(req: Request) -> int:
    """Add a unit from one line, or start the guided form when there are no arguments."""
    if not req.text_args:
        _form(req).clear()
        await req.say("units.form_code")
        return CODE
    lang = req.actor.lang
    cells = await in_worker(unit_form.from_line, req.services, lang, req.text_args)
    if isinstance(cells, unit_form.Refusal):
        await req.reply(cells.text)
    else:
        await _save(req, cells)
    return ConversationHandler.END


async def _save(req: Request, cells: dict[str, str]) -> None:
    """Save a new unit and tell the admin what happened."""
    actor = req.actor
    await req.reply(
        await in_worker(unit_form.save, req.services, actor.lang, actor.contact_id, cells)
    )


async def _step(req: Request, field: str) -> int:
    """Take one field; ask the next (or save after the last), or the same one again."""
    lang = req.actor.lang
    taken = await in_worker(unit_form.take, req.services, lang, field, _text(req))
    if isinstance(taken, unit_form.Refusal):
        await req.reply(taken.text)
        return STEPS[field]
    _form(req)[field] = taken
    following = unit_form.FIELDS.index(field) + 1
    if following == len(unit_form.FIELDS):
        cells = dict(_form(req))
        _form(req).clear()
        await _save(req, cells)
        return ConversationHandler.END
    next_field = unit_form.FIELDS[following]
    await req.reply(await in_worker(unit_form.ask, req.services, lang, next_field))
    return STEPS[next_field]


@command(Access.ADMIN)
async def code_step(req: Request) -> int:
    """Take the new unit's code."""
    return await _step(req, "code")


@command(Access.ADMIN)
async def name_step(req: Request) -> int:
    """Take the unit's name."""
    return await _step(req, "name")


@command(Access.ADMIN)
async def kind_step(req: Request) -> int:
    """Take the unit's kind (a key, a name or a Vietnamese alias)."""
    return await _step(req, "kind")


@command(Access.ADMIN)
async def parent_step(req: Request) -> int:
    """Take the parent unit (a code or name), or none."""
    return await _step(req, "parent_code")


@command(Access.ADMIN)
async def groups_step(req: Request) -> int:
    """Take the groups, then save the unit."""
    return await _step(req, "groups")


@command(Access.ADMIN)
async def cancel(req: Request) -> int:
    """Abandon the form."""
    _form(req).clear()
    await req.say("common.cancelled")
    return ConversationHandler.END


def addunit_conversation() -> ConversationHandler[Any]:
    """Return the /addunit conversation (registered early, before plain commands)."""
    # An edited message is no answer to the step asked now (the fallback says so).
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    return ConversationHandler(
        entry_points=[CommandHandler("addunit", addunit_command, NEW_MESSAGES)],
        states={
            CODE: [MessageHandler(text, code_step)],
            NAME: [MessageHandler(text, name_step)],
            KIND: [MessageHandler(text, kind_step)],
            PARENT: [MessageHandler(text, parent_step)],
            GROUPS: [MessageHandler(text, groups_step)],
        },
        fallbacks=[CommandHandler("cancel", cancel, NEW_MESSAGES)],
        name="addunit",
        conversation_timeout=FORM_TIMEOUT_S,
    )
