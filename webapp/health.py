"""Health checks for load balancers, orchestrators and the reliability tests (blueprint `health`).

- `GET /healthz`: the process is up and answering; nothing else is touched.
- `GET /readyz`: this process can serve searches that match the store. The database
  answers, the search index opens, the index holds as many products as the store has
  published (give or take the changes still on their way through the outbox), and that
  backlog is at most `HRBA_READY_BACKLOG` changes. Otherwise 503, with each failed check.

Neither is rate limited nor touches the session, so a probe costs little and gets no cookie.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, current_app

from catalogue.errors import StoreError
from indexer.errors import IndexUnavailableError
from webapp import auth
from webapp.errors import error_body
from webapp.services import Services, services

blueprint = Blueprint("health", __name__)

NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class Readiness:
    """What `/readyz` found: the counts it compared and the checks that failed."""

    published: int | None = None
    indexed: int | None = None
    backlog: int | None = None
    failures: list[dict] = field(default_factory=list)

    def fail(self, check: str, message: str) -> None:
        """Record a failed check."""
        self.failures.append({"check": check, "message": message})


def readiness(hub: Services, max_backlog: int) -> Readiness:
    """Check the database, the index, their counts and the outbox backlog.

    The index's cursor is read first: the index never lags behind its cursor, and every
    product whose indexed state differs from the store's has a change after it, so
    |indexed - published| <= backlog holds for a healthy index even while changes flow.
    """
    found = Readiness()
    cursor = hub.index.cursor()
    try:
        found.indexed = hub.index.doc_count()
    except IndexUnavailableError as exc:
        found.fail("index", str(exc))
    try:
        found.published, last_change = hub.store.vitals()
    except StoreError as exc:
        current_app.logger.warning("readiness: %s", exc.__cause__ or exc)
        found.fail("database", str(exc))
        return found
    found.backlog = max(0, last_change - cursor)
    if found.backlog > max_backlog:
        found.fail("backlog", f"the index is {found.backlog} store changes behind "
                              f"(at most {max_backlog} allowed)")
    if found.indexed is not None and abs(found.indexed - found.published) > found.backlog:
        found.fail("index_count", f"the index holds {found.indexed} products, the store has "
                                  f"{found.published} published, and only {found.backlog} "
                                  "changes are on their way")
    return found


@blueprint.get("/healthz")
@auth.public
def healthz():
    """The process is up."""
    return {"ok": True}, 200, NO_STORE


@blueprint.get("/readyz")
@auth.public
def readyz():
    """Ready to serve: 200 with the counts, or 503 with every failed check."""
    found = readiness(services(), current_app.config["HRBA_READY_BACKLOG"])
    if found.failures:
        failed = ", ".join(failure["check"] for failure in found.failures)
        return error_body(503, f"not ready: {failed}", found.failures), 503, NO_STORE
    return ({"ok": True, "published": found.published, "indexed": found.indexed,
             "backlog": found.backlog}, 200, NO_STORE)
