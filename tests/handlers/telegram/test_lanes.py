"""The per-person lanes: an update waiting for its person's turn holds no slot."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from handlers.telegram.lanes import PersonLanes

WHEN = 1_700_000_000


def update_from(user_id: int, update_id: int) -> Update:
    """Return a text update from `user_id` (only its sender matters to the lanes)."""
    user = User(user_id, "Cán bộ", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, WHEN, chat, from_user=user, text="/export")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_a_persons_queued_updates_leave_the_slots_to_others() -> None:
    """An admin's four files sent while the first imports: the three waiting their turn took
    three of PTB's four slots before, and a fourth person's tap waited for the import."""
    lanes = PersonLanes(4)
    first_done = asyncio.Event()
    ran: list[str] = []

    async def work(name: str, until: asyncio.Event | None = None) -> None:
        ran.append(name)
        if until is not None:
            await until.wait()

    admin = [
        asyncio.ensure_future(
            lanes.process_update(update_from(1, n), work(f"file {n}", first_done))
        )
        for n in range(4)
    ]
    tap = asyncio.ensure_future(lanes.process_update(update_from(2, 9), work("tap")))
    for _ in range(20):  # let every task run as far as it can
        await asyncio.sleep(0)
    try:
        assert ran == ["file 0", "tap"]
        assert tap.done()
    finally:
        first_done.set()
        await asyncio.gather(*admin, tap)
    assert ran == ["file 0", "tap", "file 1", "file 2", "file 3"]
