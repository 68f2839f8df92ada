"""Snippets: a short passage of a product's text with the matched words marked."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from indexer.analysis import ANALYSED_LANGUAGES, WORD, fold, normalise_arabic, stemmer

MAX_CHARS = 240


@lru_cache(maxsize=50_000)
def _forms(word: str, languages: tuple[str, ...]) -> frozenset[str]:
    """Return the folded `word` and its stems in `languages`: the forms a query term may take."""
    return frozenset([word, *(stemmer(lang)(normalise_arabic(word) if lang == "ar" else word)
                              for lang in languages)])


@lru_cache(maxsize=4096)
def _words(text: str, language: str | None) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """Return each word of `text` as (start, end, forms), as the index's analysers fold it.

    Summaries come back again and again (every search that finds the product), so the
    tokenising and stemming is done once per text and language.
    """
    languages = (language,) if language in ANALYSED_LANGUAGES else ANALYSED_LANGUAGES
    ascii_text = text.isascii()
    source = text.lower() if ascii_text else text  # ASCII folds as a whole; offsets stay put
    words = []
    for match in WORD.finditer(source):
        folded = match.group() if ascii_text else fold(match.group())
        if folded:
            words.append((match.start(), match.end(), _forms(folded, languages)))
    return tuple(words)


def snippet(text: str, terms: set[str], language: str | None = None) -> str:
    """Return HTML: up to MAX_CHARS of `text` around the first matches, matches in <mark>.

    Everything but the <mark> tags is escaped, so the result is safe to insert as HTML.
    """
    if not text:
        return ""
    spans = [(a, b) for a, b, forms in _words(text, language) if not forms.isdisjoint(terms)] if terms else []
    start = 0
    if spans and spans[0][0] > MAX_CHARS // 2:
        start = text.rfind(" ", 0, spans[0][0] - 40) + 1
    end = min(len(text), start + MAX_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    parts, cursor = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        parts.append(escape(text[cursor:a]))
        parts.append(f"<mark>{escape(text[a:b])}</mark>")
        cursor = b
    parts.append(escape(text[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + "".join(parts).strip() + suffix
