"""An answer Zalo refuses for now (429, 5xx past the client's retries, 401) comes later,
whole and in order, from the Zalo sender; one Zalo refuses for good is not tried again."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from db.models import Outbox
from devtools.fakezalo import FaultRule
from tests.factories import make_contact, make_task, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

CHI = "0c9d2e7a6b514f33"
RETRIES = 4  # the client's own tries of a call: once and three times again


def province(zbot: ZaloBot) -> None:
    """Thirty communes given one overdue task; Chi, a coordinator on Zalo."""
    with zbot.session() as s:
        units = [make_unit(s, f"X{i:03d}", f"Xã Thử Nghiệm Số {i:03d}") for i in range(30)]
        make_task(s, "Ban hành Kế hoạch chuyển đổi số", date(2026, 11, 10), units)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)


async def test_a_page_zalo_rate_limits_comes_later_before_the_next(zbot: ZaloBot) -> None:
    """Zalo answers 429 to the first page of Chi's /summary past the client's retries: the
    page is queued and sent once Zalo takes messages again, then "tiếp" gives the second. It
    was lost, a warning in the log alone, and "tiếp" showed page 2 of a summary never seen."""
    province(zbot)
    refused = FaultRule("ok_false", ("sendMessage",), (CHI,), code=429, times=RETRIES)
    zbot.zalo.add_fault(refused)
    assert await zbot.say(CHI, "/summary #1") == []
    [first] = await zbot.zalo.wait_for_messages(CHI, after=0)
    assert "Trang 1/2" in first.text
    [second] = await zbot.say(CHI, "tiếp")
    assert "Trang 2/2" in second


async def test_an_answer_in_parts_refused_for_now_comes_later_whole_and_in_order(
    zbot: ZaloBot,
) -> None:
    """The admin's /help comes in parts; Zalo failing (502) on the first, past the client's
    retries, each part comes later, in order, as the answer was to be read."""
    whole = await zbot.say(ZALO_ADMIN, "/help")
    assert len(whole) > 1
    zbot.zalo.add_fault(FaultRule("server_error", ("sendMessage",), times=RETRIES))
    assert await zbot.say(ZALO_ADMIN, "/help") == []
    later = await zbot.zalo.wait_for_messages(ZALO_ADMIN, after=len(whole), count=len(whole))
    assert [m.text for m in later] == whole


async def test_an_answer_zalo_refuses_for_good_is_not_queued(zbot: ZaloBot) -> None:
    """An answer refused as a bad request (400) would be refused again: nothing is queued."""
    province(zbot)
    zbot.zalo.add_fault(FaultRule("ok_false", ("sendMessage",), (CHI,), code=400, times=1))
    assert await zbot.say(CHI, "/summary #1") == []
    with zbot.session() as s:
        assert s.exec(select(Outbox).where(Outbox.channel == "zalo")).all() == []


async def test_an_answer_refused_for_the_bots_token_comes_once_it_is_taken(
    zbot: ZaloBot,
) -> None:
    """Zalo refuses the bot's token (401) as Chi's /summary is answered, then takes it again:
    the answer comes from the Zalo sender, which holds messages while the token is refused.
    It was lost, as if the answer itself had been refused for good."""
    province(zbot)
    zbot.zalo.add_fault(FaultRule("ok_false", ("sendMessage",), (CHI,), code=401, times=1))
    assert await zbot.say(CHI, "/summary #1") == []
    [first] = await zbot.zalo.wait_for_messages(CHI, after=0)
    assert "Trang 1/2" in first.text
