"""The reply benchmark's breakdown of CPU time by thread (bench/overhead.py)."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.overhead import (
    DurableInbox,
    add_users,
    build_durable_echo,
    cpu_by_thread,
    paired_ratio,
    settled,
    thread_cpu,
    thread_kind,
)
from devtools.botrun import polling
from devtools.fakebotapi import FakeBotApi

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_the_ratio_compares_each_round_s_two_bots_not_one_s_fast_round_with_the_other_s_slow() -> (
    None
):
    """The machine twice as fast in the second round, for both bots: each round says 0.8; the
    medians (160 against 150) would have said 1.07."""
    dondoc = [80.0, 160.0, 170.0]
    echo = [100.0, 200.0, 150.0]

    assert paired_ratio(dondoc, echo) == pytest.approx(0.8)


def test_a_pool_thread_is_named_by_its_pool_and_the_loop_by_its_role() -> None:
    assert thread_kind("ThreadPoolExecutor-0_3") == "ThreadPoolExecutor"
    assert thread_kind("dondoc-update_7") == "dondoc-update"
    assert thread_kind("dondoc-db_12") == "dondoc-db"
    assert thread_kind("MainThread") == "event loop"
    assert thread_kind("fakebotapi") == "fakebotapi"


@linux_only
def test_the_cpu_a_thread_spends_is_counted_under_its_kind_per_reply() -> None:
    before = thread_cpu()
    done = threading.Event()

    def spin() -> None:
        end = time.thread_time() + 0.2  # CPU, not wall: counted however loaded the machine
        while time.thread_time() < end:
            pass
        done.set()
        time.sleep(0.5)  # still alive when the breakdown is read

    worker = threading.Thread(target=spin, name="busy-pool_1")
    worker.start()
    done.wait()
    spent = cpu_by_thread(before, replies=10)
    worker.join()
    # 200 ms of CPU over 10 replies: about 20 ms each (clock ticks are 10 ms).
    assert 15 <= spent["busy-pool"] <= 40
    assert "ended threads" not in spent


async def test_a_round_starts_once_the_bot_has_done_its_start_up_work() -> None:
    """dondoc's first reminder sweep ran at its start, inside the measured round, and was
    counted as its replies' CPU (about 0.3 ms a reply at 300 officials)."""
    done = threading.Event()

    def start_up() -> None:  # a start-up job: 0.4 s of CPU, then idle
        end = time.thread_time() + 0.4
        while time.thread_time() < end:
            pass
        done.set()

    worker = threading.Thread(target=start_up)
    worker.start()
    spent = await settled()
    idle_at_once = await settled()
    worker.join()

    assert done.is_set()  # the round would have started after the work, not during it
    assert spent >= 0.3  # and the work was seen
    assert idle_at_once < 0.1  # an idle bot starts at once (one window)


async def test_the_durable_echo_answers_each_update_and_marks_it_processed(
    tmp_path: Path,
) -> None:
    async with FakeBotApi() as server:
        users = [100_000 + i for i in range(6)]
        add_users(server, users)
        inbox = DurableInbox(tmp_path / "durable.sqlite3")
        app = build_durable_echo(server, inbox, concurrent=4)
        async with polling(app):
            for user in users:
                server.send_text(user, f"xong {user}")
            await server.wait_for_count("sendMessage", len(users), timeout=30)
            # The server counts an answer as its call ends, before the handler goes on to
            # hand its update to `finish`: the last ones came after `close` looked.
            await server.wait_until(lambda: inbox.finishing == len(users), timeout=30)
        rows, open_ = await inbox.close()

    answers = {c.params["chat_id"]: c.params["text"] for c in server.calls("sendMessage")}
    assert answers == {user: f"xong {user}" for user in users}
    assert (rows, open_) == (len(users), 0)  # every one stored, and marked by the end
    with sqlite3.connect(inbox.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        kept = db.execute("SELECT count(*) FROM inbox WHERE payload IS NOT NULL").fetchone()
    assert kept == (0,)  # a processed update's JSON is dropped, as dondoc's inbox does


async def test_the_durable_echo_does_not_answer_an_update_it_could_not_store(
    tmp_path: Path,
) -> None:
    async with FakeBotApi() as server:
        add_users(server, [1, 2])
        inbox = DurableInbox(tmp_path / "durable.sqlite3")
        with sqlite3.connect(inbox.path) as db:
            db.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON inbox WHEN NEW.payload LIKE '%refuse%' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        app = build_durable_echo(server, inbox)  # one update at a time: 1's, then 2's
        async with polling(app):
            server.send_text(1, "refuse")
            server.send_text(2, "xong")
            await server.wait_for_count("sendMessage", 1, timeout=30)
        await inbox.close()

    assert [c.params["chat_id"] for c in server.calls("sendMessage")] == [2]
