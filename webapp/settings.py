"""The one registry of settings: each `HRBA_*` variable with its default and help.

`load` reads them from the environment, checks them, and fails at start-up with a
clear message on a bad value (Datasette's StartupError).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

REPOSITORY = Path(__file__).resolve().parent.parent


class StartupError(Exception):
    """A setting has a value the app cannot start with."""


@dataclass(frozen=True)
class Setting:
    """One configuration key: environment name, default and one line of help."""

    name: str
    default: object
    help: str
    parse: Callable[[str], object] = str


def _port(value: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise ValueError("must be from 1 to 65535")
    return port


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be 1 or more")
    return number


def _pattern(regex: str, what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not re.fullmatch(regex, value):
            raise ValueError(f"must be {what}")
        return value
    return parse


SETTINGS: tuple[Setting, ...] = (
    Setting("HRBA_DATA_DIR", "instance",
            "Directory for everything mutable: database, search index, logs, secret key."),
    Setting("HRBA_DATABASE_URL", None,
            "SQLAlchemy URL of the catalogue database; default SQLite in the data directory "
            "(e.g. postgresql+psycopg://user@127.0.0.1:5432/hrba)."),
    Setting("HRBA_CORPUS_DIR", str(REPOSITORY / "corpus"),
            "Directory of the shipped corpus (products.jsonl, translations.jsonl) imported "
            "into an empty catalogue."),
    Setting("HRBA_VOCABULARY_DIR", None,
            "Directory of the controlled vocabularies; default `vocabularies/` in the corpus directory."),
    Setting("HRBA_HOST", "127.0.0.1", "Address `hrba serve` listens on."),
    Setting("HRBA_PORT", 5000, "Port `hrba serve` listens on.", _port),
    Setting("HRBA_THREADS", 8, "Threads per worker process of the production server "
            "(waitress, or gunicorn's gthread workers when HRBA_WORKERS is above 1).", _positive),
    Setting("HRBA_WORKERS", 1,
            "Worker processes of `hrba serve` on one address: 1 serves with waitress in one "
            "process; more serve with gunicorn (Linux and macOS only), to use more cores.",
            _positive),
    Setting("HRBA_SECRET_KEY", None,
            "Key that signs sessions and OAI-PMH resumption tokens; default a random key "
            "generated once and kept in the data directory."),
    Setting("HRBA_ADMIN_EMAIL", "catalogue-admin@example.org",
            "Address of the catalogue's administrator, given to harvesters (OAI-PMH Identify).",
            _pattern(r"\S+@(\S+\.)+\S+", "an e-mail address")),
    # The grammar of an oai-identifier's repositoryIdentifier: a domain-like name.
    Setting("HRBA_OAI_NAMESPACE", "hrba.catalogue",
            "Namespace of the OAI-PMH identifiers, `oai:NAMESPACE:PRODUCT-ID`.",
            _pattern(r"[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+",
                     "a domain-like name such as hrba.example.org")),
    Setting("HRBA_OAI_PAGE_SIZE", 100, "Records or headers in one OAI-PMH list response.", _positive),
    Setting("HRBA_HTTPS", False,
            "Set to 1 when users reach the app over HTTPS (behind a TLS proxy): cookies "
            "become Secure and responses carry HSTS.", lambda v: _flag(v)),
    Setting("HRBA_RATE_LIMIT", "300 per minute",
            "Requests each client address may make to the API, feeds, OAI-PMH and exports "
            "(e.g. `1000 per hour;100 per minute`).", lambda v: _rate_limit(v)),
    Setting("HRBA_REDIS_URL", None,
            "Redis server (e.g. redis://127.0.0.1:6379/0) that keeps rate-limit counters, so "
            "limits hold across worker processes and hosts; default: in the process."),
    Setting("HRBA_TRUSTED_PROXIES", 0,
            "How many reverse proxies in front of the app to trust for the client's address "
            "(X-Forwarded-For); 0 when clients connect directly.", lambda v: _count(v)),
    Setting("HRBA_ALLOW_PRIVATE_FETCH", False,
            "Set to 1 only for tests and demos: lets the curators' \"fill from a URL\" fetch "
            "loopback and private addresses, which it refuses otherwise.", lambda v: _flag(v)),
    Setting("HRBA_READY_BACKLOG", 1000,
            "Most store changes the search index may lag behind for `/readyz` to answer 200.",
            lambda v: _count(v)),
    Setting("HRBA_LOG_LEVEL", "INFO", "Log level: DEBUG, INFO, WARNING or ERROR.",
            lambda v: _choice(v.upper(), ("DEBUG", "INFO", "WARNING", "ERROR"))),
    Setting("HRBA_SOURCES_DIR", None,
            "Directory of the crawl sources (one TOML file per site); default `sources/` in "
            "the corpus directory."),
    Setting("HRBA_CRAWLER_CONTACT_URL", "https://github.com/hrba-catalogue",
            "Page about the crawler that its User-Agent names, so site owners can reach us.",
            _pattern(r"https?://\S+", "an http(s) address")),
    Setting("HRBA_CRAWL_DELAY", 1.0,
            "Seconds between two requests of the crawler and link checker to one host "
            "(robots.txt may ask for more, up to 30).", lambda v: _seconds(v)),
)

# Read by the test suite only, never by the app.
TEST_SETTINGS: tuple[Setting, ...] = (
    Setting("HRBA_TEST_DATABASE_URL", None,
            "PostgreSQL server URL for the store tests (default: the server on "
            "127.0.0.1:5432 when one runs)."),
    Setting("HRBA_TEST_CHROMIUM", "/usr/bin/chromium",
            "Chromium the browser tests drive (Debian's package by default)."),
    Setting("HRBA_TEST_NO_INSTALL", None,
            "Set to 1 so `make test` never installs Debian packages (PostgreSQL) itself."),
)


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be 1 or 0 (true or false)")


def _seconds(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 3600:
        raise ValueError("must be a number of seconds from 0 to 3600")
    return number


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be 0 or more")
    return number


def _rate_limit(value: str) -> str:
    from limits import parse_many  # noqa: PLC0415

    try:
        parse_many(value)
    except ValueError:
        raise ValueError("must read like `300 per minute` or `1000/hour;100/minute`") from None
    return value


def _choice(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}")
    return value


def load(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Return every setting, from `environ` (default: the process environment) or its default."""
    environ = os.environ if environ is None else environ
    config: dict[str, object] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name)
        if raw is None or raw == "":
            config[setting.name] = setting.default
            continue
        try:
            config[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise StartupError(f"{setting.name}={raw!r}: {exc}") from exc
    return config


def resolve_paths(config: dict[str, object]) -> dict[str, object]:
    """Fill the settings whose defaults derive from others (paths, database URL)."""
    data_dir = Path(str(config["HRBA_DATA_DIR"])).expanduser().resolve()
    config["HRBA_DATA_DIR"] = str(data_dir)
    if not config.get("HRBA_DATABASE_URL"):
        config["HRBA_DATABASE_URL"] = f"sqlite:///{data_dir / 'hrba.sqlite3'}"
    corpus = Path(str(config["HRBA_CORPUS_DIR"])).expanduser().resolve()
    config["HRBA_CORPUS_DIR"] = str(corpus)
    if not config.get("HRBA_VOCABULARY_DIR"):
        config["HRBA_VOCABULARY_DIR"] = str(corpus / "vocabularies")
    if not config.get("HRBA_SOURCES_DIR"):
        config["HRBA_SOURCES_DIR"] = str(corpus / "sources")
    return config
