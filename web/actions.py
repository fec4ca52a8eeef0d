"""What a coordinator does on a task's page: decide an extension request, nudge the units.

Each is a POST carrying the session's CSRF token, runs the same use case as in chat (same
rules: scope, nobody decides on their own unit, the audit log), and shows its answer on the
task's page.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from app.actor import Actor
from app.dashboard.task_page import request_in_scope, request_of_task
from app.dashboard.viewer import Viewer
from app.extensions import decide
from core.markup import to_plain
from db.engine import session_scope
from scheduler import nudge as nudging
from scheduler.workers import in_heavy_worker, in_worker
from web.auth import Signed, csrf_ok, deps_of, form_of, sign_in_needed, signed_in
from web.pages import task_response
from web.render import language, message_page


async def _checked(request: Request) -> tuple[Signed, Viewer, dict[str, str]] | Response:
    """Return the staff session and the form, or the refusal to answer."""
    signed = await signed_in(request)
    if signed is None:
        return await _signed_out(request)
    if signed.viewer is None:
        return message_page(request, None, "web.forbidden", status=403)
    form = await form_of(request)
    if form is None:
        return message_page(request, signed.viewer, "web.too_large", status=413, csrf=signed.csrf)
    if form.get("csrf") and not csrf_ok(signed, form):  # a page older than the session
        return await _stale(request, signed, signed.viewer, form)
    if not csrf_ok(signed, form):  # no form of our pages
        return message_page(
            request, signed.viewer, "web.bad_request", status=403, csrf=signed.csrf
        )
    return signed, signed.viewer, form


async def _stale(
    request: Request, signed: Signed, viewer: Viewer, form: dict[str, str]
) -> Response:
    """Refuse a form whose token is not the session's on the task's page itself, with this
    session's token and the reason typed with a decision: pressed again, it works (the
    refusal said to reload the page, which posted the same form again, refused again however
    often; and the reason emptied, the second press rejected without it)."""
    lang = language(request, viewer)
    said = deps_of(request).services.catalog.plain(lang, "web.stale_form")
    task_id = int(request.path_params["task_id"])
    drafts = _typed(request, form)
    return await task_response(
        request, signed, viewer, task_id, said=said, status=403, drafts=drafts
    )


async def _signed_out(request: Request) -> Response:
    """Say that a sign-in is needed; after a decision's reason was typed, that nothing was
    decided, quoting the reason to send again (the session ended while it was typed: it was
    lost with the page)."""
    form = await form_of(request) if "request_id" in request.path_params else None
    return await sign_in_needed(request, "".join(_typed(request, form or {}).values()))


def _typed(request: Request, form: dict[str, str]) -> dict[int, str]:
    """Return the note typed with a decision, by its request (none for a nudge)."""
    request_id, note = request.path_params.get("request_id"), form.get("note", "").strip()
    return {int(request_id): note} if request_id is not None and note else {}


async def decide_extension(request: Request) -> Response:
    """Approve or reject an extension request of this task (a reason may go with it)."""
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    signed, viewer, form = checked
    services = deps_of(request).services
    task_id = int(request.path_params["task_id"])
    request_id = int(request.path_params["request_id"])
    choice = form.get("decision", "")
    if choice not in ("approve", "reject"):
        return message_page(request, viewer, "web.bad_request", status=400, csrf=signed.csrf)

    def belongs() -> tuple[bool, bool]:
        with session_scope(services.engine) as session:
            of_task = request_of_task(session, request_id=request_id, task_id=task_id)
            return of_task, request_in_scope(session, viewer, request_id=request_id)

    of_task, in_scope = await in_worker(belongs)
    if not of_task:
        return message_page(request, viewer, "web.not_found", status=404, csrf=signed.csrf)
    # Whole, as typed: the use case refuses a note over its limit, as in chat, never cut.
    note = form.get("note", "").strip()
    actor = _answered_in_page_language(request, viewer)
    if not in_scope:  # the use case's refusal, said with its status (it was a 200)
        said = services.catalog.plain(actor.lang, "web.not_allowed")
        return await task_response(
            request, signed, viewer, task_id, said=said, status=403, refused="web.not_allowed"
        )
    approve = choice == "approve"
    decision = partial(decide, not_allowed="web.not_allowed")  # no "type /help" on a page
    said = await in_worker(decision, services, actor, request_id, approve, note)
    _wake(request)
    # A request still open (the note refused, say) shows the note typed, to shorten it.
    return await task_response(
        request, signed, viewer, task_id, said=to_plain(said), drafts={request_id: note}
    )


async def nudge(request: Request) -> Response:
    """Remind, right now, every unit of this task in scope that has not reported done."""
    checked = await _checked(request)
    if isinstance(checked, Response):
        return checked
    signed, viewer, _ = checked
    services = deps_of(request).services
    task_id = int(request.path_params["task_id"])
    # Each press is its own nudge (the chat's is keyed by its update).
    key = f"web:{secrets.token_hex(8)}"
    actor = _answered_in_page_language(request, viewer)
    said = await in_heavy_worker(nudging.nudge, services, actor, f"#{task_id}", key)
    _wake(request)
    return await task_response(request, signed, viewer, task_id, said=to_plain(said))


def _answered_in_page_language(request: Request, viewer: Viewer) -> Actor:
    """Return the viewer as the use case's actor, answered in the page's language (the one
    they chose on the dashboard, which may not be their chat's)."""
    return replace(viewer.actor, lang=language(request, viewer))


def _wake(request: Request) -> None:
    """Have the senders send what was just queued without waiting for their next round."""
    wake = deps_of(request).wake_senders
    if wake is not None:
        wake()
