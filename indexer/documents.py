"""Turn a catalogue Product into the Whoosh document that represents it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict

from catalogue.model import Product, content_fields
from catalogue.vocabularies import UI_LANGUAGES, Vocabularies, lookup_key
from indexer.analysis import field_language
from indexer.schema import text_field, title_field
from indexer.tagging import Tags, tagger_for

FULL_TEXT_INDEXED = 200_000  # characters of full text indexed per product
RECENT_YEARS = 10


def product_hash(product: Product) -> str:
    """Return a digest of everything the index holds about `product`."""
    data = content_fields(product) | {"status": product.status.value}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def _labels(vocabulary, ids) -> list[str]:
    words = []
    for term_id in ids:
        if term_id in vocabulary:
            term = vocabulary.term(term_id)
            words += [term.label(lang) for lang in UI_LANGUAGES]
            words += list(term.names.values()) + list(term.aliases)
    return words


def tag_words(product: Product, vocabularies: Vocabularies, stages=()) -> str:
    """Return every label and name of the product's tags, in the six UI languages.

    So `UNICEF`, `Fonds des Nations Unies pour l'enfance`, `Gender equality`,
    `Égalité des sexes` and `Arabic` all find the products tagged with them.
    """
    words = []
    for vocabulary_name, ids in (("agency", product.agencies), ("theme", product.themes),
                                 ("region", product.regions), ("language", product.languages),
                                 ("programming_stage", stages or product.stages),
                                 ("resource_type", (product.type,))):
        words += _labels(vocabularies[vocabulary_name], ids)
    return "\n".join(dict.fromkeys(words))


def un_system(product: Product, vocabularies: Vocabularies) -> bool:
    """Tell whether any publishing body of `product` is part of the UN system."""
    agencies = vocabularies["agency"]
    return any(agencies.term(a).data.get("un_system") for a in product.agencies if a in agencies)


def prior(product: Product, vocabularies: Vocabularies, today: dt.date | None = None) -> float:
    """Return the light ranking prior: current, UN-system and inter-agency products first."""
    agencies = vocabularies["agency"]
    un_bodies = [a for a in product.agencies if a in agencies and agencies.term(a).data.get("un_system")]
    year = (today or dt.date.today()).year
    value = 1.0
    value += 0.06 if un_bodies else 0.0
    value += 0.04 if len(un_bodies) >= 2 else 0.0
    value += 0.04 if product.year and product.year >= year - RECENT_YEARS else 0.0
    return value


def _texts_by_language(product: Product, tags: Tags) -> tuple[dict, dict]:
    titles: dict[str, list[str]] = defaultdict(list)
    texts: dict[str, list[str]] = defaultdict(list)
    main = field_language(tags.language)
    titles[main].append(product.title)
    texts[main].append(product.summary)
    if product.full_text:
        texts[main].append(product.full_text[:FULL_TEXT_INDEXED])
    for version in product.versions:
        language = field_language(version.language)
        titles[language].append(version.title)
        if version.summary:
            texts[language].append(version.summary)
    return titles, texts


def result_data(product: Product, tags: Tags) -> dict:
    """Return what a search result shows of `product`, as plain data."""
    return {
        "title": product.title, "url": product.url, "agencies": list(product.agencies),
        "themes": list(product.themes), "type": product.type,
        "languages": list(product.languages), "year": product.year,
        "summary": product.summary, "language": tags.language,
        "stages": list(product.stages or tags.suggested_stages),
        "stages_suggested": not product.stages and bool(tags.suggested_stages),
        "themes_suggested": list(tags.suggested_themes),
        "versions": [[v.language, v.title, v.url] for v in product.versions],
    }


def document_for(product: Product, vocabularies: Vocabularies) -> dict:
    """Return the fields to index for `product`."""
    tags = tagger_for(vocabularies).tag(product)
    titles, texts = _texts_by_language(product, tags)
    themes = product.themes or tags.suggested_themes
    stages = product.stages or tags.suggested_stages
    doc = {
        "id": product.id,
        "exact_title": "\n".join(t for ts in titles.values() for t in ts),
        # Folded, unstemmed: summaries only (full text is searched through its stemmed field).
        "exact_text": "\n".join([product.summary] + [v.summary or "" for v in product.versions]),
        "tags": tag_words(product.with_changes(themes=themes), vocabularies, stages),
        "title_concepts": ",".join(tags.title_concepts),
        "text_concepts": ",".join(tags.text_concepts),
        "agency": ",".join(product.agencies),
        "theme": ",".join(product.themes),  # facets count a curator's themes only
        "type": product.type,
        "language": ",".join(product.languages),
        "region": ",".join(product.regions),
        "stage": ",".join(stages),  # no curated stage yet: the suggested ones stand in
        "un_system": "true" if un_system(product, vocabularies) else "false",
        "year_sort": product.year or 0,
        "year_oldest": product.year or 9999,
        "title_sort": lookup_key(product.title),
        "prior": prior(product, vocabularies),
        "content_hash": product_hash(product),
        "data": result_data(product, tags),
    }
    if product.year:
        doc["year"] = str(product.year)
    for language, values in titles.items():
        doc[title_field(language)] = "\n".join(values)
    for language, values in texts.items():
        doc[text_field(language)] = "\n".join(v for v in values if v)
    return doc
