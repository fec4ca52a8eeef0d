"""/addunit: one line (`code | name | kind [| parent] [| groups]`) or a guided form.

The guided form is a ConversationHandler shaped like PTB's conversationbot: one state per
field, each answer checked before the next question, /cancel always works. Every field
can be typed (a second channel has no buttons); the checks and the saving (the same as a
file import's) are `app/unit_form.py`'s, which Zalo's form uses too.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from app import unit_form
from core.roles import Access
from handlers.telegram.access import Request, command
from handlers.telegram.context import PersonForms
from handlers.telegram.forms import ADDUNIT, dropped_note, while_open
from handlers.telegram.registry import NEW_MESSAGES
from scheduler.workers import in_worker

CODE, NAME, KIND, PARENT, GROUPS = range(5)
STEPS = dict(zip(unit_form.FIELDS, (CODE, NAME, KIND, PARENT, GROUPS), strict=True))
# An abandoned form must not swallow the admin's later messages: the form store
# (handlers.telegram.form_store) brings one back only this long after its last answer.
FORM_TIMEOUT_S = 900


def _form(req: Request) -> dict[str, str]:
    """Return the form being filled in by the sender."""
    forms = req.context.user_data
    if forms is None:
        return {}
    if forms.unit_form is None:
        forms.unit_form = {}
    return forms.unit_form


def _end(req: Request) -> None:
    """End the sender's form (nothing of it is kept)."""
    if req.context.user_data is not None:
        req.context.user_data.unit_form = None


def _has_form(forms: PersonForms) -> bool:
    """Tell whether an /addunit form is under way."""
    return forms.unit_form is not None


def _text(req: Request) -> str:
    """Return the text the sender typed."""
    return (req.message.text or "").strip() if req.message is not None else ""


@command(Access.ADMIN)
async def addunit_command(req: Request) -> int:
    """Add a unit from one line, or start the guided form when there are no arguments."""
    if not req.text_args:
        note = dropped_note(req)
        forms = req.context.user_data
        if forms is not None:  # one form at a time: a /newtask under way is dropped
            forms.newtask, forms.unit_form = None, {}
        await req.reply(note + req.t("units.form_code"))
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
        _end(req)
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
    _end(req)
    await req.say("common.cancelled")
    return ConversationHandler.END


def addunit_conversation() -> ConversationHandler[Any]:
    """Return the /addunit conversation (registered early, before plain commands)."""
    # An edited message is no answer to the step asked now (the fallback says so).
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    steps = (CODE, NAME, KIND, PARENT, GROUPS)
    callbacks = (code_step, name_step, kind_step, parent_step, groups_step)
    # Text is the form's only while it is under way (see handlers.telegram.forms).
    states: dict[object, list[BaseHandler[Update, Any, object]]] = {
        step: [MessageHandler(text, while_open(ADDUNIT, _has_form, callback))]
        for step, callback in zip(steps, callbacks, strict=True)
    }
    return ConversationHandler(
        entry_points=[CommandHandler("addunit", addunit_command, NEW_MESSAGES)],
        states=states,
        fallbacks=[CommandHandler("cancel", while_open(ADDUNIT, _has_form, cancel), NEW_MESSAGES)],
        name=ADDUNIT,
    )
