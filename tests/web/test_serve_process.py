"""`dondoc serve` as an operator runs it: a real process, webhooks from the fake server."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from devtools.fakebotapi import FakeBotApi
from devtools.ports import free_port
from tests import processes
from tests.bot.test_cli import START_TIMEOUT, dondoc, env_for, serve

WEB_SECRET = "serve-process-secret-0123456789abcdef"


def test_serve_takes_webhooks_answers_health_and_keeps_secrets(tmp_path: Path) -> None:
    """The process sets its webhook, answers a user through it, /healthz, and stops cleanly."""
    token = f"424243:serve-test-token-{uuid.uuid4().hex[:12]}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeBotApi(token) as server:
        env = env_for(
            tmp_path,
            server,
            WEB_PORT=str(port),
            PUBLIC_BASE_URL=base,
            WEB_SECRET=WEB_SECRET,
        )
        process = serve(tmp_path, env)
        try:
            server.wait_for_sync(
                lambda: server.webhook_info().url or None, START_TIMEOUT, "setWebhook"
            )
            assert server.webhook_info().url == f"{base}/webhook/telegram"
            server.add_user(7101, "An")
            server.send_command(7101, "start")
            server.wait_for_sync(lambda: server.messages(7101) or None, START_TIMEOUT, "a reply")
            assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
            second = dondoc(tmp_path, env, "serve")
            assert second.returncode == 1  # one bot process per token and database
        finally:
            if process.poll() is None:
                process.terminate()
            out, err = process.communicate(timeout=30)
            processes.keep("dondoc serve", env, out, err)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert token.split(":")[1] not in err + out
    assert WEB_SECRET not in err + out
