"""/export, /chart, /report and /evidence on Zalo without PUBLIC_BASE_URL: no link, the admin
must set it."""

from __future__ import annotations

from tests.factories import make_contact
from tests.zalo.conftest import ZaloBot

CHI = "c4c4c4c4c4c4c4c4"


async def test_file_commands_without_public_base_url_say_the_admin_must_set_it(
    zbot: ZaloBot,
) -> None:
    """Without PUBLIC_BASE_URL a coordinator gets the message naming it, and no link."""
    assert not zbot.tg.settings.public_base_url_set
    with zbot.session() as s:
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
        s.commit()
    zbot.zalo.add_user(CHI, "Chi")
    for command in ("/export", "/chart #1", "/report", "/evidence #1 Tam Xuân"):
        [text] = await zbot.say(CHI, command)
        assert "PUBLIC_BASE_URL" in text
        assert "/files/" not in text
    assert not zbot.zalo.calls("sendPhoto")
