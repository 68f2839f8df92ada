"""Whole result lists as files (blueprint `exports`): CSV, JSON Lines, BibTeX and RIS.

`/search.csv`, `/search.jsonl`, `/search.bib` and `/search.ris` take exactly the search
page's parameters, like `/search.atom`, and list every product the search finds (up to
MAX_ROWS) in the page's order. The file is streamed: products are read from the store a
batch at a time and written as they come, so memory stays flat however long the list.
"""

from __future__ import annotations

from typing import Iterator

from flask import Blueprint, Response, request, stream_with_context, url_for
from flask_babel import format_decimal, gettext as _

from catalogue.model import Product, Status
from catalogue.store import Store
from indexer.search import SearchRequest, search_ids
from webapp import auth
from webapp import citations
from webapp.i18n import current_language
from webapp.presenters import product_url
from webapp.search_params import query_string, search_request_from
from webapp.services import services

blueprint = Blueprint("exports", __name__)

MAX_ROWS = 100_000  # products in one file at most; a longer list is cut (X-Export-Truncated)
BATCH = 200  # products read from the store at a time
# The address's extension names the format: /search.bib is the "bibtex" export.
KINDS = {export.extension: kind for kind, export in citations.FORMATS.items()}
MEDIA_TYPES = tuple(export.content_type.split(";")[0] for export in citations.FORMATS.values())


@blueprint.get(f"/search.<any({', '.join(KINDS)}):extension>")
@auth.public
def search_export(extension: str):
    """Every product a search finds (up to MAX_ROWS), in the search's order, as one file."""
    hub = services()
    wanted = search_request_from(request.args, language=current_language())
    # Bad parameters raise here, before the response starts: a 400, never half a file.
    ids = search_ids(hub.index, wanted, hub.vocabularies, limit=MAX_ROWS + 1)
    kind = KINDS[extension]
    export = citations.FORMATS[kind]
    headers = {"Content-Disposition": f'attachment; filename="hrba-search.{export.extension}"'}
    if len(ids) > MAX_ROWS:
        headers["X-Export-Truncated"] = f"the first {MAX_ROWS} results only"
    body = citations.render(kind, published_in_order(hub.store, ids[:MAX_ROWS]), hub.vocabularies,
                            product_url)
    return Response(stream_with_context(body), content_type=export.content_type, headers=headers)


def published_in_order(store: Store, ids: list[str], batch: int = BATCH) -> Iterator[Product]:
    """Yield the published products among `ids`, in the order of `ids`, reading `batch` at a time.

    A product withdrawn since the index last saw it is left out.
    """
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        found = store.get_many(chunk)
        for product_id in chunk:
            product = found.get(product_id)
            if product is not None and product.status is Status.PUBLISHED:
                yield product


def export_links(wanted: SearchRequest) -> list[dict]:
    """Return {name, url, type} for each export of this search, for the results page."""
    query = query_string(wanted, page=1, per_page=20)
    return [{"name": export.name, "type": export.content_type.split(";")[0],
             "url": url_for("exports.search_export", extension=export.extension) + ("?" + query if query else "")}
            for export in citations.FORMATS.values()]


def export_note(total: int) -> str:
    """Return the words before the export links, which say when the files are cut."""
    if total > MAX_ROWS:
        return _("Download the first %(limit)s of these results as", limit=format_decimal(MAX_ROWS))
    return _("Download these results as")
