"""Every expiry the bot shows says its local hour and day, on both channels: an invite, a
link code, a sign-in link. An invite made at 09:00 lasts till 09:00 fourteen days later,
not to the end of that day, as "hết hạn ngày 02/12" let people think."""

from __future__ import annotations

from tests.factories import make_unit
from tests.harness import ADMIN_ID
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

# The harness's clock stands at 09:00 on 18/11/2026 (Asia/Ho_Chi_Minh); invites last 14 days.
INVITE_ENDS = "hết hạn lúc 09:00 ngày 02/12/2026"


async def test_an_invite_says_the_hour_it_expires_on_both_channels(zbot: ZaloBot) -> None:
    with zbot.session() as s:
        make_unit(s, "XA", "Xã A")
        make_unit(s, "XB", "Xã B")
    telegram = (await zbot.tg.send(ADMIN_ID, "/invite XA")).text or ""
    [zalo] = await zbot.say(ZALO_ADMIN, "/invite XB")
    assert INVITE_ENDS in telegram
    assert INVITE_ENDS in zalo


async def test_a_link_code_and_a_sign_in_link_say_the_hour_they_expire(zbot: ZaloBot) -> None:
    zbot.tg.configure(public_base_url="https://dondoc.example")
    telegram_link = (await zbot.tg.send(ADMIN_ID, "/link")).text or ""
    [zalo_link] = await zbot.say(ZALO_ADMIN, "/link")
    telegram_web = (await zbot.tg.send(ADMIN_ID, "/web")).text or ""
    [zalo_web] = await zbot.say(ZALO_ADMIN, "/web")
    for said in (telegram_link, zalo_link):
        assert "hết hạn sau 15 phút, lúc 09:15 ngày 18/11/2026" in said, said
    for said in (telegram_web, zalo_web):
        assert "hết hạn sau 10 phút, lúc 09:10 ngày 18/11/2026" in said, said
