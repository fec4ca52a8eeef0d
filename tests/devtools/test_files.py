"""Files: uploads kept in memory, getFile, and download from /file/bot<token>/."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError

from devtools.fakebotapi import FakeBotApi

PNG_HEADER = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
)

# 50 MB over loopback on a loaded machine takes longer than PTB's 5 s write timeout.
UPLOAD_S = 120.0


async def test_user_document_downloads_through_get_file(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """A document a user uploads can be fetched by the bot with getFile and downloaded."""
    content = "Báo cáo quý III".encode()
    server.send_document(user, content, "bao-cao.txt", "text/plain", caption="Nộp báo cáo")

    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    assert update.message.document.file_name == "bao-cao.txt"
    assert update.message.caption == "Nộp báo cáo"
    file = await update.message.document.get_file()

    assert bytes(await file.download_as_bytearray()) == content


async def test_bot_document_round_trips(bot: Bot, server: FakeBotApi, user: int) -> None:
    """A document the bot sends is stored, downloadable, and re-sendable by file_id."""
    sent = await bot.send_document(user, b"a,b\n1,2\n", filename="ket-qua.csv", caption="Kết quả")
    assert sent.document is not None

    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"
    assert server.file_content(sent.document.file_id) == b"a,b\n1,2\n"
    again = await bot.send_document(user, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    assert server.messages(user)[0].caption == "Kết quả"


async def test_send_photo_reports_the_png_size(bot: Bot, user: int) -> None:
    """sendPhoto answers with a PhotoSize carrying the image's dimensions."""
    sent = await bot.send_photo(user, PNG_HEADER + b"\x00" * 32)

    assert (sent.photo[-1].width, sent.photo[-1].height) == (640, 480)


async def test_send_photo_that_is_not_an_image_is_refused(bot: Bot, user: int) -> None:
    """Bytes that are no image cannot be sent as a photo."""
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(user, b"plain text, not an image")


@pytest.mark.parametrize(("width", "height"), [(9000, 1001), (4200, 200)])
async def test_send_photo_of_documented_bad_dimensions_is_refused(
    bot: Bot, user: int, width: int, height: int
) -> None:
    """A photo whose width and height add up past 10000, or one over 20 times the other, is
    refused as the Bot API documents."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + width.to_bytes(4, "big")
    with pytest.raises(BadRequest, match="Photo_invalid_dimensions"):
        await bot.send_photo(user, png + height.to_bytes(4, "big") + b"\x00" * 32)


async def test_an_upload_past_the_bot_apis_bound_is_refused_413(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """A document over 50 MB, or a photo over 10 MB, is refused as Telegram refuses it (413,
    which PTB raises as a NetworkError), and no message is posted; at the bound it goes."""
    with pytest.raises(NetworkError, match="Request Entity Too Large"):
        await bot.send_document(
            user,
            b"x" * (50 * 1024 * 1024 + 1),
            filename="lon.xlsx",
            write_timeout=UPLOAD_S,
            read_timeout=UPLOAD_S,
        )
    with pytest.raises(NetworkError, match="Request Entity Too Large"):
        await bot.send_photo(
            user,
            PNG_HEADER + b"\x00" * (10 * 1024 * 1024),
            write_timeout=UPLOAD_S,
            read_timeout=UPLOAD_S,
        )

    assert server.messages(user) == []
    at_bound = PNG_HEADER + b"\x00" * (10 * 1024 * 1024 - len(PNG_HEADER))
    await bot.send_photo(user, at_bound, write_timeout=UPLOAD_S, read_timeout=UPLOAD_S)
    assert len(server.messages(user)) == 1


async def test_download_of_unknown_path_is_not_found(server: FakeBotApi) -> None:
    """A file path nobody stored gets 404."""
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{server.base_file_url}{server.token}/documents/nope.txt")

    assert response.status_code == 404


async def test_get_file_with_unknown_id_is_refused(bot: Bot) -> None:
    """getFile with an unknown file_id is refused."""
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("no-such-file")
