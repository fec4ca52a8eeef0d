"""Settings: defaults, parsing, and one clear line per wrong value."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.i18n import load_catalog
from bot.console import ConfigError, load_settings
from bot.settings import Settings


def make(**env: str) -> Settings:
    """Build settings from the given values only (no .env file)."""
    return Settings(_env_file=None, **env)  # type: ignore[arg-type]


def test_defaults_match_the_contract() -> None:
    """With nothing configured, the documented defaults apply."""
    s = make()
    assert s.bot_token is None
    assert s.database_url == "sqlite:///data/dondoc.sqlite3"
    assert s.timezone == "Asia/Ho_Chi_Minh"
    assert s.default_language == "vi"
    assert s.reminder_days_before == [5, 2, 1, 0]
    assert s.work_hours == "07:30-11:30,13:30-17:00"
    assert s.send_rate_per_s == 29
    assert s.digest_cron == "0 8 * * 1"
    assert s.telegram_base_url == "https://api.telegram.org/bot"
    assert s.import_max_bytes == 5 * 1024 * 1024
    assert (s.org_parent, s.org_name, s.org_symbol) == (
        "UBND tỉnh Quảng Nam",
        "Sở Khoa học và Công nghệ",
        "SKHCN",
    )
    assert s.report_template is None
    assert s.outbox_keep_days == 400
    assert s.telegram_http == "aiohttp"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("123,456", [123, 456]), ("[123, 456]", [123, 456]), (" 7 ", [7]), ("", [])],
)
def test_admin_ids_accept_commas_and_json(raw: str, expected: list[int]) -> None:
    """ADMIN_IDS is read from a comma-separated list or a JSON list."""
    assert make(admin_ids=raw).admin_ids == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ADMIN_IDS", "123,abc"),
        ("TIMEZONE", "Mars/Olympus"),
        ("TELEGRAM_BASE_URL", "not a url"),
        ("TELEGRAM_BASE_URL", "http://127.0.0.1:99999/bot"),
        ("ZALO_BASE_URL", "https://bot-api.zaloplatforms.com:443x"),
        ("DATABASE_URL", "mysql://x"),
        ("WORK_HOURS", "17:00-07:30"),
        # Blank, it read as no day at all: not one reminder before any deadline, no word.
        ("REMINDER_DAYS_BEFORE", ""),
        ("REMINDER_DAYS_BEFORE", " , "),
        ("SEND_RATE_PER_S", "100"),
        ("DIGEST_CRON", "every monday"),
        ("DIGEST_CRON", "0 8 * * 8"),
        ("DIGEST_CRON", "61 8 * * 1"),
        ("DIGEST_CRON", "0 8 30 2 *"),
        ("LOG_LEVEL", "LOUD"),
        ("HTTPS_PROXY", "proxy"),
        # Its port no number: it passed, and `dondoc run` ended in a traceback.
        ("HTTPS_PROXY", "http://proxy.example:3128x"),
        ("IMPORT_MAX_BYTES", "5MB"),
        ("IMPORT_MAX_BYTES", "0"),
        ("IMPORT_MAX_BYTES", "104857600"),
        ("REPORT_TEMPLATE", "/nowhere/mau.docx"),
        ("REPORT_TEMPLATE", "pyproject.toml"),
        ("ORG_SYMBOL", "BC/SKHCN"),
        ("ORG_NAME", ""),
        ("PUBLIC_BASE_URL", "dondoc.example.vn"),
        ("WEB_PORT", "70000"),
        ("WORKERS", "many"),
        ("TELEGRAM_HTTP", "requests"),
        ("OUTBOX_KEEP_DAYS", "0"),
        ("OUTBOX_KEEP_DAYS", "-5"),
        ("OUTBOX_KEEP_DAYS", "a year"),
        ("OUTBOX_KEEP_DAYS", ""),
        ("OUTBOX_KEEP_DAYS", "29"),
        ("BOT_TOKEN", "123456:AAH pasted with a space"),
        ("PUBLIC_BASE_URL", "https://dondoc.example.vn/dondoc"),
        ("PUBLIC_BASE_URL", "https://dondoc.example.vn/?a=1"),
        ("WEB_SECRET", "short"),
        ("WEB_SECRET", "a secret with spaces in it"),
        ("DATABASE_URL", "sqlite://"),
        ("DATABASE_URL", "sqlite:///:memory:"),
        ("ORG_NAME", "   "),
        ("WEB_HOST", ""),
        ("WEB_HOST", "my server"),
        ("MINIAPP_FRAME_ORIGINS", "https://web.telegram.org/k/"),
        ("MINIAPP_FRAME_ORIGINS", "https://*.telegram.org"),
        ("MINIAPP_FRAME_ORIGINS", "web.telegram.org"),
        ("MINIAPP_FRAME_ORIGINS", "https://web.telegram.org; script-src *"),
        ("MINIAPP_FRAME_ORIGINS", "'self'"),
    ],
)
def test_load_settings_names_the_wrong_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """A wrong value gives one line that names the variable and what is expected."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None)
    assert len(caught.value.lines) == 1
    assert variable in caught.value.lines[0]
    assert not caught.value.lines[0].endswith(" ?.")  # what is expected was missing


def test_every_setting_says_what_it_expects() -> None:
    """Each setting has its "expected" text in both languages, for the one line a wrong value
    gets: PUBLIC_BASE_URL, WEB_PORT, WORKERS and IMPORT_MAX_BYTES answered "expected ?"."""
    catalog = load_catalog()
    missing = [name for name in Settings.model_fields if not catalog.has(f"settings.{name}")]
    assert missing == []
    assert all(catalog.get("en", f"settings.{name}") for name in Settings.model_fields)


def test_miniapp_frame_origins_default_to_telegram_web_and_read_a_list() -> None:
    """Telegram Web frames the Mini App by default; a list of origins is read as such."""
    assert make().miniapp_frame_origins == ["https://web.telegram.org"]
    s = make(miniapp_frame_origins=" https://web.telegram.org/, HTTP://localhost:8443 ")
    assert s.miniapp_frame_origins == ["https://web.telegram.org", "http://localhost:8443"]
    assert make(miniapp_frame_origins="").miniapp_frame_origins == []


def test_production_refuses_placeholder_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """ENV=production refuses the placeholder token of .env.example, without showing it."""
    placeholder = "123456789:replace-me-with-the-token-from-botfather"
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("BOT_TOKEN", placeholder)
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None)
    assert "BOT_TOKEN" in caught.value.lines[0]
    assert placeholder not in caught.value.lines[0]


def test_development_accepts_placeholder_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside production a test token is fine (the fake server accepts anything)."""
    monkeypatch.setenv("BOT_TOKEN", "123:replace-me")
    assert load_settings(env_file=None).bot_token is not None


def test_bot_token_is_never_shown_in_repr() -> None:
    """The token is a secret: printing the settings does not reveal it."""
    s = make(bot_token="123456:SECRET-SECRET-SECRET-SECRET")
    assert "SECRET" not in repr(s)


def test_zalo_settings_have_the_documented_defaults() -> None:
    """Without Zalo settings, Zalo is off and its defaults apply."""
    s = make()
    assert s.zalo_bot_token is None
    assert s.zalo_base_url == "https://bot-api.zaloplatforms.com"
    assert s.zalo_send_rate_per_s == 10
    assert s.zalo_send_per_person_s == 1
    assert s.zalo_admin_ids == []
    assert s.zalo_poll_timeout_s == 10
    assert s.channels == ()


def test_a_zalo_token_alone_configures_the_zalo_channel() -> None:
    """BOT_TOKEN is optional when ZALO_BOT_TOKEN is set; admins are Zalo's string ids."""
    s = make(zalo_bot_token="12345:abcdefghij", zalo_admin_ids="7f3a9c0e, 0c9d2e7a")
    assert s.channels == ("zalo",)
    assert s.zalo_admin_ids == ["7f3a9c0e", "0c9d2e7a"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ZALO_BOT_TOKEN", "not-a-token"),
        ("ZALO_BASE_URL", "bot-api.zaloplatforms.com"),
        ("ZALO_WEBHOOK_SECRET", "short"),
        ("ZALO_SEND_RATE_PER_S", "0"),
        ("ZALO_SEND_PER_PERSON_S", "-1"),
        ("ZALO_SEND_PER_PERSON_S", "61"),
        ("ZALO_ADMIN_IDS", "a1b2, not an id"),
        ("ZALO_POLL_TIMEOUT_S", "31"),
    ],
)
def test_a_wrong_zalo_setting_is_named_without_its_secret(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """A wrong Zalo value stops start-up with one line naming it; a token is never shown."""
    line = refusal(monkeypatch, variable, value)
    if variable in ("ZALO_BOT_TOKEN", "ZALO_WEBHOOK_SECRET"):
        assert value not in line


def test_a_placeholder_zalo_token_is_refused_in_production() -> None:
    """ENV=production refuses the example's placeholder Zalo token."""
    with pytest.raises(ValueError, match="zalo_bot_token"):
        make(env="production", zalo_bot_token="12345:replace-me-please")


def test_empty_and_padded_values_mean_what_an_operator_meant() -> None:
    """`EVIDENCE_DIR=` (as .env.example has it) is the documented default, not the current
    folder; blanks around a token or secret are not part of it, and blanks alone are no
    secret; PUBLIC_BASE_URL's trailing slash is dropped; signer names lose their padding."""
    s = make(
        evidence_dir="",
        bot_token=" 123456:AAHpasted-with-blanks-around ",
        web_secret="   ",
        public_base_url="https://dondoc.example.vn/",
        org_name="  Sở Khoa học và Công nghệ ",
        report_signer_name=" ",
    )
    assert s.evidence_dir is None
    assert s.evidence_path == Path("data") / "evidence"
    assert s.bot_token is not None
    assert s.bot_token.get_secret_value() == "123456:AAHpasted-with-blanks-around"
    assert s.web_secret is None
    assert s.public_base_url == "https://dondoc.example.vn"
    assert (s.org_name, s.report_signer_name) == ("Sở Khoa học và Công nghệ", "")


def test_the_env_example_with_only_a_zalo_token_serves_zalo_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Zalo-only province copies .env.example to .env and fills in ZALO_BOT_TOKEN only
    (README): that is Zalo alone. BOT_TOKEN held a BotFather placeholder there, so Telegram
    ran too with it (and ENV=production stopped, asking for a @BotFather token)."""
    for name in ("BOT_TOKEN", "ZALO_BOT_TOKEN", "ENV"):
        monkeypatch.delenv(name, raising=False)
    example = (Path(__file__).parents[2] / ".env.example").read_text(encoding="utf-8")
    env = tmp_path / ".env"
    env.write_text(
        example.replace("ZALO_BOT_TOKEN=\n", "ZALO_BOT_TOKEN=4242424242:a-real-zalo-secret\n"),
        encoding="utf-8",
    )
    settings = load_settings(env_file=env)
    assert settings.channels == ("zalo",)


@pytest.mark.parametrize(
    ("variable", "value", "password"),
    [
        ("HTTPS_PROXY", "socks4://alice:Pr0xy-Pass@proxy:1080", "Pr0xy-Pass"),
        ("DATABASE_URL", "postgres://dondoc:s3cr@t-tail@db/dondoc", "t-tail"),
        # Passed as a postgresql:// URL: the driver named the host "t-tail@db" at start.
        ("DATABASE_URL", "postgresql://dondoc:s3cr@t-tail@db/dondoc", "t-tail"),
    ],
)
def test_a_wrong_url_setting_is_named_without_its_password(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, password: str
) -> None:
    """A refused URL is shown without its password (a proxy's too, and one holding an @)."""
    line = refusal(monkeypatch, variable, value)
    assert password not in line


def test_a_database_password_with_an_unencoded_at_is_told_how_to_write_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The refusal of a password typed with an "@" says how to write it: %40."""
    line = refusal(monkeypatch, "DATABASE_URL", "postgresql://dondoc:s3cr@t-tail@db/dondoc")
    assert "%40" in line


def refusal(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> str:
    """Set a variable and return the one line start-up refuses it with, naming it."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None)
    [line] = caught.value.lines
    assert variable in line
    return line


EVERY = "Every setting is in .env.example."


@pytest.fixture
def told_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which unknown variables this test process has already said."""
    monkeypatch.setattr("bot.console._told_unknown", set(), raising=False)


@pytest.mark.usefixtures("told_afresh")
def test_a_mistyped_setting_in_the_env_file_is_said_with_the_one_meant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An operator who writes TELEGRAM_TOKEN (or ZALO_BOT_TOKN) in .env got the bot without
    that channel, and not a word why: every name in .env that is no setting is said on
    stderr, with the setting it may stand for, its value (a token) never shown."""
    for name in ("BOT_TOKEN", "ZALO_BOT_TOKEN", "WEB_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    env = tmp_path / ".env"
    env.write_text(
        "TELEGRAM_TOKEN=123456:AAH-telegram-secret-value\n"
        "zalo_bot_tokn=4242:zalo-secret-value\n"
        "WEB_SECRT=a-web-secret-long-enough\n"
        "PUBLIC_URL=https://dondoc.example.vn\n"
        "ADMIN_IDS=1001\n",
        encoding="utf-8",
    )
    settings = load_settings(env_file=env)
    assert settings.channels == ()
    assert settings.admin_ids == [1001]
    lines = capsys.readouterr().err.splitlines()
    tail = "which is not a dondoc setting, so it is ignored"
    assert lines == [
        f"{env} holds PUBLIC_URL, {tail} (did you mean PUBLIC_BASE_URL?). {EVERY}",
        f"{env} holds TELEGRAM_TOKEN, {tail} (did you mean BOT_TOKEN?). {EVERY}",
        f"{env} holds WEB_SECRT, {tail} (did you mean WEB_SECRET?). {EVERY}",
        f"{env} holds ZALO_BOT_TOKN, {tail} (did you mean ZALO_BOT_TOKEN?). {EVERY}",
    ]
    assert not any("secret" in line for line in lines)
    load_settings(env_file=env)  # each command loads them: said once a process
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("told_afresh")
def test_a_mistyped_setting_in_the_environment_is_said_and_others_programs_are_not(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under systemd (/etc/dondoc/env) or compose (deploy/.env) the settings come as the
    environment, which holds other programs' variables too: a name that begins as only
    dondoc's do (ZALO_, TELEGRAM_...) or reads as a setting mistyped is said; a proxy's,
    compose's, another tool's token are not."""
    monkeypatch.setenv("BOT_TOKN", "123456:AAH-telegram-secret-value")
    monkeypatch.setenv("ZALO_TOKEN", "4242:zalo-secret-value")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    for other in (
        "HTTP_PROXY",
        "POSTGRES_PASSWORD",
        "DONDOC_DOMAIN",
        "GITHUB_TOKEN",
        "HTTPS_PORT",
    ):
        monkeypatch.setenv(other, "x")
    load_settings(env_file=None)
    assert capsys.readouterr().err.splitlines() == [
        "The environment variable BOT_TOKN is not a dondoc setting, so it is ignored"
        f" (did you mean BOT_TOKEN?). {EVERY}",
        "The environment variable ZALO_TOKEN is not a dondoc setting, so it is ignored"
        f" (did you mean ZALO_BOT_TOKEN?). {EVERY}",
    ]
