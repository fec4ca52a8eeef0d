"""Settings: one pydantic-settings class, read from the environment and `.env`."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.workhours import WorkHours
from db.engine import sqlite_file
from scheduler.cron import trigger_for

PLACEHOLDER_MARKERS = ("replace-me", "changeme", "change-me", "example", "your-token", "xxxx")
TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
# A Zalo Bot token is `<bot_id>:<secret>`, as Zalo Bot Creator shows it.
ZALO_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{8,}$")
ZALO_ID_SHAPE = re.compile(r"^[A-Za-z0-9]{1,64}$")
WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,256}$")
WEB_SECRET_SHAPE = re.compile(r"^\S{16,}$")
# An origin a page may be framed by (CSP frame-ancestors): scheme, host, optional port.
FRAME_ORIGIN_SHAPE = re.compile(r"^https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$")
CRON_FIELDS = 5
OUTBOX_KEEP_DAYS = 400
OUTBOX_KEEP_FEWEST, OUTBOX_KEEP_MOST = 30, 36500  # a month; a century, to keep them all


class Settings(BaseSettings):
    """Everything an installation configures; the names are a contract (see .env.example)."""

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
    send_rate_per_s: float = Field(default=29.0, gt=0, le=30)
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
    zalo_send_rate_per_s: float = Field(default=10.0, gt=0, le=100)
    # The least time between two messages to one person on Zalo (Telegram's is one a second).
    zalo_send_per_person_s: float = Field(default=1.0, ge=0, le=60)
    zalo_admin_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # How long one getUpdates waits for an event; a stop waits for the open one, up to this.
    zalo_poll_timeout_s: int = Field(default=10, ge=1, le=30)

    fake_clock_start: datetime | None = None  # development only: trials and tests
    # Where the event-loop probe writes its figures (JSON, every second); empty: nowhere.
    loop_probe_file: str = ""
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

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("default_language", "env", "telegram_http", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        return _int_list(value)

    @field_validator(
        "bot_token", "zalo_bot_token", "zalo_webhook_secret", "web_secret", mode="before"
    )
    @classmethod
    def _empty_secret(cls, value: object) -> object:
        # Blanks around a pasted secret are not part of it; blanks alone are no secret.
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("bot_token")
    @classmethod
    def _check_bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Any other shape is left to Telegram (a test server's token is "1:x"), but a token
        # with a blank inside was pasted wrong: Telegram would refuse it at each start.
        if value is not None and any(c.isspace() for c in value.get_secret_value()):
            raise ValueError("a token without spaces")
        return value

    @field_validator("web_secret")
    @classmethod
    def _check_web_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # It signs every download link: a short one could be found from a link by trying.
        if value is not None and not WEB_SECRET_SHAPE.match(value.get_secret_value()):
            raise ValueError("16 or more characters without spaces")
        return value

    @field_validator("zalo_bot_token")
    @classmethod
    def _check_zalo_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not ZALO_TOKEN_SHAPE.match(value.get_secret_value()):
            raise ValueError("a Zalo bot token <bot_id>:<secret>")
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_SHAPE.match(value.get_secret_value()):
            raise ValueError("8 to 256 letters, digits, _ or -")
        return value

    @field_validator("zalo_admin_ids", mode="before")
    @classmethod
    def _parse_zalo_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            value = _comma_listed(value)
        if isinstance(value, list) and not all(
            isinstance(v, str) and ZALO_ID_SHAPE.match(v) for v in value
        ):
            raise ValueError("Zalo user ids, comma-separated")
        return value

    @field_validator("miniapp_frame_origins", mode="before")
    @classmethod
    def _parse_frame_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = _comma_listed(value)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return value
        origins = [v.lower().removesuffix("/") for v in value]
        if not all(FRAME_ORIGIN_SHAPE.match(o) for o in origins):
            raise ValueError(
                "origins such as https://web.telegram.org, comma-separated:"
                " scheme and host (and port), no path, no wildcard"
            )
        return origins

    @field_validator("reminder_days_before", mode="before")
    @classmethod
    def _parse_days_before(cls, value: object) -> object:
        days = _int_list(value)
        if isinstance(days, list) and any(not isinstance(d, int) or d < 0 for d in days):
            raise ValueError("non-negative whole numbers of working days")
        return days

    @field_validator(
        "telegram_base_url", "telegram_base_file_url", "zalo_base_url", "public_base_url"
    )
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not _is_http_url(value):
            raise ValueError("an http(s) URL")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _check_public_base_url(cls, value: str) -> str:
        # The dashboard's pages link to /static, /tasks/...: the server must be at the root.
        parsed = urlparse(value)
        if parsed.path.strip("/") or parsed.query or parsed.fragment or parsed.params:
            raise ValueError("the server's address alone, without a path")
        return value.rstrip("/")

    @field_validator("web_host")
    @classmethod
    def _check_web_host(cls, value: str) -> str:
        # Else uvicorn says only "Name or service not known", after the bot started.
        if not value or any(c.isspace() or c in "/@" for c in value):
            raise ValueError("an address to listen on")
        return value

    @field_validator("https_proxy")
    @classmethod
    def _check_proxy(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https", "socks5", "socks5h") or not parsed.netloc:
            raise ValueError("a proxy URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgresql)(\+[a-z0-9]+)?://", value):
            raise ValueError("a database URL")
        try:  # what the engine reads: a port that is no number fails only there, at start
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError("a database URL") from None
        # sqlite:// alone is a database in memory: everything would be lost at each restart.
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            raise ValueError("a database URL")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("a time zone") from exc
        return value

    @field_validator("work_hours")
    @classmethod
    def _check_work_hours(cls, value: str) -> str:
        try:
            WorkHours.parse(value)
        except ValueError as exc:
            raise ValueError("working hours") from exc
        return value

    @field_validator("digest_cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        if len(value.split()) != CRON_FIELDS:
            raise ValueError("a crontab line")
        try:
            trigger_for(value, ZoneInfo("UTC"))  # the same conversion the digest job uses
        except (ValueError, KeyError) as exc:
            raise ValueError("a crontab line") from exc
        return value

    @field_validator("report_template", "evidence_dir", mode="before")
    @classmethod
    def _empty_path(cls, value: object) -> object:
        # `EVIDENCE_DIR=` (as .env.example has it) is the default, not the current folder.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "org_parent", "org_name", "org_place", "report_signer_title", "report_signer_name"
    )
    @classmethod
    def _strip_words(cls, value: str, info: ValidationInfo) -> str:
        # Blanks alone would print an empty header line in every formal report.
        if not value.strip() and info.field_name != "report_signer_name":
            raise ValueError("words, not blanks")
        return value.strip()

    @field_validator("report_template")
    @classmethod
    def _check_template(cls, value: Path | None) -> Path | None:
        if value is not None and (value.suffix.lower() != ".docx" or not value.is_file()):
            raise ValueError("a .docx file that exists")
        return value

    @field_validator("fake_clock_start", mode="before")
    @classmethod
    def _empty_fake_clock(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("fake_clock_start")
    @classmethod
    def _check_fake_clock(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("an ISO date and time with its offset")
        return value

    @model_validator(mode="after")
    def _refuse_fake_clock_in_production(self) -> Settings:
        if self.env == "production" and self.fake_clock_start is not None:
            raise ValueError("fake_clock_start: not in production")
        return self

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.env == "production" and self.bot_token is not None:
            token = self.bot_token.get_secret_value()
            if _placeholder(token) or not TOKEN_SHAPE.match(token):
                raise ValueError("bot_token: placeholder")
        zalo = self.zalo_bot_token
        if self.env == "production" and zalo is not None and _placeholder(zalo.get_secret_value()):
            raise ValueError("zalo_bot_token: placeholder")
        return self

    @property
    def channels(self) -> tuple[str, ...]:
        """Return the channels these settings have a token for ("telegram", "zalo")."""
        named = (("telegram", self.bot_token), ("zalo", self.zalo_bot_token))
        return tuple(name for name, token in named if token is not None)

    @property
    def public_base_url_set(self) -> bool:
        """Tell whether PUBLIC_BASE_URL was given (Zalo's file links need the real address)."""
        return "public_base_url" in self.model_fields_set

    @property
    def link_secret(self) -> str | None:
        """Return the secret links and webhook secrets derive from: WEB_SECRET, else BOT_TOKEN."""
        for secret in (self.web_secret, self.bot_token):
            if secret is not None and secret.get_secret_value():
                return secret.get_secret_value()
        return None

    @property
    def tz(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        """Tell whether the database is an SQLite file."""
        return self.database_url.startswith("sqlite")

    @property
    def evidence_path(self) -> Path:
        """Return where evidence files are kept (default: beside the SQLite file or ./data)."""
        if self.evidence_dir is not None:
            return self.evidence_dir
        db_file = sqlite_file(self.database_url)
        base = db_file.parent if db_file is not None else Path("data")
        return base / "evidence"


def _int_list(value: object) -> object:
    """Turn '1,2' or '[1, 2]' into a list of ints; leave anything else to pydantic."""
    if isinstance(value, int):
        return [value]
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError("a list of numbers") from exc
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not all(re.fullmatch(r"-?\d+", p) for p in parts):
        raise ValueError("a list of numbers")
    return [int(p) for p in parts]


def _comma_listed(text: str) -> list[str]:
    """Return the words of a comma-separated setting, as an .env or a JSON-ish list writes
    it (brackets and quotes dropped, blanks skipped)."""
    parts = (part.strip("\"' ") for part in text.strip().strip("[]").split(","))
    return [part for part in parts if part]


def _placeholder(token: str) -> bool:
    """Tell whether a secret is still the example's placeholder."""
    return any(marker in token.lower() for marker in PLACEHOLDER_MARKERS)


def _is_http_url(value: str) -> bool:
    """Tell whether the value is an absolute http(s) URL."""
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


# Up to the last "@": a password typed with an "@" in it (unencoded) is hidden whole.
PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:).*@")


def describe_errors(error: ValidationError) -> list[tuple[str, str]]:
    """Return (VARIABLE, got) pairs for each invalid setting, for one-line messages."""
    pairs: list[tuple[str, str]] = []
    for item in error.errors():
        loc = item.get("loc") or ()
        field = str(loc[0]) if loc else ""
        for name in ("zalo_bot_token", "bot_token"):
            if not field and name in str(item.get("msg", "")):
                field = name
        if not field and "fake_clock_start" in str(item.get("msg", "")):
            field = "fake_clock_start"
        got = item.get("input")
        hidden = field in ("bot_token", "zalo_bot_token", "zalo_webhook_secret", "web_secret")
        shown = "" if hidden or isinstance(got, dict) else str(got)
        # Any URL's password (DATABASE_URL's, HTTPS_PROXY's user:password@proxy).
        shown = PASSWORD_IN_URL.sub(r"\1***@", shown)
        pairs.append((field.upper(), shown))
    return pairs
