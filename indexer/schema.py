"""The Whoosh schema: what is searched, filtered, faceted, sorted and shown."""

from __future__ import annotations

from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import folding_analyzer

# Facet name (as the API and the page call it) -> index field.
FACET_FIELDS = {
    "agency": "agency",
    "theme": "theme",
    "type": "type",
    "language": "language",
    "region": "region",
    "stage": "stage",
    "year": "year",
}
# Fields the query syntax `field:value` may name; others are searched as plain words.
QUERY_FIELDS = ("title", "versions", "tags", "summary", "full_text")
TEXT_WEIGHTS = {"title": 4.0, "versions": 3.0, "tags": 2.0, "summary": 1.5, "full_text": 1.0}


def _tags() -> KEYWORD:
    return KEYWORD(stored=True, commas=True, scorable=False)


def build_schema() -> Schema:
    """Return the schema of the product index."""
    text = folding_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, stored=True, phrase=True),
        versions=TEXT(analyzer=text, phrase=True),
        tags=TEXT(analyzer=text),
        summary=TEXT(analyzer=text, stored=True, phrase=True),
        full_text=TEXT(analyzer=text, phrase=True),
        agency=_tags(),
        theme=_tags(),
        type=ID(stored=True),
        language=_tags(),
        region=_tags(),
        stage=_tags(),
        year=KEYWORD(stored=True, commas=True, scorable=False),
        # Unknown years sort last both ways: 0 when newest first, 9999 when oldest first.
        year_sort=NUMERIC(int, sortable=True),
        year_oldest=NUMERIC(int, sortable=True),
        title_sort=ID(sortable=True),
        un_system=BOOLEAN(stored=True),
        url=STORED(),
        versions_data=STORED(),
        content_hash=ID(stored=True),
    )
