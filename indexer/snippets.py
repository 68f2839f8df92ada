"""Snippets: a short passage of a product's text with the matched words marked."""

from __future__ import annotations

from html import escape

from indexer.analysis import ANALYSED_LANGUAGES, FoldingTokenizer, normalise_arabic, stemmer

MAX_CHARS = 240
_tokenizer = FoldingTokenizer()


def _matches(folded: str, terms: set[str], languages: list[str]) -> bool:
    if folded in terms:
        return True
    return any(stemmer(lang)(normalise_arabic(folded) if lang == "ar" else folded) in terms
               for lang in languages)


def snippet(text: str, terms: set[str], language: str | None = None) -> str:
    """Return HTML: up to MAX_CHARS of `text` around the first matches, matches in <mark>.

    Everything but the <mark> tags is escaped, so the result is safe to insert as HTML.
    """
    if not text:
        return ""
    languages = [language] if language in ANALYSED_LANGUAGES else list(ANALYSED_LANGUAGES)
    spans = [(t.startchar, t.endchar) for t in _tokenizer(text, chars=True)
             if terms and _matches(t.text, terms, languages)]
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
