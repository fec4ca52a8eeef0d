"""Step 4 of /newtask: choose the units, by kind, group, parent, or one by one (paged).

The choices add up in the draft; typed text is read as an assignee spec, as the name of a
parent unit, or as a search in the unit list, depending on the screen that is open.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from app import unit_picker
from core.assignees import Matched, Resolution
from core.markup import Markup, to_html
from core.paging import page_of
from core.roles import Access
from core.taskdraft import TaskDraft
from handlers.telegram.access import Request, button, command
from handlers.telegram.newtask_draft import (
    ASSIGNEES,
    DESCRIPTION,
    ack,
    draft_of,
    form_button,
    pressed_draft,
)
from handlers.telegram.taskcommon import matched_text, unmatched_lines

PAGE_SIZE = 8
GROUPS_PAGE_SIZE = 20
COMMUNES_AND_WARDS = ("commune", "ward", "town", "special_zone")


async def show_menu(req: Request, draft: TaskDraft) -> None:
    """Show the ways to choose units and how many are chosen."""
    draft.mode, draft.search = "", ""

    def choice(key: str, *parts: object, **params: object) -> InlineKeyboardButton:
        return form_button(req, draft, req.t(key, **params), "as", *parts)

    rows = [
        [choice("newtask.btn_departments", "dep")],
        [choice("newtask.btn_communes_wards", "cw")],
        [choice("newtask.btn_by_group", "groups"), choice("newtask.btn_by_parent", "parent")],
        [choice("newtask.btn_pick", "pg", 1)],
    ]
    if draft.unit_ids:
        rows.append(
            [
                choice("newtask.btn_clear", "clear"),
                choice("newtask.btn_done", "done", count=len(draft.unit_ids)),
            ]
        )
    chosen = matched_text(req, draft.matched, draft.picked) or Markup("-")
    text = req.t("newtask.ask_assignees", count=len(draft.unit_ids), chosen=chosen)
    await req.reply(text, reply_markup=InlineKeyboardMarkup(rows))


async def ask_description(req: Request, draft: TaskDraft) -> int:
    """Ask for the optional description (step 5)."""
    skip = form_button(req, draft, req.t("newtask.btn_skip"), "desc", "skip")
    await req.reply(req.t("newtask.ask_description"), reply_markup=InlineKeyboardMarkup([[skip]]))
    return DESCRIPTION


@button(Access.ADMIN)
async def on_button(req: Request) -> int | None:
    """Handle the assignee step's buttons; 'done' goes on to the description."""
    draft = await pressed_draft(req)
    if draft is None:
        return None
    action = req.args[3] if len(req.args) > 3 else ""
    if action == "done":
        if not draft.unit_ids:
            await ack(req, req.t("newtask.none_chosen"))
            return ASSIGNEES
        await ack(req)
        return await ask_description(req, draft)
    await ack(req)
    await _act(req, draft, action, req.args[4:])
    return ASSIGNEES


async def _act(req: Request, draft: TaskDraft, action: str, rest: list[str]) -> None:
    """Apply one assignee button."""
    if action in ("dep", "cw"):
        kinds = ("department",) if action == "dep" else COMMUNES_AND_WARDS
        ids = await req.atomic(unit_picker.kind_units, req.services, kinds)
        label = req.t(f"newtask.btn_{'departments' if action == 'dep' else 'communes_wards'}")
        await _add(req, draft, ids, Matched(label, "all", label, len(ids)))
    elif action == "groups":
        await _show_groups(req, draft)
    elif action == "gs" and rest:
        await _show_groups(req, draft, int(rest[0]), edit=True)
    elif action == "g" and rest:
        name = await req.atomic(unit_picker.group_name, req.services, rest[0])
        if name is not None:
            resolution = await _resolve(req, name)
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
    resolution = await _resolve(req, f"under {text}" if draft.mode == "parent" else text)
    problems = unmatched_lines(req, resolution)
    if problems:
        await req.reply("\n".join(problems))
    if resolution.unit_ids:
        await _add(req, draft, resolution.unit_ids, *resolution.matched)
    elif not problems:
        await show_menu(req, draft)
    return ASSIGNEES


async def _resolve(req: Request, spec: str) -> Resolution:
    """Resolve a spec in the sender's language."""
    return await req.atomic(unit_picker.resolve, req.services, req.actor.lang, spec)


async def _add(req: Request, draft: TaskDraft, ids: list[int], *matched: Matched) -> None:
    """Add units to the draft, say how many were new, and show the menu again."""
    new = draft.add_units(ids)
    draft.matched.extend(matched)
    await req.say("newtask.added_units", count=new, total=len(draft.unit_ids))
    await show_menu(req, draft)


async def _show_groups(
    req: Request, draft: TaskDraft, number: int = 1, *, edit: bool = False
) -> None:
    """Offer the named groups as buttons, a page at a time: Telegram refuses a keyboard of
    over 100 buttons, and a province may name more groups than that."""
    groups = await req.atomic(unit_picker.groups, req.services)
    if not groups:
        await req.say("newtask.no_groups")
        return
    page = page_of(groups, number, GROUPS_PAGE_SIZE)
    rows = [
        [form_button(req, draft, f"{name} ({n})", "as", "g", gid)] for gid, name, n in page.items
    ]
    nav: list[InlineKeyboardButton] = []
    if page.has_prev:
        nav.append(form_button(req, draft, req.t("common.prev"), "as", "gs", page.number - 1))
    if page.has_next:
        nav.append(form_button(req, draft, req.t("common.next"), "as", "gs", page.number + 1))
    rows += [nav] if nav else []
    text = (
        req.t("newtask.groups_header_page", page=page.number, pages=page.pages)
        if page.pages > 1
        else req.t("newtask.groups_header")
    )
    markup = InlineKeyboardMarkup(rows)
    query = req.update.callback_query
    if edit and query is not None:  # a page turned: the list is edited in place
        await query.edit_message_text(to_html(text), reply_markup=markup)
    else:
        await req.reply(text, reply_markup=markup)


async def show_picker(req: Request, draft: TaskDraft, number: int, *, edit: bool) -> None:
    """Show one page of units to pick (filtered by the search), each a toggle button."""
    draft.mode = "pick"
    units = await req.atomic(unit_picker.pickable, req.services, draft.search)
    page = page_of(units, number, PAGE_SIZE)
    chosen = set(draft.unit_ids)
    rows = [
        [
            form_button(
                req, draft, ("✅ " if uid in chosen else "▫️ ") + name, "as", "t", uid, page.number
            )
        ]
        for uid, name in page.items
    ]
    nav: list[InlineKeyboardButton] = []
    if page.has_prev:
        nav.append(form_button(req, draft, req.t("common.prev"), "as", "pg", page.number - 1))
    if page.has_next:
        nav.append(form_button(req, draft, req.t("common.next"), "as", "pg", page.number + 1))
    rows += [nav] if nav else []
    done = req.t("newtask.btn_done", count=len(draft.unit_ids))
    rows.append([form_button(req, draft, req.t("newtask.btn_back"), "as", "menu")])
    rows.append([form_button(req, draft, done, "as", "done")])
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
