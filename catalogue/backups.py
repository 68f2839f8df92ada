"""Online, consistent and portable backups of the catalogue database, and their restore.

A backup is a zip archive (each member deflated, with its CRC) holding:

- `tables/<table>.jsonl`: every row of one table, one JSON object a line, in key order;
- `product-checksums.jsonl`: the SHA-256 of every product as the store returns it;
- `manifest.json`, written last: format and version, when, the Alembic revision, the
  dialect it came from, the outbox position, and each member's rows and SHA-256.

Every table is read in one read transaction, a snapshot of the whole database, so the
backup is the catalogue as it was at one instant while the app keeps writing. Being
logical, it restores into SQLite or PostgreSQL alike. The search index is not in it: it is
derived, and rebuilt after a restore.

A restore checks every member against the manifest before it touches the database, then
loads everything in one transaction (schema at the archive's revision, rows, migrations up
to this code's, then every product against its checksum); any failure undoes all of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
import zlib
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import DateTime, Integer, MetaData, func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from catalogue import schema
from catalogue.errors import BackupError
from catalogue.model import Product
from catalogue.store import Store, as_utc, eager_options, product_from_row, utcnow
from catalogue.tables import Base, ChangeRow, ProductRow

FORMAT = "hrba-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHECKSUMS = "product-checksums.jsonl"
# What `product_checksum` hashes; a restore checks products only against the same recipe.
CHECKSUM_RECIPE = "sha256 of the product's fields as canonical JSON, UTC ISO times (v1)"
BATCH = 500
LOCK_TIMEOUT = "10s"  # PostgreSQL: a restore waits this long for app processes to let go


@dataclass(frozen=True)
class BackupReport:
    """What a backup holds and where it went."""

    path: Path
    revision: str
    products: int
    rows: dict[str, int]
    bytes: int

    def summary(self) -> str:
        """One line: what was backed up, and where."""
        return (f"Backed up {self.products} products ({sum(self.rows.values())} rows in {len(self.rows)} tables, "
                f"schema {self.revision}) to {self.path} ({self.bytes / 1e6:.1f} MB).")


@dataclass(frozen=True)
class RestoreReport:
    """What a restore loaded, from which revision, up to which."""

    products: int
    rows: dict[str, int]
    revision: str
    upgraded_to: str

    def summary(self) -> str:
        """One line: what was restored, from which schema revision."""
        upgraded = "" if self.upgraded_to == self.revision else f" upgraded to {self.upgraded_to}"
        return f"Restored {self.products} products ({sum(self.rows.values())} rows, schema {self.revision}{upgraded})."


def _iso(value: datetime) -> str:
    return as_utc(value).astimezone(timezone.utc).isoformat()


def product_checksum(product: Product) -> str:
    """Return the SHA-256 of everything the store keeps of `product`."""
    def default(value):
        if isinstance(value, datetime):
            return _iso(value)
        raise TypeError(f"cannot hash {type(value).__name__}")

    canonical = json.dumps(asdict(product), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"), default=default)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _encode(row: dict, datetimes: list[str]) -> bytes:
    data = dict(row)
    for name in datetimes:
        if data[name] is not None:
            data[name] = _iso(data[name])
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _decode(line: bytes, datetimes: list[str]) -> dict:
    data = json.loads(line)
    for name in datetimes:
        if data.get(name) is not None:
            data[name] = datetime.fromisoformat(data[name])
    return data


def _products(session: Session) -> Iterator[Product]:
    """Yield every product in id order, a batch at a time, inside `session`'s transaction."""
    after = ""
    while True:
        rows = session.scalars(select(ProductRow).where(ProductRow.id > after).order_by(ProductRow.id)
                               .limit(BATCH).options(*eager_options())).all()
        yield from (product_from_row(row) for row in rows)
        session.expunge_all()
        if len(rows) < BATCH:
            return
        after = rows[-1].id


class _Member:
    """A member being written: counts its lines and hashes its bytes."""

    def __init__(self, archive: zipfile.ZipFile, name: str):
        self.name = name
        info = zipfile.ZipInfo(name, date_time=time.gmtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        self.handle = archive.open(info, "w", force_zip64=True)
        self.digest = hashlib.sha256()
        self.rows = 0

    def write(self, line: bytes) -> None:
        self.handle.write(line)
        self.digest.update(line)
        self.rows += 1

    def close(self) -> dict:
        self.handle.close()
        return {"member": self.name, "rows": self.rows, "sha256": self.digest.hexdigest()}


def _dump(session: Session, archive: zipfile.ZipFile) -> tuple[list[dict], dict]:
    """Write every table and the product checksums from `session`'s snapshot."""
    tables = []
    for table in Base.metadata.sorted_tables:
        datetimes = [c.name for c in table.columns if isinstance(c.type, DateTime)]
        member = _Member(archive, f"tables/{table.name}.jsonl")
        result = session.execute(select(table).order_by(*table.primary_key.columns),
                                 execution_options={"yield_per": 1000})
        for row in result.mappings():
            member.write(_encode(row, datetimes))
        tables.append({"table": table.name, "datetime_columns": datetimes, **member.close()})
    member = _Member(archive, CHECKSUMS)
    for product in _products(session):
        member.write(json.dumps({"id": product.id, "sha256": product_checksum(product)}).encode() + b"\n")
    return tables, member.close()


def backup(store: Store, path: str | Path) -> BackupReport:
    """Write a consistent backup of the whole database to the new file `path`.

    Safe while the app runs: writers carry on during the backup and it sees none of them.
    The file appears under its name only once complete.
    """
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: choose another name")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with store.consistent_read() as session, \
                zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            revision = schema.current_revision(session.connection())
            if revision != schema.head_revision():
                raise BackupError(f"the database is at schema revision {revision}, this code at "
                                  f"{schema.head_revision()}: run `hrba migrate` first")
            last_change = session.scalar(select(func.max(ChangeRow.id))) or 0
            tables, checksums = _dump(session, archive)
            manifest = {"format": FORMAT, "version": VERSION, "created_at": utcnow().isoformat(),
                        "revision": revision, "dialect": store.dialect, "last_change": last_change,
                        "products": checksums["rows"], "checksum_recipe": CHECKSUM_RECIPE,
                        "tables": tables, "checksums": checksums}
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except (SQLAlchemyError, OSError) as exc:
        raise BackupError(f"the backup failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(path, revision, manifest["products"],
                        {t["table"]: t["rows"] for t in tables}, path.stat().st_size)


# Reading an archive: what a damaged or truncated one raises.
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, TypeError, ValueError)


def _lines(archive: zipfile.ZipFile, entry: dict) -> Iterator[bytes]:
    """Yield the lines of a member, then check its rows and SHA-256 against `entry`."""
    digest, rows = hashlib.sha256(), 0
    with archive.open(entry["member"]) as handle:
        for line in handle:
            digest.update(line)
            rows += 1
            yield line
    if digest.hexdigest() != entry["sha256"] or rows != entry["rows"]:
        raise BackupError(f"{entry['member']}: checksum mismatch, the archive is damaged or was changed")


def read_manifest(archive: zipfile.ZipFile) -> dict:
    """Return the archive's manifest, checked for format and version."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError("no manifest.json: not a catalogue backup") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"not a version {VERSION} catalogue backup")
    return manifest


def verify(path: str | Path) -> dict:
    """Check every member of the archive at `path` against its manifest; return the manifest."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = read_manifest(archive)
            for entry in [*manifest["tables"], manifest["checksums"]]:
                for _ in _lines(archive, entry):
                    pass
    except BackupError:
        raise
    except _DAMAGE as exc:
        raise BackupError(f"{path}: not a readable backup archive ({type(exc).__name__}: {exc})") from exc
    return manifest


def restore(store: Store, path: str | Path, force: bool = False) -> RestoreReport:
    """Load the backup at `path` into the store's database, which must hold no catalogue
    (with `force`, the catalogue there is replaced). All or nothing."""
    manifest = verify(path)
    revision, head = manifest["revision"], schema.head_revision()
    if not schema.is_known(revision):
        raise BackupError(f"the backup is at schema revision {revision}, which this version of the "
                          f"catalogue does not know (it goes up to {head}): restore it with a newer one")
    try:
        with zipfile.ZipFile(path) as archive, store.write() as writer:
            connection = writer.session.connection()
            if store.dialect == "postgresql":
                connection.execute(select(func.set_config("lock_timeout", LOCK_TIMEOUT, True)))
            _clear(connection, force)
            schema.migrate(connection, revision)
            rows = _load(connection, archive, manifest["tables"])
            schema.migrate(connection, "head")
            if revision == head and manifest.get("checksum_recipe") == CHECKSUM_RECIPE:
                _check_products(writer.session, _lines(archive, manifest["checksums"]))
    except BackupError:
        raise
    except SQLAlchemyError as exc:
        raise BackupError(f"the restore failed and nothing was kept: {str(exc).splitlines()[0]}") from exc
    except _DAMAGE as exc:
        raise BackupError(f"{path}: the archive could not be read ({type(exc).__name__}): nothing was kept") from exc
    return RestoreReport(manifest["products"], rows, revision, head)


def _clear(connection: Connection, force: bool) -> None:
    """Drop the catalogue's tables, refusing when they hold anything and `force` is not set."""
    ours = set(Base.metadata.tables) | {"alembic_version"}
    present = ours & set(inspect(connection).get_table_names())
    if not present:
        return
    existing = MetaData()
    existing.reflect(connection, only=sorted(present))
    held = {name: connection.scalar(select(func.count()).select_from(table))
            for name, table in existing.tables.items() if name != "alembic_version"}
    if any(held.values()) and not force:
        raise BackupError(f"the database already holds a catalogue ({held.get('products', 0)} products): "
                          "restore into an empty database, or pass --force to replace it")
    existing.drop_all(connection)


def _load(connection: Connection, archive: zipfile.ZipFile, tables: list[dict]) -> dict[str, int]:
    """Insert every table's rows, in the manifest's order (parents first)."""
    reflected = MetaData()
    reflected.reflect(connection, only=[entry["table"] for entry in tables])
    loaded = {}
    for entry in tables:
        table = reflected.tables[entry["table"]]
        batch = []
        for line in _lines(archive, entry):
            batch.append(_decode(line, entry["datetime_columns"]))
            if len(batch) == 1000:
                connection.execute(table.insert(), batch)
                batch = []
        if batch:
            connection.execute(table.insert(), batch)
        loaded[entry["table"]] = entry["rows"]
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection, table)
    return loaded


def _advance_sequences(connection: Connection, table) -> None:
    """Move a serial key's sequence past the restored ids (SQLite's AUTOINCREMENT does it itself)."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and isinstance(keys[0].type, Integer):
        highest = select(func.max(keys[0])).scalar_subquery()
        connection.execute(select(func.setval(func.pg_get_serial_sequence(table.name, keys[0].name),
                                              func.coalesce(highest, 1), highest.is_not(None))))


def _check_products(session: Session, lines: Iterable[bytes]) -> None:
    """Check every restored product against the checksum the backup recorded for it."""
    expected = {}
    for line in lines:
        item = json.loads(line)
        expected[item["id"]] = item["sha256"]
    restored = 0
    for product in _products(session):
        if expected.get(product.id) != product_checksum(product):
            raise BackupError(f"product {product.id!r} does not match its checksum after the restore")
        restored += 1
    if restored != len(expected):
        raise BackupError(f"{restored} products restored, the backup lists {len(expected)}")


def backup_path(path: Path | None, data_dir: Path) -> Path:
    """Return where a backup goes: `path`, a file named for now in the directory `path`, or
    in `backups/` of the data directory when no path is given."""
    name = f"hrba-{utcnow().strftime('%Y%m%dT%H%M%SZ')}.zip"
    if path is None:
        return data_dir / "backups" / name
    return path / name if path.is_dir() else path

