"""Tagging at index time: the language of a product's text, the glossary concepts it
mentions, and themes and programming stages suggested for products that have none.

Suggestions are kept apart from a curator's tags and never replace them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from catalogue.model import Product
from catalogue.vocabularies import Vocabularies
from indexer.analysis import field_language
from indexer.language import detect
from indexer.phrases import PhraseMatcher, Reading

FULL_TEXT_SCAN = 3_000  # characters of full text read for concepts (the opening pages)


@dataclass(frozen=True)
class Tags:
    """What the tagger found in one product."""

    language: str | None  # of the title and summary
    title_concepts: tuple[str, ...]
    text_concepts: tuple[str, ...]
    suggested_themes: tuple[str, ...]
    suggested_stages: tuple[str, ...]


def _phrases(vocabulary, with_keywords: bool):
    for term in vocabulary:
        yield from ((text, term.id) for text in term.labels.values())
        yield from ((text, term.id) for text in term.aliases)
        if with_keywords:
            for words in (term.data.get("keywords") or {}).values():
                yield from ((text, term.id) for text in words)


class Tagger:
    """Matchers built once from the vocabularies."""

    def __init__(self, vocabularies: Vocabularies):
        names = vocabularies.names()
        self.glossary = PhraseMatcher(_phrases(vocabularies["glossary"], False)
                                      if "glossary" in names else ())
        self.themes = PhraseMatcher(_phrases(vocabularies["theme"], True))
        self.stages = PhraseMatcher(_phrases(vocabularies["programming_stage"], True))

    def tag(self, product: Product) -> Tags:
        """Return the language, concepts and suggestions for `product`."""
        language = detect(f"{product.title}. {product.summary}", product.languages) \
            or (product.languages[0] if product.languages else None)
        main = [field_language(language)]
        title_concepts = self.glossary.values(product.title, main)
        text = " ".join([product.summary, (product.full_text or "")[:FULL_TEXT_SCAN]])
        reading = Reading(f"{product.title}\n{text}", main)  # analysed once, matched thrice
        text_concepts = self.glossary.values(reading)
        for version in product.versions:
            own = [field_language(version.language)]
            title_concepts += self.glossary.values(version.title, own)
            text_concepts += self.glossary.values(version.summary or "", own)
        suggested_themes: list[str] = []
        suggested_stages: list[str] = []
        if not product.themes:
            suggested_themes = self.themes.values(reading)[:4]
        if not product.stages:
            suggested_stages = self.stages.values(reading)[:3]
        return Tags(language, tuple(dict.fromkeys(title_concepts)),
                    tuple(dict.fromkeys(text_concepts)), tuple(suggested_themes),
                    tuple(suggested_stages))


@lru_cache(maxsize=4)
def tagger_for(vocabularies: Vocabularies) -> Tagger:
    """Return the (cached) tagger of `vocabularies`."""
    return Tagger(vocabularies)
