"""Run a built application inside the current event loop, as run_polling() would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application

App = Application[Any, Any, Any, Any, Any, Any]


@asynccontextmanager
async def polling(app: App, *, poll_timeout: int = 1) -> AsyncIterator[App]:
    """Initialise, start and poll until the block ends; then stop and shut down in order.

    run_polling() owns the event loop and calls post_init/post_shutdown itself; tests and
    benchmarks share their loop with other work, so they use this instead.
    """
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    # Every kind of update, as `dondoc run` and the webhook ask (reactions are opt-in).
    await app.updater.start_polling(
        poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
    )
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
