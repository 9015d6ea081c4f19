"""Database engine, sessions and schema upgrades, the same code on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from markwatch.config import database_url
from markwatch.errors import DatabaseError, InputError

# Stable constraint names so Alembic batch migrations on SQLite can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every table (registry, snapshots, sweeps, findings, cases)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite hands back naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def sqlite_busy_timeout_ms() -> int:
    """How long a SQLite writer waits for another one (MARKWATCH_SQLITE_BUSY_MS, default 10 s)."""
    raw = os.environ.get("MARKWATCH_SQLITE_BUSY_MS", "10000")
    if not raw.isdigit():
        raise InputError(f"must be a number of milliseconds, got {raw!r}", source="MARKWATCH_SQLITE_BUSY_MS")
    return int(raw)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={sqlite_busy_timeout_ms()}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_engines: dict[str, Engine] = {}
# The databases markwatch runs on (the migrations and the locks are written for these two).
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
_URL_EXAMPLES = "sqlite:///path/to/markwatch.db or postgresql+psycopg://user@host/dbname"
# Seconds to wait for a PostgreSQL server before saying it is unreachable (the driver would wait forever for a
# host that drops packets); a connect_timeout in the URL's query wins.
PG_CONNECT_TIMEOUT_S = 10
# Seconds a request waits for one of the pool's connections before it is refused (503, Retry-After).
PG_POOL_TIMEOUT_S = 5


class SourcedUrl(str):
    """A database URL that remembers where the command line got it: click hands a value read from
    MARKWATCH_DB to the command as if it were --db, and an error should name the one the user set."""

    source: str

    def __new__(cls, value: str, source: str = "--db") -> SourcedUrl:  # a default, so pickle can rebuild it
        url = super().__new__(cls, value)
        url.source = source
        return url


def url_source(explicit: str | None = None) -> str:
    """What a database URL came from, for error messages: the --db option, MARKWATCH_DB or the default."""
    if isinstance(explicit, SourcedUrl):
        return explicit.source
    if explicit:
        return "--db"
    return "MARKWATCH_DB" if os.environ.get("MARKWATCH_DB") else "MARKWATCH_HOME"


def parse_database_url(url: str, *, source: str = "database URL") -> URL:
    """The parsed URL of a database markwatch can use, or an InputError naming `source` and what is wrong
    (not a URL, a database markwatch does not run on), never a SQLAlchemy traceback."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise InputError(f"not a database URL: {url!r} (expected {_URL_EXAMPLES})", source=source) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise InputError(
            f"unsupported database {backend!r} in {parsed.render_as_string(hide_password=True)!r}: "
            f"markwatch runs on SQLite and PostgreSQL ({_URL_EXAMPLES})",
            source=source,
        )
    try:
        # The driver too (postgresql+psycopg2:// when markwatch ships psycopg 3), while the source is known.
        parsed.get_dialect().import_dbapi()
    except (ImportError, NoSuchModuleError) as exc:
        raise InputError(
            f"cannot use {parsed.render_as_string(hide_password=True)!r}: {_one_line(exc)} "
            f"(expected {_URL_EXAMPLES})",
            source=source,
        ) from None
    return parsed


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process; SQLite files get WAL, foreign keys and a busy timeout."""
    resolved = database_url(url)
    if resolved in _engines:
        return _engines[resolved]
    source = url_source(url)
    parsed = parse_database_url(resolved, source=source)
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(
                    f"cannot create the directory of database file {database!r}: {exc.strerror}",
                    source=source,
                ) from None
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        kwargs["pool_pre_ping"] = True
        # A request waits this long for a pooled connection, then is answered 503 + Retry-After (api/errors.py):
        # under a burst it was 30 s of stall and then a 500.
        kwargs["pool_timeout"] = PG_POOL_TIMEOUT_S
        if "connect_timeout" not in parsed.query:
            kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    try:
        engine = create_engine(resolved, **kwargs)
    except (ImportError, NoSuchModuleError, ArgumentError) as exc:
        # A driver that is not installed (postgresql+psycopg2://, where markwatch ships psycopg 3).
        raise InputError(
            f"cannot use {parsed.render_as_string(hide_password=True)!r}: {_one_line(exc)} "
            f"(expected {_URL_EXAMPLES})",
            source=source,
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    _engines[resolved] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests and subprocess boundaries)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def _lock_key(name: str) -> int:
    """A stable 63-bit key for a PostgreSQL advisory lock named `name`."""
    return zlib.crc32(f"markwatch:{name}".encode()) | (0x6D77 << 32)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        # Blocks until the holder's process releases it or exits (the kernel drops locks of dead processes).
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_file(engine: Engine, name: str) -> Path | None:
    """The lock file beside a SQLite database file for lock `name` (None for other databases)."""
    database = _sqlite_file(engine)
    return database.with_name(f"{database.name}.{name}.lock") if database else None


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Serialise schema migrations: a file lock beside a SQLite file, an advisory lock on PostgreSQL."""
    path = lock_file(engine, "migrate")
    if path is not None:
        with _file_lock(path):
            yield
        return
    if engine.url.get_backend_name() != "postgresql":
        yield
        return
    with engine.connect() as connection:
        key = _lock_key("migrate")
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()


def hold_until_transaction_ends(session: Session, name: str) -> None:
    """Take lock `name` for the rest of the session's transaction (writers of one kind then go one by one).

    PostgreSQL: a transaction-level advisory lock. SQLite: a file lock beside the database file, released
    when the session commits or rolls back (SQLite's own write lock would time out under a long import)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.url.get_backend_name() == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(name)})
        return
    path = lock_file(engine, name)
    if path is None:
        return
    lock = _file_lock(path)
    lock.__enter__()
    released = False

    def release(*_: Any) -> None:
        nonlocal released
        if not released:
            released = True
            lock.__exit__(None, None, None)

    event.listen(session, "after_commit", release, once=True)
    event.listen(session, "after_rollback", release, once=True)


_MIGRATIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w.-]+|None)['\"]?", re.MULTILINE)


def _head_revisions() -> set[str]:
    """The head revision ids, read from the migration files (no Alembic import, a few milliseconds)."""
    revisions, parents = set(), set()
    for path in _MIGRATIONS.glob("*.py"):
        found: dict[str, str] = {
            m.group(1): m.group(2) for m in _REVISION.finditer(path.read_text(encoding="utf-8"))
        }
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision", "None"))
    return revisions - parents


def _at_head(engine: Engine) -> bool:
    # Every process upgrades on first use; importing Alembic and loading every migration to find nothing to
    # do costs a short-lived command (a scheduled sweep, `sweep list`) half a second.
    try:
        with engine.connect() as conn:
            current = {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    except Exception:  # no table yet, or anything unusual: let Alembic decide
        return False
    return bool(current) and current == _head_revisions()


def upgrade(url: str | None = None) -> None:
    """Bring the schema to the newest Alembic revision (creates it on an empty database).

    Under schema_lock: eight processes starting on a new database wait for the first to create the schema
    instead of each trying to create the same tables."""
    engine = get_engine(url)
    if _at_head(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection_engine"] = engine
    try:
        with schema_lock(engine):
            command.upgrade(config, "head")
    except DBAPIError as exc:
        # Unreachable server, refused login, missing database, a file that is not a SQLite database: one line
        # naming where the URL came from (QA #10), never the driver's traceback.
        raise DatabaseError(
            f"{url_source(url)}: cannot open database {engine.url!r}: {_one_line(exc.orig or exc)}"
        ) from exc


def _one_line(error: BaseException) -> str:
    """An error's message on one line (drivers add hints on lines of their own)."""
    return " ".join(str(error).split())


_sessionmakers: dict[str, sessionmaker[Session]] = {}


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """A sessionmaker bound to the engine for URL (schema upgraded on first use)."""
    resolved = database_url(url)
    if resolved not in _sessionmakers:
        # The URL as given (not resolved), so errors name where it came from: --db, MARKWATCH_DB or the default.
        upgrade(url)
        _sessionmakers[resolved] = sessionmaker(get_engine(url), expire_on_commit=False)
    return _sessionmakers[resolved]


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def reset_caches() -> None:
    """Forget engines and sessionmakers (tests switch databases between cases)."""
    dispose_engines()
    _sessionmakers.clear()
