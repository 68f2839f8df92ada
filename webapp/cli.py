"""The `hrba` command line: a Flask CLI group bound to the app factory."""

from __future__ import annotations

import gc
import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

from catalogue.errors import CatalogueError
from catalogue.model import Status
from indexer.errors import IndexerError
from indexer.search import FILTER_FACETS, SORTS, search
from indexer.updates import REFRESH_SECONDS
from webapp.app import MAX_REQUEST_BYTES, create_app
from webapp.cli_collect import check_links_command, crawl_command, sources_command
from webapp.cli_import import (harvest_command, import_csv_command, import_feed_command,
                               import_jsonl_command)
from webapp.cli_users import users_group
from webapp.presenters import results_json
from webapp.search_params import search_request_from
from webapp.services import Services
from webapp.services import services as app_services
from webapp.settings import StartupError


def _create_app():
    try:
        return create_app()
    except (StartupError, CatalogueError) as exc:
        raise click.ClickException(str(exc)) from exc


class _Group(FlaskGroup):
    """Turn domain errors into one-line messages instead of tracebacks."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (CatalogueError, IndexerError, StartupError) as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, create_app=_create_app, add_default_commands=False,
             set_debug_flag=False, load_dotenv=False)
def main():
    """The HRBA knowledge catalogue. Settings come from HRBA_* environment variables."""


# The app is always ours: drop FlaskGroup's --app, --env-file and --debug options.
main.params = [p for p in main.params if p.name not in {"app", "env_file", "debug"}]
main.add_command(shell_command)
main.add_command(routes_command)
main.add_command(users_group)
main.add_command(crawl_command)
main.add_command(sources_command)
main.add_command(check_links_command)
for _command in (import_csv_command, import_jsonl_command, import_feed_command, harvest_command):
    main.add_command(_command)


def services() -> Services:
    """Return the app's services with the database schema up to date."""
    hub = app_services()
    hub.migrate()
    return hub


def _progress(total: int, label: str):
    """Return a progress bar on a terminal, and a silent stand-in elsewhere."""
    if sys.stderr.isatty():
        return click.progressbar(length=total, label=label, file=sys.stderr)
    return nullcontext(None)


@main.command("migrate")
@with_appcontext
def migrate_command():
    """Create or upgrade the database schema.

    Example: hrba migrate
    """
    services()
    click.echo("Database schema is up to date.")


@main.command("setup")
@with_appcontext
def setup_command():
    """Make the catalogue ready: migrate, import the corpus if empty, build the index.

    Example: HRBA_DATA_DIR=/srv/hrba hrba setup
    """
    services().prepare(echo=click.echo)
    click.echo("The catalogue is ready.")


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--pending", is_flag=True, help="Put new products in the review queue instead of publishing them.")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option("--no-reindex", is_flag=True, help="Leave the search index as it is.")
@with_appcontext
def import_command(path: Path, pending: bool, as_json: bool, no_reindex: bool):
    """Import products from corpus-format JSON Lines (a file or a directory).

    Prints what was added, updated, unchanged and rejected, with each rejected line's
    reason. A bad line never stops the run. Example: hrba import corpus/
    """
    hub = services()
    status = Status.PENDING_REVIEW if pending else Status.PUBLISHED
    from catalogue.importers.corpus import CorpusImporter  # noqa: PLC0415

    with _progress(CorpusImporter(hub.store, hub.vocabularies).count(path), "Importing") as bar:
        report = hub.import_path(path, status=status, progress=bar.update if bar else None)
    if not no_reindex and hub.catch_up() is None:
        click.echo("The running indexer will bring the changes into search.", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    for line in report.rejected:
        click.echo(f"rejected {line.source}:{line.line}: {line.reason}", err=True)
    click.echo(report.summary())


@main.command("reindex")
@with_appcontext
def reindex_command():
    """Rebuild the search index from the store, in a new directory swapped in atomically.

    Example: hrba reindex
    """
    report = services().rebuild_index()
    click.echo(f"Indexed {report.documents} products in {report.seconds:.1f} s ({report.path.name}).")


@main.command("check")
@click.option("--dry-run", is_flag=True, help="Report drift without repairing it.")
@with_appcontext
def check_command(dry_run: bool):
    """Compare the search index with the store, product by product, and repair drift.

    A missing or damaged index is rebuilt. Example: hrba check
    """
    drift = services().check_index(repair=not dry_run)
    if drift.rebuilt:
        click.echo("The index was missing or damaged" + ("." if dry_run else ": rebuilt from the store."))
        return
    click.echo(f"{len(drift.missing)} missing, {len(drift.stale)} stale, {len(drift.extra)} extra"
               + ("" if drift.clean or dry_run else " (repaired)"))


@main.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path | None):
    """Back up the database to PATH while the app keeps serving and writing.

    The backup is one consistent snapshot of every table (a zip of JSON Lines with a
    manifest and checksums) and restores into SQLite or PostgreSQL. PATH defaults to
    backups/hrba-<UTC time>.zip in the data directory; a directory gets a file of that name.
    The search index is not in it: `hrba restore` rebuilds it. Example: hrba backup /srv/backups/
    """
    click.echo(services().backup(path).summary())


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the catalogue the database already holds.")
@with_appcontext
def restore_command(path: Path, force: bool):
    """Restore a backup made by `hrba backup` into an empty database, then rebuild the index.

    Every member is checked against the archive's checksums before anything is written,
    and the restore is all or nothing. Stop the app processes that use the database first;
    afterwards run `hrba reindex` on every other host with an index of its own.
    Example: hrba restore /srv/backups/hrba-20250101T120000Z.zip
    """
    report, index = app_services().restore(path, force=force)
    click.echo(f"{report.summary()} Search index rebuilt with {index.documents} products.")


@main.command("indexer")
@click.option("--interval", type=float, default=REFRESH_SECONDS, show_default=True,
              help="Seconds between rounds (at most one new index generation per round).")
@with_appcontext
def indexer_command(interval: float):
    """Run the index updater in the foreground: apply store changes as they happen.

    `hrba serve` runs one itself; use this when the web processes run elsewhere.
    Example: hrba indexer
    """
    import signal  # noqa: PLC0415
    import threading  # noqa: PLC0415

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("Applying store changes to the search index (Ctrl-C to stop)")
    try:
        services().updater().run(stop, interval)
    except KeyboardInterrupt:
        stop.set()


@main.command("search")
@click.argument("query", default="")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON document.")
@click.option("--sort", type=click.Choice(SORTS), default=None)
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--per-page", type=int, default=10, show_default=True)
@click.option("--year-from", type=int)
@click.option("--year-to", type=int)
@click.option("--un-system/--not-un-system", default=None, help="Only UN-system publishers, or only others.")
@click.option("--lang", default="en", show_default=True, help="Language of facet labels.")
@click.option("--filter", "filters", multiple=True, metavar="FACET=VALUE",
              help=f"Narrow by a facet value ({', '.join(FILTER_FACETS)}); repeatable.")
@with_appcontext
def search_command(query, as_json, sort, page, per_page, year_from, year_to, un_system, lang, filters):
    """Search the published products, as the web page and API do.

    Example: hrba search "gender equality" --filter agency=unicef --json
    """
    from werkzeug.datastructures import MultiDict  # noqa: PLC0415

    args = MultiDict([("q", query), ("page", str(page)), ("per_page", str(per_page))])
    for item in filters:
        facet, _, value = item.partition("=")
        args.add(facet.strip(), value.strip())
    if un_system is not None:
        args.add("un_system", "true" if un_system else "false")
    for name, value in (("sort", sort), ("year_from", year_from), ("year_to", year_to)):
        if value is not None:
            args.add(name, str(value))
    hub = services()
    results = search(hub.index, search_request_from(args, language=lang), hub.vocabularies)
    if as_json:
        click.echo(json.dumps(results_json(results), ensure_ascii=False, indent=2))
        return
    click.echo(f"{results.total} products")
    for hit in results.hits:
        year = hit.year or "n.d."
        click.echo(f"- {hit.title} ({', '.join(hit.agencies)}, {year}) [{hit.id}]")


@main.command("serve")
@with_appcontext
def serve_command():
    """Serve the catalogue on HRBA_HOST:HRBA_PORT, preparing it first.

    One process with waitress, or HRBA_WORKERS processes with gunicorn (Linux and macOS).
    On an empty data directory this imports the shipped corpus and builds the index.
    Example: HRBA_PORT=8080 hrba serve
    """
    app = current_app._get_current_object()
    workers = app.config["HRBA_WORKERS"]
    if workers > 1 and os.name == "nt":
        raise click.ClickException("HRBA_WORKERS above 1 needs Linux or macOS (gunicorn forks "
                                   "worker processes); on Windows set HRBA_WORKERS=1.")
    hub = services()
    hub.prepare(echo=click.echo)
    if workers == 1:
        _serve_one_process(app, hub)
        return
    from webapp import workers as prefork  # noqa: PLC0415 (gunicorn: POSIX only)

    host, port = app.config["HRBA_HOST"], app.config["HRBA_PORT"]
    try:
        prefork.check_port_free(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror or exc} "
                                   "(is another server running there?)") from None
    click.echo(f"Serving the HRBA catalogue on http://{host}:{port}/ with {workers} worker "
               "processes (Ctrl-C to stop)")
    prefork.serve(app, _create_app)


def _serve_one_process(app, hub: Services) -> None:
    """Serve with waitress and run the index updater as a thread beside it."""
    import threading  # noqa: PLC0415

    import waitress  # noqa: PLC0415

    stop = threading.Event()
    updater = threading.Thread(target=hub.updater().run, args=(stop,), name="index-updater",
                               daemon=True)
    updater.start()
    hub.start_warmer()
    gc.freeze()  # start-up's objects out of the collector's sight: see workers.freeze_heap
    host, port = app.config["HRBA_HOST"], app.config["HRBA_PORT"]
    click.echo(f"Serving the HRBA catalogue on http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        # Behind trusted proxies, waitress leaves X-Forwarded-* for ProxyFix (public_access) to read.
        # waitress buffers a body before the app sees it: past twice the app's own limit it
        # refuses the request itself, so no one can fill the disk with one upload.
        waitress.serve(app, host=host, port=port, threads=app.config["HRBA_THREADS"],
                       ident="hrba", _quiet=True, max_request_body_size=2 * MAX_REQUEST_BYTES,
                       clear_untrusted_proxy_headers=not app.config["HRBA_TRUSTED_PROXIES"])
    finally:
        stop.set()


if __name__ == "__main__":
    main()
