"""Step 4 of /newtask: choose the units, by kind, group, parent, or one by one (paged).

The choices add up in the draft; typed text is read as an assignee spec, as the name of a
parent unit, or as a search in the unit list, depending on the screen that is open.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.assignees import Matched, Resolution
from core.markup import Markup, to_html, to_plain
from core.paging import page_of
from core.roles import Access
from core.taskdraft import TaskDraft
from db.queries.assignees import resolve_assignees
from db.queries.taskadmin import group_choices, kind_unit_ids, pickable_units
from handlers.telegram.access import Request, button, command
from handlers.telegram.taskcommon import matched_text, unmatched_lines

# Conversation states of /newtask from this step on (the first three: handlers.newtask).
ASSIGNEES, DESCRIPTION, CONFIRM = 3, 4, 5
DRAFT_KEY = "newtask"
PAGE_SIZE = 8
COMMUNES_AND_WARDS = ("commune", "ward", "special_zone")


def draft_of(req: Request) -> TaskDraft | None:
    """Return the sender's draft task, if a /newtask is under way."""
    data = req.context.user_data
    draft = data.get(DRAFT_KEY) if data is not None else None
    return draft if isinstance(draft, TaskDraft) else None


def keep_draft(req: Request, draft: TaskDraft | None) -> None:
    """Store (or drop) the sender's draft task."""
    data = req.context.user_data
    if data is None:
        return
    if draft is None:
        data.pop(DRAFT_KEY, None)
    else:
        data[DRAFT_KEY] = draft


async def ack(req: Request, text: str | None = None) -> None:
    """Answer a button press (Telegram shows a spinner until then)."""
    if req.update.callback_query is not None:
        await req.update.callback_query.answer(to_plain(text) if text else None)


async def show_menu(req: Request, draft: TaskDraft) -> None:
    """Show the ways to choose units and how many are chosen."""
    draft.mode, draft.search = "", ""
    rows = [
        [req.button(req.t("newtask.btn_departments"), "nt", "as", "dep")],
        [req.button(req.t("newtask.btn_communes_wards"), "nt", "as", "cw")],
        [
            req.button(req.t("newtask.btn_by_group"), "nt", "as", "groups"),
            req.button(req.t("newtask.btn_by_parent"), "nt", "as", "parent"),
        ],
        [req.button(req.t("newtask.btn_pick"), "nt", "as", "pg", 1)],
    ]
    if draft.unit_ids:
        rows.append(
            [
                req.button(req.t("newtask.btn_clear"), "nt", "as", "clear"),
                req.button(
                    req.t("newtask.btn_done", count=len(draft.unit_ids)), "nt", "as", "done"
                ),
            ]
        )
    chosen = matched_text(req, draft.matched, draft.picked) or Markup("-")
    text = req.t("newtask.ask_assignees", count=len(draft.unit_ids), chosen=chosen)
    await req.reply(text, reply_markup=InlineKeyboardMarkup(rows))


async def ask_description(req: Request) -> int:
    """Ask for the optional description (step 5)."""
    skip = req.button(req.t("newtask.btn_skip"), "nt", "desc", "skip")
    await req.reply(req.t("newtask.ask_description"), reply_markup=InlineKeyboardMarkup([[skip]]))
    return DESCRIPTION


@button(Access.ADMIN)
async def on_button(req: Request) -> int | None:
    """Handle the assignee step's buttons; 'done' goes on to the description."""
    draft = draft_of(req)
    if draft is None:
        await ack(req, req.t("common.button_stale"))
        return None
    action = req.args[2] if len(req.args) > 2 else ""
    if action == "done":
        if not draft.unit_ids:
            await ack(req, req.t("newtask.none_chosen"))
            return ASSIGNEES
        await ack(req)
        return await ask_description(req)
    await ack(req)
    await _act(req, draft, action, req.args[3:])
    return ASSIGNEES


async def _act(req: Request, draft: TaskDraft, action: str, rest: list[str]) -> None:
    """Apply one assignee button."""
    if action in ("dep", "cw"):
        kinds = ("department",) if action == "dep" else COMMUNES_AND_WARDS
        with req.db() as session:
            ids = kind_unit_ids(session, kinds)
        label = req.t(f"newtask.btn_{'departments' if action == 'dep' else 'communes_wards'}")
        await _add(req, draft, ids, Matched(label, "all", label, len(ids)))
    elif action == "groups":
        await _show_groups(req)
    elif action == "g" and rest:
        with req.db() as session:
            found = [g for g in group_choices(session) if str(g[0]) == rest[0]]
        if found:
            resolution = _resolve(req, found[0][1])
            await _add(req, draft, resolution.unit_ids, *resolution.matched)
    elif action == "parent":
        draft.mode = "parent"
        await req.say("newtask.ask_parent")
    elif action == "pg" and rest:
        await show_picker(req, draft, int(rest[0]), edit=draft.mode == "pick")
    elif action == "t" and len(rest) >= 2:
        draft.toggle_unit(int(rest[0]))
        await show_picker(req, draft, int(rest[1]), edit=True)
    elif action == "clear":
        draft.unit_ids, draft.matched, draft.picked = [], [], 0
        await show_menu(req, draft)
    else:
        await show_menu(req, draft)


@command(Access.ADMIN)
async def on_text(req: Request) -> int | None:
    """Read typed text as a spec, a parent's name or a search, per the open screen."""
    draft = draft_of(req)
    text = req.message.text if req.message is not None and req.message.text else ""
    if draft is None or not text.strip():
        return None
    if draft.mode == "pick":
        draft.search = text.strip()
        await show_picker(req, draft, 1, edit=False)
        return ASSIGNEES
    resolution = _resolve(req, f"under {text}" if draft.mode == "parent" else text)
    problems = unmatched_lines(req, resolution)
    if problems:
        await req.reply("\n".join(problems))
    if resolution.unit_ids:
        await _add(req, draft, resolution.unit_ids, *resolution.matched)
    elif not problems:
        await show_menu(req, draft)
    return ASSIGNEES


def _resolve(req: Request, spec: str) -> Resolution:
    """Resolve a spec in the sender's language."""
    with req.db() as session:
        return resolve_assignees(session, spec, lang=req.actor.lang)


async def _add(req: Request, draft: TaskDraft, ids: list[int], *matched: Matched) -> None:
    """Add units to the draft, say how many were new, and show the menu again."""
    new = draft.add_units(ids)
    draft.matched.extend(matched)
    await req.say("newtask.added_units", count=new, total=len(draft.unit_ids))
    await show_menu(req, draft)


async def _show_groups(req: Request) -> None:
    """Offer every named group as a button."""
    with req.db() as session:
        groups = group_choices(session)
    if not groups:
        await req.say("newtask.no_groups")
        return
    rows = [[req.button(f"{name} ({n})", "nt", "as", "g", gid)] for gid, name, n in groups]
    await req.reply(req.t("newtask.groups_header"), reply_markup=InlineKeyboardMarkup(rows))


async def show_picker(req: Request, draft: TaskDraft, number: int, *, edit: bool) -> None:
    """Show one page of units to pick (filtered by the search), each a toggle button."""
    draft.mode = "pick"
    with req.db() as session:
        units = pickable_units(session, search=draft.search)
    page = page_of(units, number, PAGE_SIZE)
    chosen = set(draft.unit_ids)
    rows = [
        [req.button(("✅ " if uid in chosen else "▫️ ") + name, "nt", "as", "t", uid, page.number)]
        for uid, name in page.items
    ]
    nav: list[InlineKeyboardButton] = []
    if page.has_prev:
        nav.append(req.button(req.t("common.prev"), "nt", "as", "pg", page.number - 1))
    if page.has_next:
        nav.append(req.button(req.t("common.next"), "nt", "as", "pg", page.number + 1))
    rows += [nav] if nav else []
    done = req.t("newtask.btn_done", count=len(draft.unit_ids))
    rows.append([req.button(req.t("newtask.btn_back"), "nt", "as", "menu")])
    rows.append([req.button(done, "nt", "as", "done")])
    text = req.t(
        "newtask.pick_header",
        count=len(draft.unit_ids),
        page=page.number,
        pages=page.pages,
        found=len(units),
        search=draft.search or "-",
    )
    markup = InlineKeyboardMarkup(rows)
    query = req.update.callback_query
    if edit and query is not None:
        await query.edit_message_text(to_html(text), reply_markup=markup)
    else:
        await req.reply(text, reply_markup=markup)
