"""The settings an installation configures: each variable, its default and its bounds.

The names are a contract (see .env.example). `bot/settings.py`'s `Settings` adds what each
value is checked against (bot/settings_parsing.py) and what is derived from them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

OUTBOX_KEEP_DAYS = 400
OUTBOX_KEEP_FEWEST, OUTBOX_KEEP_MOST = 30, 36500  # a month; a century, to keep them all
MIN_SEND_RATE_PER_S = 1.0  # the least a channel's sender may be given (see send_rate_per_s)


class SettingsFields(BaseSettings):
    """Everything an installation configures, as read; `Settings` is what the bot uses."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite:///data/dondoc.sqlite3"
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    https_proxy: str | None = None
    # How the bot calls the Bot API: "aiohttp" (handlers/telegram/transport.py, about half the
    # CPU a call) or "httpx" (python-telegram-bot's own). A socks proxy always takes httpx.
    telegram_http: Literal["aiohttp", "httpx"] = "aiohttp"
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: Literal["vi", "en"] = "vi"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    env: Literal["development", "production"] = "development"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    evidence_dir: Path | None = None
    evidence_quota_mb: int = Field(default=200, ge=1, le=1_000_000)
    invite_ttl_days: int = Field(default=14, ge=1, le=365)
    # Days the outbox keeps a message once sent, failed or cancelled (db/queries/outbox_purge):
    # a reply quoting a reminder finds it by its row for that long.
    outbox_keep_days: int = Field(
        default=OUTBOX_KEEP_DAYS, ge=OUTBOX_KEEP_FEWEST, le=OUTBOX_KEEP_MOST
    )
    reminder_days_before: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [5, 2, 1, 0]
    )
    overdue_every_days: int = Field(default=2, ge=1, le=60)
    escalate_after: int = Field(default=2, ge=1, le=60)
    work_hours: str = "07:30-11:30,13:30-17:00"
    # At least one message a second (MIN_SEND_RATE_PER_S): slower, a morning's reminders to a
    # province's few hundred contacts take hours (at 0.0001, weeks) and a person's answer,
    # which shares the rate, waits behind them; one a second is what Telegram allows a chat.
    send_rate_per_s: float = Field(default=29.0, ge=MIN_SEND_RATE_PER_S, le=30)
    forward_blockers: bool = True
    digest_cron: str = "0 8 * * 1"
    # Largest CSV/XLSX file an import reads; Telegram lets a bot download at most 20 MB.
    import_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=20 * 1024 * 1024)
    # The largest file the bot sends through a channel; a larger one goes as a signed web link
    # (app/file_limits.py). Telegram's Bot API takes documents up to 50 MB (and photos up to
    # 10 MB, whatever this says). A Zalo bot sends no documents, only a chart as a photo by
    # URL; Zalo publishes no bound for it, so Zalo OA's 1 MB for an image is kept.
    telegram_file_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1, le=2000 * 1024 * 1024)
    zalo_file_max_bytes: int = Field(default=1024 * 1024, ge=1, le=2000 * 1024 * 1024)
    # Zalo Bot (Zalo Bot Creator); the product appends /bot<token>/<method> to the base URL.
    zalo_bot_token: SecretStr | None = None
    zalo_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_secret: SecretStr | None = None
    zalo_send_rate_per_s: float = Field(default=10.0, ge=MIN_SEND_RATE_PER_S, le=100)
    # The least time between two messages to one person on Zalo (Telegram's is one a second).
    zalo_send_per_person_s: float = Field(default=1.0, ge=0, le=60)
    zalo_admin_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # How long one getUpdates asks Zalo to wait for an event (a stop waits for the open one as
    # long as Zalo holds it, within its budget: `handlers.zalo.poller.STOP_BUDGET_S`).
    zalo_poll_timeout_s: int = Field(default=10, ge=1, le=30)

    fake_clock_start: datetime | None = None  # development only: trials and tests
    # Where the event-loop probe writes its figures (JSON, every second); empty: nowhere.
    loop_probe_file: str = ""
    # The lateness past which the probe logs a stall with what the loop ran (benchmarks
    # lower it to see shorter ones).
    loop_probe_stall_ms: float = Field(default=200.0, gt=0, le=60_000)
    # `dondoc serve`: where the web server listens, the address people and Telegram reach it
    # at (https in production; webhooks and links are built on it), and the secret that
    # signs its links and webhook secrets (never logged; empty: derived from BOT_TOKEN).
    web_host: str = "127.0.0.1"
    # "single" (the default): one process per token and database, SQLite or PostgreSQL.
    # "multi": several `dondoc serve` workers on one PostgreSQL database (scheduler/roles.py).
    workers: Literal["single", "multi"] = "single"
    web_port: int = Field(default=8080, ge=1, le=65535)
    public_base_url: str = "http://127.0.0.1:8080"
    web_secret: SecretStr | None = None
    # The sites that may show the Mini App (/app, and the pages signed in through it) in a
    # frame, as Telegram Web (web.telegram.org/k and /a) does; every other page is framed by
    # none. Origins (scheme://host[:port]), comma-separated; empty: framed by none.
    miniapp_frame_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["https://web.telegram.org"]
    )
    # The formal report (/report): who issues it, its number's symbol, where, who signs.
    org_parent: str = Field(default="UBND tỉnh Quảng Nam", min_length=1, max_length=200)
    org_name: str = Field(default="Sở Khoa học và Công nghệ", min_length=1, max_length=200)
    org_symbol: str = Field(default="SKHCN", pattern=r"^[^\s/]{1,30}$")
    org_place: str = Field(default="Quảng Nam", min_length=1, max_length=100)
    report_signer_title: str = Field(default="Giám đốc", min_length=1, max_length=200)
    report_signer_name: str = Field(default="", max_length=200)
    report_template: Path | None = None  # empty: the template shipped in the package
