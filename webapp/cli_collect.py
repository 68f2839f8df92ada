"""`hrba crawl`, `hrba sources` and `hrba check-links`: collecting products, on the command line."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from catalogue.importers.runs import runs_by_source
from catalogue.importers.sources import load_sources


def _echo_progress(label: str):
    """Return a progress callback: a counter on a terminal, silence elsewhere."""
    if not sys.stderr.isatty():
        return lambda url: None
    seen = [0]

    def progress(url: str) -> None:
        seen[0] += 1
        click.echo(f"\r{label} {seen[0]}: {url[:90]:<90}", nl=False, err=True)
    return progress


def _services():
    from webapp.cli import services  # noqa: PLC0415  (the CLI module imports this one)

    return services()


@click.command("crawl")
@click.argument("target")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after fetching N pages (run again to resume).")
@click.option("--allow-private", is_flag=True,
              help="Let the crawler reach loopback and private addresses (tests and demos only).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as JSON.")
@with_appcontext
def crawl_command(target: str, limit: int | None, allow_private: bool, as_json: bool):
    """Crawl a source (its name in HRBA_SOURCES_DIR, or a .toml file) or a bare start URL.

    New products wait for review (trusted sources publish at once). A killed or limited
    crawl resumes where it stopped. Example: hrba crawl ohchr-hrba --limit 50
    """
    hub = _services()
    result = hub.crawl(target, limit=limit, allow_private=allow_private,
                       progress=_echo_progress("Crawling"))
    if sys.stderr.isatty():
        click.echo("", err=True)
    if hub.catch_up() is None:
        click.echo("The running indexer will bring the changes into search.", err=True)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    for url, reason in result.failures:
        click.echo(f"failed {url}: {reason}", err=True)
    for line in result.report.rejected:
        click.echo(f"rejected {line.source}: {line.reason}", err=True)
    click.echo(result.summary())


@click.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@with_appcontext
def sources_command(as_json: bool):
    """List the crawl sources with their last run.

    Example: hrba sources
    """
    hub = _services()
    runs = runs_by_source(hub.store)
    sources = load_sources(hub.config["HRBA_SOURCES_DIR"])
    rows = [{"name": s.name, "title": s.title, "start_urls": list(s.start_urls),
             "trusted": s.trusted, "schedule": s.schedule,
             "last_run": runs.get(s.name)} for s in sources]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    for row in rows:
        run = row["last_run"]
        last = f"{run['finished_at'] or run['started_at']:%Y-%m-%d %H:%M} {run['state']}: " \
               f"{run['summary'] or ''}" if run else "never run"
        click.echo(f"{row['name']} ({row['schedule']}, {'trusted' if row['trusted'] else 'reviewed'}) "
                   f"- {last}")
    click.echo(f"{len(rows)} sources in {hub.config['HRBA_SOURCES_DIR']}")


@click.command("check-links")
@click.option("--allow-private", is_flag=True, help="Also check loopback and private addresses.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def check_links_command(allow_private: bool, as_json: bool):
    """Visit every product and language-version link, politely, and record what answered.

    Broken links are shown on product pages with the Wayback Machine's copy.
    Example: hrba check-links
    """
    hub = _services()
    total, report = hub.check_links(allow_private=allow_private,
                                    progress=_echo_progress("Checking"))
    if sys.stderr.isatty():
        click.echo("", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    for item in report.broken:
        click.echo(f"broken {item['url']} ({', '.join(item['products'])}): {item['reason']}; "
                   f"archived copy: {item['archived']}", err=True)
    click.echo(f"{total} links: {report.summary()}")
