"""The store: the catalogue's source of truth, in SQLite (default) or PostgreSQL.

Every write transaction on SQLite starts with `BEGIN IMMEDIATE`, so two writers queue
for the lock instead of losing each other's updates (see the RESEARCH notes on SQLite).
"""

from __future__ import annotations

import fcntl
import zlib
from contextlib import contextmanager
from dataclasses import replace
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import and_, event, exists, func, or_, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy import create_engine

from catalogue import schema
from catalogue.errors import ProductNotFound, StoreError
from catalogue.ids import unique_id
from catalogue.model import (TAG_FIELDS, LanguageVersion, Link, Product, Provenance, Status,
                             content_fields)
from catalogue.tables import ChangeRow, ProductRow, RevisionRow, TagRow, VersionRow

SQLITE_BUSY_TIMEOUT_MS = 30_000

# What a harvester sees: published products, and withdrawn ones as tombstones.
HARVESTED = (Status.PUBLISHED, Status.WITHDRAWN)


def utcnow() -> datetime:
    """Return the current time in UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def as_utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _utc(value: datetime) -> datetime:
    return as_utc(value).astimezone(timezone.utc)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        write = connection.get_execution_options().get("hrba_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _lock_key(name: str) -> int:
    """Return the PostgreSQL advisory-lock key of a named lock (stable across processes)."""
    return zlib.crc32(f"hrba:{name}".encode())


def product_from_row(row: ProductRow) -> Product:
    """Convert a database row (with its tags and versions loaded) to a Product."""
    tags: dict[str, list[str]] = {name: [] for name in TAG_FIELDS}
    for tag in row.tags:  # already ordered by position
        tags[tag.kind].append(tag.value)
    return Product(
        id=row.id,
        title=row.title,
        type=row.type,
        summary=row.summary or "",
        year=row.year,
        url=row.url,
        links=tuple(Link(**link) for link in (row.links or [])),
        versions=tuple(
            LanguageVersion(language=v.language, title=v.title, url=v.url,
                            summary=v.summary, source_url=v.source_url)
            for v in row.versions),
        full_text=row.full_text,
        status=Status(row.status),
        provenance=Provenance(source_url=row.source_url, importer=row.importer,
                              first_seen=as_utc(row.first_seen),
                              last_changed=as_utc(row.last_changed), source=row.source,
                              canonical_url=row.canonical_url, file_hash=row.file_hash),
        replaced_by=row.replaced_by,
        **{name: tuple(values) for name, values in tags.items()},
    )


def snapshot(product: Product) -> dict:
    """Return the product as plain JSON data: everything a revision must restore."""
    data = content_fields(product)
    data.update(id=product.id, status=product.status.value, replaced_by=product.replaced_by,
                source_url=product.provenance.source_url, source=product.provenance.source,
                canonical_url=product.provenance.canonical_url,
                file_hash=product.provenance.file_hash)
    return data


def product_from_snapshot(data: dict, current: Product) -> Product:
    """Return `current` with the content and status a revision's snapshot recorded."""
    fields = {name: data[name] for name in content_fields(current) if name in data}
    for name, value in list(fields.items()):
        if name == "links":
            fields[name] = tuple(Link(**item) for item in value)
        elif name == "versions":
            fields[name] = tuple(LanguageVersion(**item) for item in value)
        elif isinstance(value, list):
            fields[name] = tuple(value)
    provenance = replace(current.provenance, source_url=data.get("source_url"))
    return replace(current, **fields, status=Status(data.get("status", current.status.value)),
                   replaced_by=data.get("replaced_by"), provenance=provenance)


def _fill_row(row: ProductRow, product: Product) -> None:
    row.title = product.title
    row.summary = product.summary
    row.type = product.type
    row.year = product.year
    row.url = product.url
    row.links = [{"url": link.url, "label": link.label} for link in product.links]
    row.full_text = product.full_text
    row.status = product.status.value
    row.source_url = product.provenance.source_url
    row.importer = product.provenance.importer
    row.source = product.provenance.source
    row.canonical_url = product.provenance.canonical_url
    row.file_hash = product.provenance.file_hash
    row.replaced_by = product.replaced_by
    row.tags = [TagRow(kind=kind, value=value, position=position)
                for kind in TAG_FIELDS
                for position, value in enumerate(getattr(product, kind))]
    row.versions = [VersionRow(language=v.language, title=v.title, url=v.url,
                               summary=v.summary, source_url=v.source_url)
                    for v in product.versions]


def eager_options():
    """Eager-load options for a product row: its tags and versions."""
    return (selectinload(ProductRow.tags), selectinload(ProductRow.versions))


@dataclass(frozen=True)
class HarvestQuery:
    """Which harvested products a harvester asks for (see `Store.harvest`).

    `since` and `until` bound `last_changed`, both inclusive, to the second. `kind` narrows
    to one tag list of TAG_FIELDS or to "type"; `value` to one value of it (None: any).
    """

    since: datetime | None = None
    until: datetime | None = None
    kind: str | None = None
    value: str | None = None

    def conditions(self) -> list:
        """Return the SQL conditions that select these products."""
        found = [ProductRow.status.in_([status.value for status in HARVESTED])]
        if self.since is not None:
            found.append(ProductRow.last_changed >= _utc(self.since))
        if self.until is not None:
            found.append(ProductRow.last_changed
                         < _utc(self.until).replace(microsecond=0) + timedelta(seconds=1))
        if self.kind == "type":
            if self.value is not None:
                found.append(ProductRow.type == self.value)
        elif self.kind in TAG_FIELDS:
            tagged = [TagRow.product_id == ProductRow.id, TagRow.kind == self.kind]
            if self.value is not None:
                tagged.append(TagRow.value == self.value)
            found.append(exists().where(*tagged))
        elif self.kind is not None:
            raise ValueError(f"cannot harvest by {self.kind!r}")
        return found


class Writer:
    """The operations of one write transaction (see `Store.write`)."""

    def __init__(self, session: Session):
        self.session = session

    def get(self, product_id: str, *, for_update: bool = False) -> Product:
        """Return a product inside this transaction; `for_update` locks its row (PostgreSQL).

        On SQLite the whole write transaction already holds the write lock.
        """
        row = self.session.get(ProductRow, product_id, options=eager_options(),
                               with_for_update=for_update or None)
        if row is None:
            raise ProductNotFound(product_id)
        return product_from_row(row)

    def _taken(self, product_id: str) -> bool:
        return self.session.get(ProductRow, product_id) is not None

    def free_id(self, base: str) -> str:
        """Return `base` or the first `base-N` no product uses yet."""
        return unique_id(base, self._taken)

    def add(self, product: Product, *, origin_key: str | None = None,
            import_hash: str | None = None, actor: str = "system", action: str = "create",
            note: str | None = None) -> Product:
        """Insert a new product; its id must be free. The change is recorded as a revision."""
        if self._taken(product.id):
            raise StoreError(f"a product with id {product.id!r} already exists")
        now = utcnow()
        row = ProductRow(id=product.id, origin_key=origin_key, import_hash=import_hash,
                         first_seen=product.provenance.first_seen or now, last_changed=now)
        _fill_row(row, product)
        self.session.add(row)
        self._changed(product.id, now)
        self.session.flush()
        stored = product_from_row(row)
        self._revision(stored, now, actor, action, note)
        return stored

    def update(self, product: Product, *, import_hash: str | None = None, actor: str = "system",
               action: str = "edit", note: str | None = None) -> Product:
        """Replace the stored content of an existing product and stamp `last_changed`.

        The change is recorded as a revision (who, what, and the product after it).
        """
        row = self.session.get(ProductRow, product.id, options=eager_options())
        if row is None:
            raise ProductNotFound(product.id)
        _fill_row(row, product)
        if import_hash is not None:
            row.import_hash = import_hash
        row.last_changed = utcnow()
        self._changed(product.id, row.last_changed)
        self.session.flush()
        stored = product_from_row(row)
        self._revision(stored, row.last_changed, actor, action, note)
        return stored

    def _revision(self, product: Product, when: datetime, actor: str, action: str,
                  note: str | None) -> None:
        self.session.add(RevisionRow(product_id=product.id, at=when, actor=actor[:320],
                                     action=action, note=note, snapshot=snapshot(product)))

    def touch(self, product_id: str) -> None:
        """Queue a product for re-indexing without changing it (e.g. its vocabulary changed)."""
        self._changed(product_id, utcnow())

    def _changed(self, product_id: str, when: datetime) -> None:
        """Record the change in the outbox, in this same transaction."""
        self.session.add(ChangeRow(product_id=product_id, changed_at=when))

    def by_origin(self, origin_key: str) -> tuple[Product, str | None] | None:
        """Return the product imported from `origin_key` and its import hash, if any."""
        row = self.session.scalars(
            select(ProductRow).where(ProductRow.origin_key == origin_key).options(*eager_options())
        ).one_or_none()
        return (product_from_row(row), row.import_hash) if row else None

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run a block whose failure undoes only its own changes."""
        with self.session.begin_nested():
            yield


class Store:
    """The catalogue database. Open one per process and share it across threads."""

    def __init__(self, url: str):
        self.url = url
        try:
            parsed = make_url(url)
            self.dialect = parsed.get_backend_name()
            if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url, pool_pre_ping=True)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot open database {url!r}: {exc}") from exc
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        self._write_engine = self.engine.execution_options(hrba_write=True)

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def upgrade(self) -> None:
        """Create or migrate the schema to the latest Alembic revision."""
        try:
            with self._write_engine.begin() as connection:
                if self.dialect == "postgresql":  # processes starting together migrate in turn
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                       {"key": _lock_key("migrate")})
                schema.migrate(connection)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot migrate the database: {exc}") from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reading; nothing it does is committed."""
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def consistent_read(self) -> Iterator[Session]:
        """Yield a read session whose every query sees the database as its first one did.

        PostgreSQL: a REPEATABLE READ, read-only transaction; SQLite: a read transaction,
        which in WAL mode already is a snapshot. Writers carry on meanwhile.
        """
        engine = self.engine
        if self.dialect == "postgresql":
            engine = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with Session(engine) as session:
            yield session

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold the lock called `name` for the block, against every process using this database.

        PostgreSQL: a session advisory lock (it holds across hosts); SQLite: an exclusive
        lock on a file beside the database.
        """
        if self.dialect == "postgresql":
            with self.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _lock_key(name)})
                connection.commit()
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _lock_key(name)})
                    connection.commit()
            return
        database = make_url(self.url).database
        if database in (None, "", ":memory:"):
            yield
            return
        with open(f"{database}.{name}.lock", "a+") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @contextmanager
    def write(self) -> Iterator[Writer]:
        """Yield a Writer in one transaction, committed at the end, rolled back on error."""
        with Session(self._write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield Writer(session)

    @contextmanager
    def rehearse(self) -> Iterator[Writer]:
        """Yield a Writer whose transaction is always rolled back: a dry run sees its own
        writes (ids, found-again records, duplicate checks) and leaves nothing behind."""
        with Session(self._write_engine, expire_on_commit=False) as session:
            session.begin()
            try:
                yield Writer(session)
            finally:
                session.rollback()

    def get(self, product_id: str) -> Product:
        """Return the product with `product_id`; raise ProductNotFound if none."""
        with self.read() as session:
            row = session.get(ProductRow, product_id, options=eager_options())
            if row is None:
                raise ProductNotFound(product_id)
            return product_from_row(row)

    def count(self, status: Status | None = None) -> int:
        """Return how many products there are (with `status`, if given)."""
        query = select(func.count()).select_from(ProductRow)
        if status is not None:
            query = query.where(ProductRow.status == status.value)
        with self.read() as session:
            return session.scalar(query)

    def iter_products(self, status: Status | None = None, batch_size: int = 500) -> Iterator[Product]:
        """Yield every product (with `status`, if given) in id order, a batch at a time."""
        after = ""
        while True:
            query = select(ProductRow).where(ProductRow.id > after).order_by(ProductRow.id) \
                .limit(batch_size).options(*eager_options())
            if status is not None:
                query = query.where(ProductRow.status == status.value)
            with self.read() as session:
                batch = [product_from_row(row) for row in session.scalars(query)]
            yield from batch
            if len(batch) < batch_size:
                return
            after = batch[-1].id

    def published_stamps(self, offset: int = 0, limit: int | None = None) -> list[tuple[str, datetime | None]]:
        """Return (id, last change) of the published products in id order, `limit` from `offset`.

        Light: no tags, versions or text (for sitemaps of any size).
        """
        query = select(ProductRow.id, ProductRow.last_changed) \
            .where(ProductRow.status == Status.PUBLISHED.value).order_by(ProductRow.id) \
            .offset(offset).limit(limit)
        with self.read() as session:
            return [(row.id, as_utc(row.last_changed)) for row in session.execute(query)]

    def newest(self, limit: int = 5) -> list[Product]:
        """Return the published products added to the catalogue most recently."""
        query = select(ProductRow).where(ProductRow.status == Status.PUBLISHED.value) \
            .order_by(ProductRow.first_seen.desc(), ProductRow.id).limit(limit).options(*eager_options())
        with self.read() as session:
            return [product_from_row(row) for row in session.scalars(query)]

    def get_many(self, product_ids: list[str]) -> dict[str, Product]:
        """Return the products with these ids (missing ids are simply absent)."""
        found = {}
        with self.read() as session:
            for start in range(0, len(product_ids), 500):
                chunk = product_ids[start:start + 500]
                rows = session.scalars(select(ProductRow).where(ProductRow.id.in_(chunk))
                                       .options(*eager_options()))
                found.update({row.id: product_from_row(row) for row in rows})
        return found

    def changes_after(self, cursor: int, limit: int = 1000) -> list[tuple[int, str]]:
        """Return up to `limit` outbox rows (id, product id) with ids above `cursor`, in order."""
        with self.read() as session:
            rows = session.execute(select(ChangeRow.id, ChangeRow.product_id)
                                   .where(ChangeRow.id > cursor).order_by(ChangeRow.id).limit(limit))
            return [(row.id, row.product_id) for row in rows]

    def last_change(self) -> int:
        """Return the id of the newest outbox row (0 when there is none)."""
        with self.read() as session:
            return session.scalar(select(func.max(ChangeRow.id))) or 0

    def vitals(self) -> tuple[int, int]:
        """Return (published products, newest outbox id), read in one transaction.

        Raise StoreError when the database does not answer (for health checks).
        """
        try:
            with self.read() as session:
                published = session.scalar(select(func.count()).select_from(ProductRow)
                                           .where(ProductRow.status == Status.PUBLISHED.value))
                return published, session.scalar(select(func.max(ChangeRow.id))) or 0
        except SQLAlchemyError as exc:
            raise StoreError(f"the database does not answer ({type(exc).__name__})") from exc

    def harvest(self, query: HarvestQuery, after: tuple[datetime, str] | None = None,
                limit: int = 100) -> list[Product]:
        """Return up to `limit` products `query` selects, by (last_changed, id), after `after`.

        Pass the (last_changed, id) of the last product of one page to get the next page.
        """
        conditions = query.conditions()
        if after is not None:
            changed, product_id = _utc(after[0]), after[1]
            conditions.append(or_(ProductRow.last_changed > changed,
                                  and_(ProductRow.last_changed == changed, ProductRow.id > product_id)))
        statement = select(ProductRow).where(*conditions) \
            .order_by(ProductRow.last_changed, ProductRow.id).limit(limit).options(*eager_options())
        with self.read() as session:
            return [product_from_row(row) for row in session.scalars(statement)]

    def harvest_count(self, query: HarvestQuery) -> int:
        """Return how many products `query` selects in all."""
        with self.read() as session:
            return session.scalar(select(func.count()).select_from(ProductRow)
                                  .where(*query.conditions()))

    def earliest_change(self) -> datetime | None:
        """Return the oldest `last_changed` of the harvested products (None when there are none)."""
        with self.read() as session:
            return as_utc(session.scalar(select(func.min(ProductRow.last_changed))
                                         .where(*HarvestQuery().conditions())))

    def harvested_tags(self) -> dict[str, set[str]]:
        """Return the values each tag list and "type" take among the harvested products."""
        harvested = HarvestQuery().conditions()
        found: dict[str, set[str]] = {kind: set() for kind in (*TAG_FIELDS, "type")}
        with self.read() as session:
            for kind, value in session.execute(select(TagRow.kind, TagRow.value).distinct()
                                               .join(ProductRow).where(*harvested)):
                found[kind].add(value)
            found["type"].update(session.scalars(select(ProductRow.type).distinct().where(*harvested)))
        return found

    def find_by_title(self, title: str) -> Product | None:
        """Return the product whose title is exactly `title`, if there is one."""
        with self.read() as session:
            row = session.scalars(select(ProductRow).where(ProductRow.title == title)
                                  .options(*eager_options()).limit(1)).first()
            return product_from_row(row) if row else None

    def recently_changed(self, limit: int = 50) -> list[Product]:
        """Return the published products changed most recently, newest first."""
        query = select(ProductRow).where(ProductRow.status == Status.PUBLISHED.value) \
            .order_by(ProductRow.last_changed.desc(), ProductRow.id).limit(limit).options(*eager_options())
        with self.read() as session:
            return [product_from_row(row) for row in session.scalars(query)]
