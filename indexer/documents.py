"""Turn a catalogue Product into the Whoosh document that represents it."""

from __future__ import annotations

import hashlib
import json

from catalogue.model import Product, content_fields
from catalogue.vocabularies import UI_LANGUAGES, Vocabularies, lookup_key


def product_hash(product: Product) -> str:
    """Return a digest of everything the index holds about `product`."""
    data = content_fields(product) | {"status": product.status.value}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def _tag_words(product: Product, vocabularies: Vocabularies) -> str:
    """Return every label and name of the product's tags, in the six UI languages.

    So `UNICEF`, `Fonds des Nations Unies pour l'enfance` and `Gender equality` /
    `Égalité des sexes` all find the products tagged with them.
    """
    words = []
    pairs = [("agency", product.agencies), ("theme", product.themes), ("region", product.regions),
             ("programming_stage", product.stages), ("resource_type", (product.type,))]
    for vocabulary_name, ids in pairs:
        vocabulary = vocabularies[vocabulary_name]
        for term_id in ids:
            if term_id not in vocabulary:
                continue
            term = vocabulary.term(term_id)
            words += [term.label(lang) for lang in UI_LANGUAGES]
            words += list(term.names.values())
            words += list(term.aliases)
    return "\n".join(dict.fromkeys(words))


def un_system(product: Product, vocabularies: Vocabularies) -> bool:
    """Tell whether any publishing body of `product` is part of the UN system."""
    agencies = vocabularies["agency"]
    return any(agencies.term(a).data.get("un_system") for a in product.agencies if a in agencies)


def document_for(product: Product, vocabularies: Vocabularies) -> dict:
    """Return the fields to index for `product`."""
    doc = {
        "id": product.id,
        "title": product.title,
        "versions": "\n".join(f"{v.title}\n{v.summary or ''}" for v in product.versions),
        "tags": _tag_words(product, vocabularies),
        "summary": product.summary,
        "agency": ",".join(product.agencies),
        "theme": ",".join(product.themes),
        "type": product.type,
        "language": ",".join(product.languages),
        "region": ",".join(product.regions),
        "stage": ",".join(product.stages),
        "year_sort": product.year or 0,
        "year_oldest": product.year or 9999,
        "title_sort": lookup_key(product.title),
        "un_system": un_system(product, vocabularies),
        "url": product.url,
        "versions_data": [[v.language, v.title, v.url] for v in product.versions],
        "content_hash": product_hash(product),
    }
    if product.full_text:
        doc["full_text"] = product.full_text
    if product.year:
        doc["year"] = str(product.year)
    return doc
