"""Find vocabulary phrases (glossary concepts, theme keywords) in text of any language.

A phrase matches when the words of a text, analysed in a language, contain the phrase's
words analysed the same way, in a row: "comisiones de la verdad" (Spanish) finds the
glossary term "comisión de la verdad", and "Social Protection Floors" finds "social
protection floor". Acronyms ("UPR", "HRDDP") match only as written, in capitals, so the
French acronym "ODD" does not fire on the English word "odd".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from indexer.analysis import ANALYSED_LANGUAGES, GENERIC, WORD, analyzer_for

ACRONYM = re.compile(r"^[A-Z][A-Z0-9/&-]{1,9}$")
ALL_LANGUAGES = ANALYSED_LANGUAGES + (GENERIC,)


@dataclass(frozen=True)
class Span:
    """A phrase found in text: the value it names and the words (positions) it covers."""

    value: str
    start: int
    end: int  # inclusive
    size: int = 1  # how many analysed terms matched (Chinese bigrams share one position)


def positions(language: str, text: str) -> list[tuple[int, str]]:
    """Return (word position, term) pairs of `text` analysed in `language`, stop words dropped."""
    return [(t.pos, t.text) for t in analyzer_for(language)(text, positions=True)]


def raw_words(text: str) -> list[str]:
    """Return the words of `text` as written (the positions `positions` counts)."""
    return [m.group() for m in WORD.finditer(text)]


class Reading:
    """A text analysed once, in some languages, for matching against several matchers."""

    def __init__(self, text: str, languages: Iterable[str] = ALL_LANGUAGES):
        self.raw = raw_words(text)
        self.analysed = {language: positions(language, text) for language in languages}


class PhraseMatcher:
    """Match many phrases, each naming a value, against analysed text."""

    def __init__(self, phrases: Iterable[tuple[str, str]]):
        # language -> first term -> [(terms, value)]
        self._by_language: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {
            language: defaultdict(list) for language in ALL_LANGUAGES}
        self._acronyms: dict[str, str] = {}
        for text, value in phrases:
            text = text.strip()
            if not text:
                continue
            if ACRONYM.match(text):
                self._acronyms.setdefault(text, value)
                continue
            for language in ALL_LANGUAGES:
                terms = tuple(term for _, term in positions(language, text))
                if terms and (terms, value) not in self._by_language[language][terms[0]]:
                    self._by_language[language][terms[0]].append((terms, value))

    def spans(self, text: str, languages: Iterable[str] = ALL_LANGUAGES) -> list[Span]:
        """Return every phrase found in `text` when read in any of `languages`."""
        return self.spans_in(Reading(text, languages))

    def spans_in(self, reading: "Reading") -> list[Span]:
        """Return every phrase found in an already analysed text."""
        found: set[Span] = set()
        for position, word in enumerate(reading.raw):
            if word in self._acronyms:
                found.add(Span(self._acronyms[word], position, position))
        for language, analysed in reading.analysed.items():
            table = self._by_language.get(language)
            if not table:
                continue
            terms_only = [term for _, term in analysed]
            for i, term in enumerate(terms_only):
                candidates = table.get(term)
                if not candidates:
                    continue
                for terms, value in candidates:
                    end = i + len(terms)
                    if len(terms) == 1 or tuple(terms_only[i:end]) == terms:
                        found.add(Span(value, analysed[i][0], analysed[end - 1][0], len(terms)))
        return sorted(found, key=lambda s: (s.start, -s.end, s.value))

    def values(self, text: "str | Reading", languages: Iterable[str] = ALL_LANGUAGES) -> list[str]:
        """Return the values of the phrases found in `text` (or a Reading of it), each once,
        in order of appearance."""
        reading = text if isinstance(text, Reading) else Reading(text, languages)
        return list(dict.fromkeys(span.value for span in self.spans_in(reading)))
