"""GET /healthz and GET /metrics: what an operator's probe and Prometheus read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import create_engine

from db.queries.outbox import enqueue
from tests.harness import ADMIN_ID
from tests.web.conftest import Served


async def test_healthz_says_the_status_alone_and_the_detail_is_internal(
    served: Served,
) -> None:
    """With the database up and nothing stuck: the public /healthz is 200 and says "ok",
    naming nothing inside; /metrics/health (kept off the internet with /metrics) says the
    database, the Telegram channel's last good call and the outbox."""
    response = await served.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    detail = await served.http.get("/metrics/health")
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "ok"
    assert body["database"] is True
    assert "telegram" in body["channels"]
    assert body["outbox_oldest_due"] is None


async def test_healthz_names_no_worker_nor_role_of_several(served: Served) -> None:
    """Under WORKERS=multi the public /healthz still says the status alone; the worker's
    name and roles are in /metrics/health."""
    served.bot.services.worker = "host-1:4242:8081"
    try:
        public = (await served.http.get("/healthz")).text
        detail = (await served.http.get("/metrics/health")).json()
    finally:
        served.bot.services.worker = None
    assert "host-1" not in public
    assert "roles" not in public
    assert detail["worker"]["name"] == "host-1:4242:8081"
    assert "roles" in detail["worker"]


async def test_healthz_503_when_urgent_message_waits_too_long(served: Served) -> None:
    """A notice due for more than ten minutes and never sent makes the server unhealthy."""
    bot = served.bot
    with bot.session() as s:
        # On a channel no sender here serves, so that it stays unsent.
        enqueue(
            s,
            key="stuck",
            chat_id="abc",
            kind="notice",
            text="x",
            now=bot.clock.now(),
            channel="zalo",
        )
        s.commit()
    assert (await served.http.get("/healthz")).status_code == 200
    bot.clock.advance(timedelta(minutes=11))
    response = await served.http.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy"}
    detail = await served.http.get("/metrics/health")
    assert detail.status_code == 503
    assert detail.json()["outbox_stuck"] is True
    # A load balancer reads /livez: the worker itself still serves, so it stays in.
    live = await served.http.get("/livez")
    assert live.status_code == 200
    assert live.json() == {"status": "ok", "database": True}


async def test_healthz_503_when_database_unreachable(served: Served) -> None:
    """When the database cannot be read, /healthz answers 503 and says so."""
    bot = served.bot
    good = bot.services.engine
    bot.services.engine = create_engine("sqlite:////nonexistent/dir/db.sqlite3")
    try:
        response = await served.http.get("/healthz")
        detail = await served.http.get("/metrics/health")
        live = await served.http.get("/livez")
    finally:
        bot.services.engine.dispose()
        bot.services.engine = good
    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy"}
    assert detail.json()["database"] is False
    assert live.status_code == 503
    assert live.json()["database"] is False


async def test_metrics_count_updates_latency_sends_and_outbox(served: Served) -> None:
    """After one update and its answer, /metrics shows them in Prometheus' text format."""
    await served.bot.send(ADMIN_ID, "/whoami")
    response = await served.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = response.text.splitlines()
    assert 'dondoc_updates_received_total{channel="telegram"} 1' in lines
    assert 'dondoc_handler_seconds_count{channel="telegram"} 1' in lines
    assert 'dondoc_handler_seconds_bucket{channel="telegram",le="+Inf"} 1' in lines
    assert "dondoc_database_up 1" in lines
    assert "dondoc_outbox_depth 0" in lines
    assert "dondoc_reminders_due_today 0" in lines
    assert "# TYPE dondoc_sends_total counter" in lines
    assert any(line.startswith('dondoc_loop_lag_seconds{stat="max"}') for line in lines)
