"""`dondoc demo`'s work: the fake servers, the sample database, the bot and the web server.

Imported only when the demo runs (bot.commands.demo). Everything is the product's own
code but four things, all given at this composition root: the Telegram and Zalo servers
are the fakes of `devtools/` on loopback in this process, the database is an SQLite file of
the demo's own, the clock is the demo's (`DemoClock`), and the web application gets the
simulator's routes (`bot.demo.simulator`). No outbound network: both base URLs are the
fakes', no proxy, and the web server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from bot.app import build_application
from bot.commands.serving import Server
from bot.commands.startup import SWITCH_INTERVAL_S
from bot.console import EXIT_FAILED, EXIT_OK, say, setup_logging
from bot.demo import sample
from bot.demo.clock import CLOCK_KEY, DemoClock, working_morning
from bot.demo.routes import add_routes
from bot.demo.simulator import TRANSCRIPT, Simulator
from bot.lock import AlreadyRunning, single_instance
from bot.settings import Settings
from bot.web import serve_app
from db.engine import make_engine, session_scope, sqlite_file
from db.migrate import upgrade
from db.queries import state
from db.queries.calendar import working_calendar
from devtools.fakebotapi import FakeBotApi
from devtools.fakezalo.server import FakeZalo

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # the demo is never reachable from another machine
DEFAULT_PORT = 8080
# The demo's own tokens: obviously not secrets, and no real bot's. The single-instance lock
# keys on the token: each data folder's demo has its own (`tokens`), so two demos on two
# folders may run side by side, and one folder serves one demo.
TELEGRAM_BOT = "424242"
ZALO_BOT = "4242424242"
FILE_NAME = "demo.sqlite3"


def data_folder(settings: Settings) -> Path:
    """Return the data folder: the configured SQLite file's, else ./data."""
    db_file = sqlite_file(settings.database_url)
    return db_file.parent if db_file is not None else Path("data")


def tokens(folder: Path) -> tuple[str, str]:
    """Return the demo's Telegram and Zalo tokens for a data folder."""
    mark = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return f"{TELEGRAM_BOT}:dondoc-demo-{mark}", f"{ZALO_BOT}:dondoc-demo-{mark}"


def demo_settings(settings: Settings, telegram: FakeBotApi, zalo: FakeZalo, port: int) -> Settings:
    """Return the demo's settings: the defaults, the fakes' addresses, its own files.

    Nothing of the installation's configuration is taken but the language and log level:
    no token, proxy, database, admin or folder of a real province can reach the demo.
    """
    folder = data_folder(settings)
    base = f"http://{HOST}:{port}"
    return Settings.model_construct(
        bot_token=SecretStr(telegram.token),
        zalo_bot_token=SecretStr(zalo.token),
        telegram_base_url=telegram.base_url,
        telegram_base_file_url=telegram.base_file_url,
        zalo_base_url=zalo.url,
        database_url=f"sqlite:///{folder / FILE_NAME}",
        evidence_dir=folder / "demo-evidence",
        default_language=settings.default_language,
        log_level=settings.log_level,
        web_host=HOST,
        web_port=port,
        public_base_url=base,
    )


def port_free(port: int) -> bool:
    """Tell whether the port can be listened on at 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def forget(settings: Settings) -> None:
    """Delete the demo's database and evidence (`--fresh`): the sample is built again."""
    db_file = sqlite_file(settings.database_url)
    assert db_file is not None
    for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm"), transcript(settings)):
        path.unlink(missing_ok=True)
    if settings.evidence_dir is not None:
        shutil.rmtree(settings.evidence_dir, ignore_errors=True)


def transcript(settings: Settings) -> Path:
    """Return where the four panes' chats are kept between runs (beside the database)."""
    db_file = sqlite_file(settings.database_url)
    assert db_file is not None
    return db_file.with_name(TRANSCRIPT)


def prepare(settings: Settings, engine: Engine, now: datetime) -> datetime:
    """Migrate; build the sample province unless there; return where the demo's clock stands.

    A sample built now starts with empty chats: a transcript left from another is deleted.
    """
    upgrade(engine)
    with session_scope(engine) as session:
        kept = state.value(session, CLOCK_KEY)
        if kept is not None:
            return datetime.fromisoformat(kept)
        transcript(settings).unlink(missing_ok=True)
        local = now.astimezone(settings.tz)
        morning = working_morning(
            working_calendar(session), local.date(), settings.tz, after=False
        )
        sample.build(session, morning=morning, tz=settings.tz)
        state.write(session, CLOCK_KEY, morning.isoformat(), now=now)
    return morning


def people(telegram: FakeBotApi, zalo: FakeZalo) -> None:
    """Make the sample's people known to the fakes, as having started the bot."""
    for persona in sample.PEOPLE:
        if persona.channel == "telegram":
            user = telegram.add_user(int(persona.external_id), persona.name)
            user.started = True
        else:
            zalo.add_user(persona.external_id, persona.name, wrote=True)


def run_demo(settings: Settings, *, port: int, fresh: bool) -> int:
    """Run the demo until Ctrl+C or SIGTERM.

    The demo of the same data folder already running is said so before a taken port: that
    is what holds the port (`--fresh` while it runs), and another port would not help.
    """
    setup_logging("WARNING" if settings.log_level == "INFO" else settings.log_level, [])
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    telegram_token, zalo_token = tokens(data_folder(settings))
    with (
        FakeBotApi(telegram_token, bot_username="dondoc_demo_bot") as telegram,
        FakeZalo(zalo_token) as zalo,
    ):
        chosen = demo_settings(settings, telegram, zalo, port)
        Path(chosen.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
        engine = make_engine(chosen.database_url)
        try:
            with single_instance(chosen, engine):
                if not port_free(port):
                    say("demo.port_busy", err=True, port=str(port))
                    return EXIT_FAILED
                if fresh:
                    engine.dispose()
                    forget(chosen)
                clock = DemoClock(prepare(chosen, engine, datetime.now(UTC)))
                people(telegram, zalo)
                application = build_application(chosen, clock=clock, engine=engine)
                simulator = Simulator(chosen, telegram, zalo, clock, application)
                simulator.restore(transcript(chosen))
                return _serve(simulator)
        except AlreadyRunning:
            say("demo.already_running", err=True)
            return EXIT_FAILED
        finally:
            engine.dispose()


class DemoServer(Server):
    """The web server, saying where the demo is once it listens."""

    def __init__(self, config: uvicorn.Config, address: str) -> None:
        super().__init__(config)
        self.address = address

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start, then print the address and how to go live."""
        await super().startup(sockets)
        if self.started:
            say("demo.ready", address=self.address)
            say("demo.go_live")


def _serve(simulator: Simulator) -> int:
    """Serve the demo's web application (dashboard, webhooks, simulator) until stopped."""
    settings = simulator.settings
    web_app = serve_app(settings, simulator.application)
    add_routes(web_app, simulator)
    config = uvicorn.Config(
        web_app,
        host=HOST,
        port=settings.web_port,
        log_config=None,  # ours (setup_logging)
        access_log=False,
        lifespan="on",
        server_header=False,
    )
    server = DemoServer(config, f"{settings.public_base_url}/demo")
    asyncio.run(server.serve())
    if server.started:  # stopped (Ctrl+C): the next start goes on from here
        simulator.save(transcript(settings))
        simulator.keep_clock()
    return EXIT_OK if server.started else EXIT_FAILED
