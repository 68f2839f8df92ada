"""`hrba import-csv`, `import-jsonl`, `import-feed` and `harvest`: importers on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from catalogue.importers.report import ImportReport

_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)


def _services():
    from webapp.cli import services  # noqa: PLC0415  (the CLI module imports this one)

    return services()


def _mapping(_ctx, _param, values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        header, equals, field = value.rpartition("=")
        if not equals or not header.strip():
            raise click.BadParameter(f"{value!r} is not HEADER=FIELD")
        mapping[header.strip()] = field.strip()
    return mapping


def _finish(hub, report: ImportReport, as_json: bool, dry_run: bool = False) -> None:
    """Bring the changes into search, then print the report: notes and rejections on
    stderr, the one-line summary on stdout (or everything as JSON)."""
    if not dry_run and hub.catch_up() is None:
        click.echo("The running indexer will bring the changes into search.", err=True)
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, **report.as_dict()}, ensure_ascii=False,
                              indent=2))
        return
    for note in report.notes:
        click.echo(note, err=True)
    for line in report.rejected:
        click.echo(f"rejected {line.source}:{line.line}: {line.reason}", err=True)
    click.echo(("Dry run, nothing kept: " if dry_run else "") + report.short_summary())


_source = click.option("--source", help="Name the products are found again by on the next "
                       "import (default: the file name, or the URL).")
_trusted = click.option("--trusted", is_flag=True,
                        help="Publish at once what does not look like a duplicate.")
_json = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
_private = click.option("--allow-private", is_flag=True,
                        help="Let it reach loopback and private addresses (tests and demos only).")


@click.command("import-csv")
@click.argument("path", type=_PATH)
@_source
@_trusted
@click.option("--dry-run", is_flag=True, help="Report what would happen; keep nothing.")
@click.option("--map", "mapping", multiple=True, callback=_mapping, metavar="HEADER=FIELD",
              help="Read a column as a field (title, agencies, type, languages, year, url, "
                   "summary, themes, stages, regions, source; - ignores it). Repeatable.")
@_json
@with_appcontext
def import_csv_command(path: Path, source, trusted, dry_run, mapping, as_json):
    """Import products from a CSV or XLSX table (first sheet), waiting for review.

    Headers are matched to fields in English, French or Spanish; --map names the rest.
    Example: hrba import-csv partners.xlsx --map 'Doc name=title' --dry-run
    """
    hub = _services()
    report = hub.import_table(path, source=source, trusted=trusted, dry_run=dry_run,
                              mapping=mapping)
    _finish(hub, report, as_json, dry_run)


@click.command("import-jsonl")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@_source
@_trusted
@click.option("--dry-run", is_flag=True, help="Report what would happen; keep nothing.")
@_json
@with_appcontext
def import_jsonl_command(path: Path, source, trusted, dry_run, as_json):
    """Import corpus-format JSON Lines from elsewhere, waiting for review.

    (`hrba import` is for the shipped corpus: published at once.)
    Example: hrba import-jsonl partner-records.jsonl --source partner
    """
    hub = _services()
    report = hub.import_jsonl(path, source=source, trusted=trusted, dry_run=dry_run)
    _finish(hub, report, as_json, dry_run)


@click.command("import-feed")
@click.argument("url")
@_source
@click.option("--agency", help="The agency of entries that do not name a known one.")
@_trusted
@_private
@_json
@with_appcontext
def import_feed_command(url: str, source, agency, trusted, allow_private, as_json):
    """Import the entries of an RSS or Atom feed, waiting for review.

    Example: hrba import-feed https://www.example.org/publications.rss --agency unicef
    """
    hub = _services()
    report = hub.import_feed(url, source=source, trusted=trusted, agency=agency,
                             allow_private=allow_private)
    _finish(hub, report, as_json)


@click.command("harvest")
@click.argument("url")
@click.option("--set", "set_spec", metavar="SPEC", help="Harvest only this set.")
@click.option("--from", "from_date", metavar="DATE",
              help="Harvest only records changed since DATE (YYYY-MM-DD).")
@_source
@_trusted
@_private
@_json
@with_appcontext
def harvest_command(url: str, set_spec, from_date, source, trusted, allow_private, as_json):
    """Harvest an OAI-PMH repository's oai_dc records, waiting for review.

    Records deleted at the source are reported, never withdrawn here.
    Example: hrba harvest https://repository.example.org/oai --set hrba --from 2024-01-01
    """
    hub = _services()
    report = hub.harvest(url, source=source, set_spec=set_spec, from_date=from_date,
                         trusted=trusted, allow_private=allow_private)
    _finish(hub, report, as_json)
