"""An HRBA-Portal-like site, served on loopback, for the crawler's tests and demo.

Paginated resource listings, resource pages with "Resource Type:", agency pages, PDFs
in English, French and Spanish, a robots.txt that disallows a section, a redirect, a
dead link, one page under two URLs (a /node/ alias with rel=canonical), a calendar that
never ends, a slow page, an oversized page and a broken PDF.

Demo: `python -m tests.fixture_site --port 8765` then, in another shell,
`hrba crawl fixture_site.toml --allow-private`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from tests.loopback import LoopbackServer, Route, drip, page, redirect, send, serving, with_etag
from tests.pdfs import make_pdf


@dataclass(frozen=True)
class Resource:
    slug: str
    title: str
    type: str
    agency: str
    year: int
    language: str
    summary: str
    pdf: str | None = "good"   # good, broken, dead or None


RESOURCES = [
    Resource("hrba-common-understanding", "The Human Rights-Based Approach: a common understanding",
             "Guidance", "UNDP", 2003, "English",
             "How UN agencies apply the human rights-based approach to programming."),
    Resource("guide-droits-programmation", "Guide de programmation fondée sur les droits de l'homme",
             "Manual / handbook", "OHCHR", 2012, "French",
             "Un guide pratique pour les équipes de pays des Nations Unies."),
    Resource("guia-enfoque-derechos", "Guía del enfoque basado en los derechos humanos",
             "Training material", "UNICEF", 2016, "Spanish",
             "Material de formación sobre el enfoque de derechos para la programación."),
    Resource("hrba-checklist", "Checklist for rights-based country analysis",
             "Checklist/Tool", "UNFPA", 2019, "English",
             "A short checklist for country teams preparing a common country analysis."),
    Resource("training-package", "UN common learning package on HRBA: trainers' notes",
             "Training material", "UNSSC", 2011, "English",
             "Session plans and notes for trainers of the common learning package."),
    Resource("case-study-water", "Rights-based water programming: a case study",
             "Case study", "UNICEF", 2014, "English",
             "What a rights-based approach changed in a water programme.", pdf="broken"),
    Resource("gender-indicators-report", "Report on gender equality indicators in programming",
             "Report/Study", "UN Women", 2018, "English",
             "Indicators to follow gender equality results in UN programmes.", pdf="dead"),
    Resource("dalil-arabi", "دليل النهج القائم على حقوق الإنسان في البرمجة",
             "Guidance", "OHCHR", 2015, "Arabic",
             "دليل عملي لأفرقة الأمم المتحدة القطرية.", pdf=None),
]
PER_PAGE = 3
PDF_LINES = {"English": ["Human rights-based approach", "Participation and accountability"],
             "French": ["Approche fondée sur les droits de l'homme", "Participation"],
             "Spanish": ["Enfoque basado en los derechos humanos", "Participación"]}


def _html(title: str, body: str, lang: str = "en") -> str:
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title} | "
            f"HRBA Portal</title></head><body><nav><a href='/resources'>Resources</a> "
            f"<a href='/agencies/unicef'>UNICEF</a> <a href='/calendar?month=2024-01'>Events</a>"
            f"</nav><main>{body}</main><footer>HRBA Portal</footer></body></html>")


def resource_page(resource: Resource, edition: int = 1) -> str:
    pdf = {"good": f"/files/{resource.slug}.pdf", "broken": "/files/broken.pdf",
           "dead": "/files/gone.pdf", None: None}[resource.pdf]
    link = f"<p><a class='download' href='{pdf}'>Download (PDF)</a></p>" if pdf else ""
    note = "" if edition == 1 else f"<p>Revised edition {edition}.</p>"
    lang = {"English": "en", "French": "fr", "Spanish": "es", "Arabic": "ar"}[resource.language]
    return _html(resource.title, f"""
      <h1 class="resource-title">{resource.title}</h1>
      <div class="summary"><p>{resource.summary}</p>{note}</div>
      <ul class="facts"><li>Resource Type: <b>{resource.type}</b></li>
      <li>Agency: <a href="/agencies/{resource.agency.lower().replace(' ', '-')}">{resource.agency}</a></li>
      <li>Year: {resource.year}</li><li>Language: {resource.language}</li></ul>{link}""", lang)


def listing(number: int, pages: int) -> str:
    chunk = RESOURCES[(number - 1) * PER_PAGE:number * PER_PAGE]
    items = "".join(f"<li><a href='/resources/{r.slug}'>{r.title}</a></li>" for r in chunk)
    if number == 1:
        # The first resource is also linked under its Drupal alias, and a draft section.
        items += "<li><a href='/node/17'>Common understanding (alias)</a></li>"
        items += "<li><a href='/internal/drafts'>Drafts</a></li>"
    if number == 2:
        items = items.replace("/resources/training-package", "/resources/old-training")
    if number == pages:
        items += "<li><a href='/resources/slow-page'>Slow</a></li>"
        items += "<li><a href='/resources/huge-page'>Huge</a></li>"
    nav = "".join(f"<a href='/resources?page={n}'>{n}</a> " for n in range(1, pages + 1))
    return _html(f"Resources, page {number}", f"<h1>Resources</h1><ul>{items}</ul><p>{nav}</p>")


def _calendar(handler):
    month = handler.path.partition("month=")[2] or "2024-01"
    year, number = (int(part) for part in month.split("-")[:2])
    following = f"{year + number // 12}-{number % 12 + 1:02d}"
    send(handler, 200, _html("Events", f"<h1>Events {month}</h1>"
                         f"<a href='/calendar?month={following}'>Next month</a>").encode())


def site_routes(editions: dict[str, int] | None = None) -> dict[str, Route]:
    """Return the site's routes; `editions` bumps a resource's page to a new edition."""
    editions = editions or {}
    pages = -(-len(RESOURCES) // PER_PAGE)
    routes: dict[str, Route] = {
        "/robots.txt": page("User-agent: *\nDisallow: /internal/\n", "text/plain"),
        "/resources": with_etag(listing(1, pages)),
        "/resources/old-training": redirect("/resources/training-package", 301),
        "/internal/drafts": page(_html("Drafts", "<a href='/resources/secret'>secret</a>")),
        "/calendar": _calendar,
        "/resources/slow-page": drip(1000, 0.01),
        "/resources/huge-page": page(b"<html>" + b"x" * (3 * 1024 * 1024)),
        "/files/broken.pdf": page(make_pdf("Broken", ["x"])[:150], "application/pdf"),
    }
    for agency in {r.agency for r in RESOURCES}:
        routes[f"/agencies/{agency.lower().replace(' ', '-')}"] = page(_html(agency, "".join(
            f"<a href='/resources/{r.slug}'>{r.title}</a>" for r in RESOURCES if r.agency == agency)))
    for number in range(1, pages + 1):
        routes[f"/resources?page={number}"] = with_etag(listing(number, pages))
    for resource in RESOURCES:
        html = resource_page(resource, editions.get(resource.slug, 1)).encode()
        routes[f"/resources/{resource.slug}"] = with_etag(html)
        if resource.pdf == "good":
            pdf = make_pdf(resource.title, PDF_LINES[resource.language], pages=2)
            routes[f"/files/{resource.slug}.pdf"] = with_etag(pdf, content_type="application/pdf")
    first = RESOURCES[0]
    alias = resource_page(first).replace(
        "<head>", f"<head><link rel='canonical' href='/resources/{first.slug}'>")
    routes["/node/17"] = with_etag(alias.encode())
    return routes


def source_toml(base: str, name: str = "hrba-portal-fixture") -> str:
    """Return the source file that crawls the site at `base`."""
    return f"""name = "{name}"
title = "HRBA Portal (fixture)"
start_urls = ["{base}/resources"]
language = "en"
trusted = false
schedule = "weekly"
max_pages = 200
max_depth = 6

[links]
products = ['^/resources/[a-z0-9-]+$', '^/node/\\d+$']
listings = ['^/resources(\\?page=\\d+)?$', '^/agencies/[a-z-]+$', '^/calendar', '^/internal/']

[fields]
title = "h1.resource-title"
summary = ".summary"
type = {{ label = "Resource Type:" }}
agency = {{ label = "Agency:" }}
year = {{ label = "Year:" }}
language = {{ label = "Language:" }}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--source", default="fixture_site.toml", help="where to write its source file")
    args = parser.parse_args()
    server = LoopbackServer(site_routes(), port=args.port)
    with open(args.source, "w", encoding="utf-8") as handle:
        handle.write(source_toml(f"http://127.0.0.1:{args.port}"))
    print(f"Serving the fixture site on http://127.0.0.1:{args.port}/resources "
          f"(source file: {args.source}); Ctrl-C to stop", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()


__all__ = ["RESOURCES", "site_routes", "source_toml", "serving"]
