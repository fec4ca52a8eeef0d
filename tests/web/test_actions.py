"""Deciding extension requests and nudging from a task's page: chat's rules, CSRF, audit."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from app.dashboard.signin import SESSION_IDLE
from db.models import Assignment, AuditLog, ExtensionRequest, Outbox, Task, UnitGroupMember
from tests.harness import ADMIN_ID
from tests.web.conftest import COORDINATOR, SCOPED, Served, ask_extension
from tests.web.test_dashboard import csrf_of


def request_row(served: Served, request_id: int) -> ExtensionRequest:
    """Return an extension request as stored now."""
    with served.bot.session() as s:
        found = s.get(ExtensionRequest, request_id)
        assert found is not None
        return found


async def test_approve_on_dashboard_moves_deadline_tells_unit_and_audits(served: Served) -> None:
    """Approving a request on the task page moves the unit's deadline, as /approve does."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
        assert f'data-request="{request_id}"' in page
        response = await browser.post(
            f"/tasks/{task_id}/extensions/{request_id}",
            data={"csrf": csrf_of(page), "decision": "approve"},
        )
    assert response.status_code == 200
    assert 'id="said"' in response.text
    assert request_row(served, request_id).status == "approved"
    with served.bot.session() as s:
        assignment = s.get(Assignment, request_row(served, request_id).assignment_id)
        assert assignment is not None
        assert assignment.deadline == date(2026, 12, 10)
        audit = s.exec(select(AuditLog).where(AuditLog.action == "extension.approved")).all()
        # told as the notice of the unit's deadline moved (`app.task_notices`)
        told = s.exec(select(Outbox).where(col(Outbox.key).startswith("task-changed:ext"))).all()
    assert len(audit) == 1
    assert told


async def test_reject_on_dashboard_keeps_deadline_with_reason(served: Served) -> None:
    """Rejecting keeps the deadline and records the reason given."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{task_id}")).text)
        response = await browser.post(
            f"/tasks/{task_id}/extensions/{request_id}",
            data={"csrf": csrf, "decision": "reject", "note": "không đủ căn cứ"},
        )
    assert response.status_code == 200
    assert request_row(served, request_id).status == "rejected"
    with served.bot.session() as s:
        [audit] = s.exec(select(AuditLog).where(AuditLog.action == "extension.rejected")).all()
    assert audit.details["note"] == "không đủ căn cứ"


async def test_decision_without_csrf_or_of_another_task_changes_nothing(served: Served) -> None:
    """No CSRF token: 403; a request of another task: 404; a bad decision: 400."""
    request_id = ask_extension(served)
    first, second = served.tasks[0].id, served.tasks[1].id
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{first}")).text)
        url = f"/tasks/{first}/extensions/{request_id}"
        assert (await browser.post(url, data={"decision": "approve"})).status_code == 403
        wrong = {"csrf": "x", "decision": "approve"}
        assert (await browser.post(url, data=wrong)).status_code == 403
        other = f"/tasks/{second}/extensions/{request_id}"
        good = {"csrf": csrf, "decision": "approve"}
        assert (await browser.post(other, data=good)).status_code == 404
        assert (await browser.post(url, data={"csrf": csrf, "decision": "x"})).status_code == 400
    assert (await served.http.post(url, data={"decision": "approve"})).status_code == 401
    assert request_row(served, request_id).status == "pending"


async def test_decision_outside_scope_is_refused(served: Served) -> None:
    """A coordinator cannot decide for a unit outside their scope, by any form: 403."""
    request_id = ask_extension(served, unit="SYT")
    task_id = served.tasks[0].id
    async with served.signed_in(SCOPED) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
        assert f'data-request="{request_id}"' not in page
        response = await browser.post(
            f"/tasks/{task_id}/extensions/{request_id}",
            data={"csrf": csrf_of(page), "decision": "approve"},
        )
    assert response.status_code == 403  # a refusal, not a 200 (its words unchanged)
    assert request_row(served, request_id).status == "pending"
    assert "không thuộc phạm vi anh/chị theo dõi" in response.text
    assert "/help" not in response.text  # chat's words: a page has no commands


async def test_nudge_button_reminds_units_not_done(served: Served) -> None:
    """The nudge button queues a reminder to the units' contacts and says how many."""
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{task_id}")).text)
        response = await browser.post(f"/tasks/{task_id}/nudge", data={"csrf": csrf})
        assert (await browser.post(f"/tasks/{task_id}/nudge", data={})).status_code == 403
    assert response.status_code == 200
    assert 'id="said"' in response.text
    with served.bot.session() as s:
        nudges = s.exec(select(Outbox).where(Outbox.kind == "nudge")).all()
    assert [row.chat_id for row in nudges] == ["3001"]


async def test_a_failing_action_shows_a_page_with_the_error_code(served: Served) -> None:
    """The outbox gone, the nudge fails: the coordinator gets the usual error text with its
    reference, in a page, not a bare 500 or a traceback; a webhook still gets the status."""
    task_id = served.tasks[0].id
    with served.bot.services.engine.begin() as connection:
        connection.execute(text("ALTER TABLE outbox RENAME TO outbox_gone"))
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{task_id}")).text)
        response = await browser.post(f"/tasks/{task_id}/nudge", data={"csrf": csrf})

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Xin lỗi, đã có lỗi khi xử lý yêu cầu" in response.text
    assert "mã lỗi" in response.text
    assert "Traceback" not in response.text
    assert "outbox" not in response.text


async def test_the_internal_errors_page_carries_the_security_headers(served: Served) -> None:
    """The page of an internal error is no exception to the headers every answer carries: it
    is kept by no cache, framed by no site, read as nothing but HTML, and hands no Referer on
    (it carried none: the error handler answered outside the middleware that adds them)."""
    task_id = served.tasks[0].id
    with served.bot.services.engine.begin() as connection:
        connection.execute(text("ALTER TABLE outbox RENAME TO outbox_gone"))
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{task_id}")).text)
        response = await browser.post(f"/tasks/{task_id}/nudge", data={"csrf": csrf})

    assert response.status_code == 500
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_a_failing_action_is_logged_once_with_its_reference(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    """The nudge fails: the log holds its traceback once, on the line with the reference the
    coordinator reads. uvicorn logged it a second time ("Exception in ASGI application"),
    which Starlette raises every error on to after answering it."""
    task_id = served.tasks[0].id
    with served.bot.services.engine.begin() as connection:
        connection.execute(text("ALTER TABLE outbox RENAME TO outbox_gone"))
    caplog.set_level(logging.INFO)
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{task_id}")).text)
        response = await browser.post(f"/tasks/{task_id}/nudge", data={"csrf": csrf})
        assert (await browser.get(f"/tasks/{task_id}")).status_code == 200  # still serving

    said = re.search(r"mã lỗi (\w+)", response.text)
    assert said is not None
    web_side = ("web.", "uvicorn.", "starlette.")  # not the sender's, which finds no outbox too
    tracebacks = [r for r in caplog.records if r.exc_info and r.name.startswith(web_side)]
    assert [r.getMessage() for r in tracebacks] == [
        f"error {said[1]}: POST /tasks/{task_id}/nudge failed"
    ]
    assert "Exception in ASGI application" not in caplog.text


async def test_an_action_answers_in_the_language_the_page_is_shown_in(served: Served) -> None:
    """A coordinator whose bot speaks Vietnamese switches the dashboard to English: the
    nudge's and the decision's answers on the page are in English too, not a Vietnamese
    sentence on an English page."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}", params={"lang": "en"})).text
        assert "Nudge" in page
        nudged = await browser.post(f"/tasks/{task_id}/nudge", data={"csrf": csrf_of(page)})
        decided = await browser.post(
            f"/tasks/{task_id}/extensions/{request_id}",
            data={"csrf": csrf_of(page), "decision": "approve"},
        )
    assert "📣 Reminded task" in nudged.text
    assert "Đã nhắc" not in nudged.text
    assert "✅ Extension approved" in decided.text
    assert "Đã duyệt" not in decided.text


async def test_a_rejection_note_is_kept_whole_or_refused_whole_as_in_chat(served: Served) -> None:
    """A 700-character note is recorded whole (it was cut at 500 without a word); one over
    1,000 is refused in the page's language, nothing decided, and the note typed stays in
    the form to be shortened."""
    long_note = "Chưa đủ căn cứ " * 47  # 705 characters
    too_long = "x" * 1200
    first, second = ask_extension(served), ask_extension(served, unit="TB")
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}", params={"lang": "en"})).text
        refused = await browser.post(
            f"/tasks/{task_id}/extensions/{first}",
            data={"csrf": csrf_of(page), "decision": "reject", "note": too_long},
        )
        await browser.post(
            f"/tasks/{task_id}/extensions/{second}",
            data={"csrf": csrf_of(page), "decision": "reject", "note": long_note},
        )
    assert (
        "The note with the decision is too long (1,200 characters; at most 1,000)" in refused.text
    )
    assert f'value="{too_long}"' in refused.text
    assert request_row(served, first).status == "pending"
    with served.bot.session() as s:
        [audit] = s.exec(select(AuditLog).where(AuditLog.action == "extension.rejected")).all()
    assert audit.details["note"] == long_note.strip()


async def test_a_reason_typed_on_a_page_older_than_the_session_stays_for_the_press_again(
    served: Served,
) -> None:
    """A coordinator signed in again (a new /web link) while typing a rejection's reason on a
    page opened before: told nothing was done and to press again, the field was emptied, and
    the press again rejected without the reason. The reason stays in the form now."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
        renewed = await browser.post(await served.login_link(COORDINATOR))
        assert renewed.status_code == 303
        refused = await browser.post(
            f"/tasks/{task_id}/extensions/{request_id}",
            data={"csrf": csrf_of(page), "decision": "reject", "note": "không đủ căn cứ"},
        )
    assert refused.status_code == 403
    assert "chưa làm gì cả" in refused.text
    assert 'value="không đủ căn cứ"' in refused.text
    assert request_row(served, request_id).status == "pending"


async def test_a_reason_typed_as_the_session_ended_is_quoted_and_nothing_decided(
    served: Served,
) -> None:
    """A coordinator who typed a rejection's reason on a page left open past the session's
    idle time was asked to sign in, the reason lost with the page. Now the answer says nothing
    was decided and quotes the reason, to decide again with it."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
        served.bot.clock.advance(SESSION_IDLE + timedelta(minutes=1))
        refused = await browser.post(
            f"/tasks/{task_id}/extensions/{request_id}",
            data={"csrf": csrf_of(page), "decision": "reject", "note": "không đủ căn cứ"},
        )
    assert refused.status_code == 401
    assert "chưa quyết định gì" in refused.text
    assert "/web trong cuộc trò chuyện" in refused.text
    assert "«không đủ căn cứ»" in refused.text
    assert request_row(served, request_id).status == "pending"


def leave_pilot_group(served: Served, code: str) -> None:
    """Take a unit out of the pilot group: the scoped coordinator's scope shrinks by it."""
    with served.bot.session() as s:
        unit_id = served.units[code].id
        member = s.exec(select(UnitGroupMember).where(UnitGroupMember.unit_id == unit_id)).one()
        s.delete(member)
        s.commit()


async def test_a_decision_after_the_scope_shrank_is_refused_with_403(served: Served) -> None:
    """The page loaded, the request's unit then leaves the coordinator's scope: deciding is
    refused with 403 and the scope's words, whether the task is still theirs to see (by
    another unit) or not at all (it answered "not found", 404), and decides nothing."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    url = f"/tasks/{task_id}/extensions/{request_id}"
    async with served.signed_in(SCOPED) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
        assert f'data-request="{request_id}"' in page
        form = {"csrf": csrf_of(page), "decision": "approve"}
        leave_pilot_group(served, "TX")
        partly = await browser.post(url, data=form)
        leave_pilot_group(served, "TB")
        wholly = await browser.post(url, data=form)
    for response in (partly, wholly):
        assert response.status_code == 403
        assert "không thuộc phạm vi anh/chị theo dõi" in response.text
    assert 'id="said"' in partly.text  # the task's page, still theirs, under the refusal
    assert request_row(served, request_id).status == "pending"


async def test_a_nudge_after_the_scope_shrank_is_no_success(served: Served) -> None:
    """The page loaded, every unit of the task then leaves the coordinator's scope: the nudge
    queues nothing and answers as the task's page now does (404), not a 200."""
    task_id = served.tasks[0].id
    async with served.signed_in(SCOPED) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{task_id}")).text)
        leave_pilot_group(served, "TX")
        leave_pilot_group(served, "TB")
        response = await browser.post(f"/tasks/{task_id}/nudge", data={"csrf": csrf})
        shown = await browser.get(f"/tasks/{task_id}")
    assert response.status_code == shown.status_code == 404
    with served.bot.session() as s:
        assert s.exec(select(Outbox).where(Outbox.kind == "nudge")).all() == []


def decided_on(page: str, request_id: int) -> str:
    """Return what a task's page says of a decided request, its tags taken out."""
    found = re.search(
        rf'<p class="decided [a-z]+" data-decided="{request_id}">(.*?)</p>', page, re.S
    )
    assert found is not None, f"request {request_id} is not shown decided"
    return re.sub(r"<[^>]+>", " ", found.group(1))


async def test_a_rejection_decided_on_the_page_shows_its_reason_after(served: Served) -> None:
    """Rejected on the task page with a reason: the page shows it rejected, by whom, with the
    reason; it showed nothing of it once decided."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        csrf = csrf_of((await browser.get(f"/tasks/{task_id}")).text)
        await browser.post(
            f"/tasks/{task_id}/extensions/{request_id}",
            data={"csrf": csrf, "decision": "reject", "note": "không đủ căn cứ"},
        )
        page = (await browser.get(f"/tasks/{task_id}")).text
    shown = decided_on(page, request_id)
    assert "Không đồng ý gia hạn đến 10/12/2026" in shown
    assert "Lý do từ chối: không đủ căn cứ" in shown


async def test_a_reason_typed_after_a_rejection_in_chat_shows_on_the_page(
    served: Served,
) -> None:
    """ "/reject N" in chat, then the reason typed when asked: the task page shows that
    reason beside the rejection (it was kept only in the audit log and the unit's chat)."""
    request_id = ask_extension(served)
    await served.bot.send(COORDINATOR, f"/reject {request_id}")
    sent = await served.bot.send(COORDINATOR, "Đã gia hạn một lần rồi")
    assert "Đã gửi lý do" in (sent.text or "")
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
    assert "Lý do từ chối: Đã gia hạn một lần rồi" in decided_on(page, request_id)


async def test_an_approval_shows_with_its_note(served: Served) -> None:
    """ "/approve N <note>" in chat: the page shows the request approved with the note."""
    request_id = ask_extension(served)
    await served.bot.send(COORDINATOR, f"/approve {request_id} lần cuối")
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
    shown = decided_on(page, request_id)
    assert "Đã đồng ý gia hạn đến 10/12/2026" in shown
    assert "Ghi chú: lần cuối" in shown


async def test_two_pending_requests_of_one_unit_both_show_to_decide(served: Served) -> None:
    """A unit that asked twice (15/12, then 10/12) has both requests on the page, each with
    its buttons: the first was hidden, decidable only in chat."""
    first = ask_extension(served, to=date(2026, 12, 15))
    second = ask_extension(served)
    task_id = served.tasks[0].id
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
    assert f'data-request="{first}"' in page
    assert f'data-request="{second}"' in page


async def test_a_request_left_pending_on_a_closed_task_offers_no_decision(served: Served) -> None:
    """The task closed with a request still pending: the page shows the request and that it
    needs no decision, without the buttons, which only answered "the task is closed"."""
    request_id = ask_extension(served)
    task_id = served.tasks[0].id
    closed = await served.bot.send(ADMIN_ID, f"/closetask #{task_id}")
    assert "Đã đóng" in (closed.text or "")
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/tasks/{task_id}")).text
    assert f'data-request="{request_id}"' not in page
    assert "Không cần quyết định: nhiệm vụ đã đóng." in page


async def test_a_units_history_has_its_extension_decisions_with_their_reasons(
    served: Served,
) -> None:
    """The unit's page lists, in its history, the request rejected in chat with the reason
    typed after it, beside its reports: a unit's history said nothing of its requests."""
    request_id = ask_extension(served)
    await served.bot.send(COORDINATOR, f"/reject {request_id}")
    await served.bot.send(COORDINATOR, "Đã gia hạn một lần rồi")
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/units/{served.units['TX'].id}")).text
    history = page[page.index('id="history"') :]
    assert "Không được đồng ý gia hạn đến 10/12/2026: Đã gia hạn một lần rồi" in history


@pytest.mark.parametrize("change", ["task cancelled", "unit taken off"])
async def test_a_decision_on_a_row_no_longer_listed_stays_in_the_units_history(
    served: Served, change: str
) -> None:
    """A request rejected, then its task cancelled or the unit taken off it: the unit's page
    lists no such task any more, and its history still has the rejection, as it has the
    unit's reports on it (it was shown only for the tasks listed)."""
    request_id = ask_extension(served)
    await served.bot.send(COORDINATOR, f"/reject {request_id} Đã gia hạn một lần rồi")
    with served.bot.session() as s:
        assignment = s.get(Assignment, request_row(served, request_id).assignment_id)
        task = s.get(Task, served.tasks[0].id)
        assert assignment is not None
        assert task is not None
        if change == "task cancelled":
            task.status = "cancelled"
            s.add(task)
        else:
            assignment.active = False
            s.add(assignment)
        s.commit()
    async with served.signed_in(COORDINATOR) as browser:
        page = (await browser.get(f"/units/{served.units['TX'].id}")).text
    history = page[page.index('id="history"') :]
    assert "Không được đồng ý gia hạn đến 10/12/2026: Đã gia hạn một lần rồi" in history
