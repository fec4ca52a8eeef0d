"""The reply benchmark's breakdown of CPU time by thread (bench/overhead.py)."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from bench.overhead import cpu_by_thread, thread_cpu, thread_kind

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


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
