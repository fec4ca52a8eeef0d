"""GET /healthz, GET /livez, GET /metrics and GET /metrics/health: what an operator's probe,
a load balancer and Prometheus read.

`/healthz` says whether the whole service works, the senders included: a message stuck
for ten minutes (Telegram unreachable, say) makes it 503 on every worker at once. A load
balancer must not take every worker out for that, so it reads `/livez`: this process
serves and reaches the database. Both are public and say a status only; what lies behind
`/healthz` (the database, each channel's last good call, the outbox, and under
WORKERS=multi the worker's name and roles) is `/metrics/health`, which, like `/metrics`,
the proxy does not let through (deploy/Caddyfile): the internal network reads it.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from app import health
from app.health import DbFigures
from app.metrics import Metrics
from app.services import Services
from scheduler.workers import in_worker
from web.deps import WebDeps

log = logging.getLogger(__name__)

PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


async def _figures(services: Services) -> DbFigures | None:
    """Return the database's figures, or None when it cannot be read."""
    try:
        return await in_worker(health.figures, services)
    except Exception as exc:
        log.warning("health: the database is unreachable: %s", type(exc).__name__)
        return None


async def healthz(request: Request) -> Response:
    """Answer 200 when the database answers and nothing urgent waits too long, else 503;
    the status alone (the detail is /metrics/health's)."""
    body, healthy = await _health(request.app.state.deps)
    return JSONResponse({"status": body["status"]}, status_code=200 if healthy else 503)


async def health_detail(request: Request) -> Response:
    """Answer /healthz's status with what it is made of: database, channels, outbox, worker."""
    body, healthy = await _health(request.app.state.deps)
    return JSONResponse(body, status_code=200 if healthy else 503)


async def _health(deps: WebDeps) -> tuple[dict[str, object], bool]:
    """Return what the service's health is made of, and whether it is healthy."""
    services = deps.services
    now = services.clock.now()
    figures = await _figures(services)
    metrics = services.metrics.snapshot()
    channels = {
        name: {"last_ok": at.isoformat(), "seconds_ago": round((now - at).total_seconds())}
        for name, at in sorted(metrics.last_ok.items())
    }
    body: dict[str, object] = {"database": figures is not None, "channels": channels}
    if services.worker is not None:  # one of several workers (WORKERS=multi)
        body["worker"] = {"name": services.worker, "roles": services.roles.held()}
    healthy = figures is not None
    if figures is not None:
        body["outbox_oldest_due"] = figures.oldest_due.isoformat() if figures.oldest_due else None
        body["outbox_depth"] = figures.depth
        stuck = figures.stuck(now)
        body["outbox_stuck"] = stuck
        healthy = not stuck
    body["status"] = "ok" if healthy else "unhealthy"
    return body, healthy


async def livez(request: Request) -> Response:
    """Answer 200 when this process serves and reaches the database, else 503."""
    deps: WebDeps = request.app.state.deps
    try:
        await in_worker(health.ping, deps.services)
    except Exception as exc:
        log.warning("liveness: the database is unreachable: %s", type(exc).__name__)
        return JSONResponse({"status": "unhealthy", "database": False}, status_code=503)
    return JSONResponse({"status": "ok", "database": True})


async def metrics(request: Request) -> Response:
    """Answer the process's counters in Prometheus' text format."""
    deps: WebDeps = request.app.state.deps
    figures = await _figures(deps.services)
    lag = deps.loop_lag() if deps.loop_lag is not None else {}
    text_out = render(deps.services.metrics.snapshot(), figures, lag)
    return PlainTextResponse(text_out, media_type=PROMETHEUS)


def render(m: Metrics, figures: DbFigures | None, lag: dict[str, object]) -> str:
    """Return the metrics in Prometheus' text exposition format."""
    out: list[str] = []

    def family(name: str, kind: str, help_text: str) -> None:
        out.append(f"# HELP {name} {help_text}")
        out.append(f"# TYPE {name} {kind}")

    family("dondoc_updates_received_total", "counter", "Updates taken from a channel.")
    for channel, count in sorted(m.updates.items()):
        out.append(f'dondoc_updates_received_total{{channel="{channel}"}} {count}')
    family("dondoc_handler_seconds", "histogram", "Time to handle one update.")
    for channel, hist in sorted(m.handler_latency.items()):
        for bound, count in zip(hist.buckets, hist.counts, strict=True):
            out.append(
                f'dondoc_handler_seconds_bucket{{channel="{channel}",le="{bound}"}} {count}'
            )
        out.append(f'dondoc_handler_seconds_bucket{{channel="{channel}",le="+Inf"}} {hist.total}')
        out.append(f'dondoc_handler_seconds_sum{{channel="{channel}"}} {hist.sum:.6f}')
        out.append(f'dondoc_handler_seconds_count{{channel="{channel}"}} {hist.total}')
    family("dondoc_sends_total", "counter", "Send attempts by channel and result.")
    for (channel, result), count in sorted(m.sends.items()):
        out.append(f'dondoc_sends_total{{channel="{channel}",result="{result}"}} {count}')
    family("dondoc_rate_limited_total", "counter", "429 Too Many Requests from a channel.")
    for channel, count in sorted(m.rate_limited.items()):
        out.append(f'dondoc_rate_limited_total{{channel="{channel}"}} {count}')
    family("dondoc_database_up", "gauge", "1 when the database answered this scrape.")
    out.append(f"dondoc_database_up {0 if figures is None else 1}")
    if figures is not None:
        family("dondoc_outbox_depth", "gauge", "Messages waiting to be sent now.")
        out.append(f"dondoc_outbox_depth {figures.depth}")
        family("dondoc_reminders_due_today", "gauge", "Reminder messages due today.")
        out.append(f"dondoc_reminders_due_today {figures.reminders_due}")
        family("dondoc_reminders_sent_today", "gauge", "Reminder messages sent today.")
        out.append(f"dondoc_reminders_sent_today {figures.reminders_sent}")
    family("dondoc_loop_lag_seconds", "gauge", "How late the event loop woke up.")
    for key in ("max_ms", "p50_ms", "p95_ms", "p99_ms"):
        value = lag.get(key)
        if isinstance(value, int | float):
            quantile = key.removesuffix("_ms")
            out.append(f'dondoc_loop_lag_seconds{{stat="{quantile}"}} {value / 1000:.6f}')
    return "\n".join(out) + "\n"
