"""Status check-ins by button: done, in progress (with 25/50/75%), blocked, extension.

Data contracts (signed for the presser): `st:<action>:<assignment>` (keyboards.py),
`pc:<percent|skip>:<assignment>` after "in progress", `ck:<assignment>` to choose the task a
free-text reply is about. Free text and the answers to the bot's questions are in
handlers/telegram/checkin_text.py; its handler is registered here, after the buttons.
"""

from __future__ import annotations

from telegram import Message
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from app.reporting import Recorded, Report, record, refusal
from core.markup import to_plain
from core.roles import Access
from db.queries.checkin import Check, check_reportable
from db.queries.pending import clear_pending, get_pending, set_pending
from handlers.telegram import checkin_steps, checkin_text
from handlers.telegram.access import Request, button, prefix_pattern
from handlers.telegram.itembuttons import settle
from handlers.telegram.registry import Flow

PERCENTS = (25, 50, 75)


def _ids(req: Request) -> tuple[str, int] | None:
    """Return the action and assignment id of a button, or None when malformed."""
    if len(req.args) != 3 or not req.args[2].isdigit():
        return None
    return req.args[1], int(req.args[2])


def _dedup(req: Request, kind: str, assignment_id: int) -> str:
    """Return the key that makes a double tap on one message's item record once."""
    msg = req.message
    query = req.update.callback_query
    if msg is None:
        return f"tg:cb:{query.id if query else req.update.update_id}"
    return f"tg:{kind}:{msg.chat.id}:{msg.message_id}:{assignment_id}"


async def _answer(req: Request, text: str, *, alert: bool = False) -> None:
    """Answer the button press (a short toast, or an alert for a refusal)."""
    query = req.update.callback_query
    if query is not None:
        await query.answer(to_plain(text)[:190], show_alert=alert)


async def _finish(req: Request, assignment_id: int, result: Recorded, extra: bool = False) -> None:
    """Acknowledge a press after the commit, and replace the item's buttons by its status."""
    await _answer(req, result.text, alert=not result.ok)
    msg = req.message
    if msg is None or (not result.ok and result.check != Check.CLOSED):
        return
    rows = None
    if extra:
        rows = [
            [req.button(f"{p}%", "pc", p, assignment_id).to_dict() for p in PERCENTS]
            + [req.button(req.t("checkin.skip"), "pc", "skip", assignment_id).to_dict()]
        ]
    await settle(
        req.context.bot,
        chat_id=msg.chat.id,
        message_id=msg.message_id,
        html=msg.text_html or "",
        markup=msg.reply_markup.to_dict() if msg.reply_markup else None,
        assignment_id=assignment_id,
        line=result.text if not extra else "",
        extra_rows=rows,
    )


@button(Access.MEMBER)
async def on_status(req: Request) -> None:
    """Record done or in progress at once; ask the reason or the date for the others."""
    ids = _ids(req)
    if ids is None:
        await _answer(req, req.t("common.button_stale"), alert=True)
        return
    action, assignment_id = ids
    if action in ("done", "progress"):
        state = "done" if action == "done" else "in_progress"
        report = Report(assignment_id, state, "button", _dedup(req, "btn", assignment_id))
        result = record(req.services, req.actor, report)
        await _finish(req, assignment_id, result, extra=state == "in_progress" and result.ok)
        return
    if action in ("blocked", "extension"):
        await _ask(req, action, assignment_id)
        return
    await _answer(req, req.t("common.button_stale"), alert=True)


async def _ask(req: Request, action: str, assignment_id: int) -> None:
    """Ask the reason of a blocker, or the date and reason of an extension, and remember it."""
    with req.db() as session:
        check, target = check_reportable(
            session, assignment_id=assignment_id, unit_ids=req.actor.unit_ids
        )
        if check != Check.OK or target is None:
            text = refusal(req.services, req.actor.lang, check, target)
        else:
            data = {"step": action, "assignment_id": assignment_id, **_origin(req.message)}
            now = req.services.clock.now()
            set_pending(session, contact_id=req.actor.contact_id, data=data, now=now)
            text = ""
    if text:
        await _answer(req, text, alert=True)
        return
    assert target is not None
    await _answer(req, req.t(f"checkin.ask_{action}_short"))
    await req.say(f"checkin.ask_{action}", task=str(target.task_id), title=target.title)


def _origin(msg: Message | None) -> dict[str, object]:
    """Return where the pressed message is, to settle its buttons once the answer comes."""
    if msg is None:
        return {}
    markup = msg.reply_markup.to_dict() if msg.reply_markup else None
    return {"chat": msg.chat.id, "msg": msg.message_id, "html": msg.text_html, "kb": markup}


@button(Access.MEMBER)
async def on_percent(req: Request) -> None:
    """Record the percentage chosen after "in progress" (or just drop the choice)."""
    ids = _ids(req)
    if ids is None:
        await _answer(req, req.t("common.button_stale"), alert=True)
        return
    choice, assignment_id = ids
    if choice == "skip" or not choice.isdigit():
        await _answer(req, req.t("checkin.skipped"))
        msg = req.message
        if msg is not None:
            await settle(
                req.context.bot,
                chat_id=msg.chat.id,
                message_id=msg.message_id,
                html=msg.text_html or "",
                markup=msg.reply_markup.to_dict() if msg.reply_markup else None,
                assignment_id=assignment_id,
                line="",
            )
        return
    report = Report(
        assignment_id,
        "in_progress",
        "button",
        _dedup(req, "pct", assignment_id),
        percent=int(choice),
        amends=_dedup(req, "btn", assignment_id),
    )
    await _finish(req, assignment_id, record(req.services, req.actor, report))


@button(Access.MEMBER)
async def on_pick(req: Request) -> None:
    """Apply a free-text reply kept while asking which task it is about."""
    if len(req.args) != 2 or not req.args[1].isdigit():
        await _answer(req, req.t("common.button_stale"), alert=True)
        return
    assignment_id = int(req.args[1])
    with req.db() as session:
        now = req.services.clock.now()
        pending = get_pending(session, contact_id=req.actor.contact_id, now=now)
        if pending is None or pending.get("step") != "pick":
            pending = None
        elif assignment_id in pending.get("candidates", []):
            clear_pending(session, contact_id=req.actor.contact_id)
    if pending is None or assignment_id not in pending.get("candidates", []):
        await _answer(req, req.t("checkin.question_expired"), alert=True)
        return
    await _answer(req, req.t("checkin.noted"))
    await checkin_steps.apply_kept(req, pending, assignment_id)


def flow() -> Flow:
    """Return the check-in buttons and the free-text handler (after every command)."""
    text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    return Flow(
        name="checkin",
        late=(
            CallbackQueryHandler(on_status, pattern=prefix_pattern("st")),
            CallbackQueryHandler(on_percent, pattern=prefix_pattern("pc")),
            CallbackQueryHandler(on_pick, pattern=prefix_pattern("ck")),
            MessageHandler(text & filters.UpdateType.MESSAGE, checkin_text.on_text),
            # After every flow's commands: a guided form's own /cancel is seen first.
            CommandHandler("cancel", checkin_text.on_cancel, filters.ChatType.PRIVATE),
        ),
    )
