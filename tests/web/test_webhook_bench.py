"""bench/webhook.py at a small size: it runs end to end and its checks hold (no timings)."""

from __future__ import annotations

import argparse

import pytest

from bench.webhook import run


@pytest.mark.slow
async def test_webhook_benchmark_loses_nothing_and_answers_once() -> None:
    """dondoc serve and the bare endpoint take every update; each official is answered once."""
    result = await run(argparse.Namespace(updates=12, warmup=2, send_rate=30.0))
    dondoc = result["dondoc"]
    assert dondoc["accepted"] == dondoc["updates"] == 12
    assert dondoc["statuses"] == {"200": 12}
    assert (dondoc["inbox_rows_of_measured"], dondoc["inbox_missing"]) == (12, 0)
    assert dondoc["reports_recorded"] == 12
    assert (dondoc["answered"], dondoc["unanswered"], dondoc["answered_twice"]) == (12, 0, 0)
    assert dondoc["serve_exit"] == 0
    assert "Traceback" not in dondoc["serve_stderr_tail"]
    for bare in result["bare_starlette"]:
        assert bare["accepted"] == 12
        assert bare["statuses"] == {"200": 12}
