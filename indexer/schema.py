"""The Whoosh schema: what is searched, filtered, faceted, sorted and shown.

Text is indexed once per language with that language's analyser (`title_fr`, `text_fr`...),
once more folded but unstemmed (`exact_title`, `exact_text`: acronyms, names, spelling),
and through the vocabularies: tag labels in six languages (`tags`) and glossary concepts
(`title_concepts`, `text_concepts`), which is what lets a French query find English products.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import ANALYSED_LANGUAGES, GENERIC, folding_analyzer, language_analyzer

TEXT_LANGUAGES = ANALYSED_LANGUAGES + (GENERIC,)
# Bump when the schema, analysers or documents change: older indexes are then rebuilt.
SCHEMA_VERSION = "6"

# Facet name (as the API and the page call it) -> index field.
FACET_FIELDS = {
    "agency": "agency",
    "theme": "theme",
    "type": "type",
    "language": "language",
    "region": "region",
    "stage": "stage",
    "year": "year",
    "un_system": "un_system",
}

# Weight of a match in each kind of field (title over tags over summary over full text).
WEIGHTS = {
    "title": 5.0,
    "title_concepts": 8.0,
    "exact_title": 3.0,
    "tags": 2.0,
    "text": 1.0,
    "text_concepts": 3.0,
    "language": 4.0,  # a language named in the query ("Arabic guides")
    "exact_text": 0.5,
}


def title_field(language: str) -> str:
    """Return the title field of an analysed language."""
    return f"title_{language}"


def text_field(language: str) -> str:
    """Return the summary and full-text field of an analysed language."""
    return f"text_{language}"


def _keywords() -> KEYWORD:
    return KEYWORD(commas=True, scorable=True)


def build_schema() -> Schema:
    """Return the schema of the product index."""
    fields = {
        "id": ID(stored=True, unique=True),
        "exact_title": TEXT(analyzer=folding_analyzer(), phrase=True),
        "exact_text": TEXT(analyzer=folding_analyzer(), phrase=True, spelling=True),
        "tags": TEXT(analyzer=folding_analyzer()),
        "title_concepts": _keywords(),
        "text_concepts": _keywords(),
        "agency": _keywords(),
        "theme": _keywords(),
        "type": ID(),
        "language": _keywords(),
        "region": _keywords(),
        "stage": _keywords(),
        "year": ID(),
        "un_system": ID(),
        "year_sort": NUMERIC(int, sortable=True),
        "year_oldest": NUMERIC(int, sortable=True),
        "title_sort": ID(sortable=True),
        "prior": NUMERIC(float, sortable=True),
        "content_hash": ID(stored=True),
        "data": STORED(),  # what a result shows, as plain data
    }
    for language in TEXT_LANGUAGES:
        analyzer = language_analyzer(language)
        fields[title_field(language)] = TEXT(analyzer=analyzer, phrase=True)
        fields[text_field(language)] = TEXT(analyzer=analyzer, phrase=False)  # no positions: cheaper
    return Schema(**fields)
