"""Settings: one pydantic-settings class, read from the environment and `.env`.

Its variables, defaults and bounds are `bot/settings_fields.py`; this class checks each
value as it is read (the shapes and readers in `bot/settings_parsing.py`) and derives what
the bot uses from them. A wrong value is told by `bot/settings_errors.py`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, ValidationInfo, field_validator, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings_fields import SettingsFields
from bot.settings_parsing import (
    CRON_FIELDS,
    FRAME_ORIGIN_SHAPE,
    TOKEN_SHAPE,
    WEB_SECRET_SHAPE,
    WEBHOOK_SECRET_SHAPE,
    ZALO_ID_SHAPE,
    ZALO_TOKEN_SHAPE,
    comma_listed,
    int_list,
    is_http_url,
    placeholder,
)
from core.workhours import WorkHours
from db.engine import sqlite_file
from scheduler.cron import trigger_for


class Settings(SettingsFields):
    """Everything an installation configures; the names are a contract (see .env.example)."""

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
        return int_list(value)

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
            value = comma_listed(value)
        if isinstance(value, list) and not all(
            isinstance(v, str) and ZALO_ID_SHAPE.match(v) for v in value
        ):
            raise ValueError("Zalo user ids, comma-separated")
        return value

    @field_validator("miniapp_frame_origins", mode="before")
    @classmethod
    def _parse_frame_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = comma_listed(value)
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
        # Blank is no reminder before any deadline, the bot's very work: a slip, not a choice.
        if isinstance(value, str) and not value.strip(" ,[]"):
            raise ValueError("working days, comma-separated")
        days = int_list(value)
        if isinstance(days, list) and any(not isinstance(d, int) or d < 0 for d in days):
            raise ValueError("non-negative whole numbers of working days")
        return days

    @field_validator(
        "telegram_base_url", "telegram_base_file_url", "zalo_base_url", "public_base_url"
    )
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not is_http_url(value):
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
        try:  # a port that is no number failed only at the first call, in a traceback
            _ = parsed.port  # reading it is the check
        except ValueError:
            raise ValueError("a proxy URL") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        # The drivers dondoc installs: another one (postgresql+psycopg2://, as other programs
        # write it) is not there, and ended the start in a traceback from SQLAlchemy.
        if not re.match(r"^(sqlite(\+pysqlite)?|postgresql(\+psycopg)?)://", value):
            raise ValueError("a database URL")
        try:  # what the engine reads: a port that is no number fails only there, at start
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError("a database URL") from None
        # sqlite:// alone is a database in memory: everything would be lost at each restart.
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            raise ValueError("a database URL")
        # A password typed with an "@" unencoded (%40): its end was read as the host, which
        # the driver's error then named, the password's tail with it.
        if "@" in (url.host or ""):
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
            trigger = trigger_for(value, ZoneInfo("UTC"))  # the conversion the digest job uses
        except (ValueError, KeyError) as exc:
            raise ValueError("a crontab line") from exc
        # "0 8 30 2 *" (30 February) is a valid line that never comes: the digest would never
        # be sent, and nothing would say why.
        if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
            raise ValueError("a crontab line")
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
            if placeholder(token) or not TOKEN_SHAPE.match(token):
                raise ValueError("bot_token: placeholder")
        zalo = self.zalo_bot_token
        if self.env == "production" and zalo is not None and placeholder(zalo.get_secret_value()):
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
