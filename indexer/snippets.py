"""Snippets: a short passage of a product's text with the matched words marked."""

from __future__ import annotations

from html import escape

from indexer.analysis import ANALYSED_LANGUAGES, GENERIC, FoldingTokenizer, analyse

MAX_CHARS = 240
_tokenizer = FoldingTokenizer()


def _matches(word: str, terms: set[str], language: str | None) -> bool:
    if word.casefold() in terms:
        return True
    languages = [language] if language in ANALYSED_LANGUAGES else list(ANALYSED_LANGUAGES)
    return any(term in terms for lang in languages + [GENERIC] for term in analyse(lang, word))


def snippet(text: str, terms: set[str], language: str | None = None) -> str:
    """Return HTML: up to MAX_CHARS of `text` around the first matches, matches in <mark>.

    Everything but the <mark> tags is escaped, so the result is safe to insert as HTML.
    """
    if not text:
        return ""
    spans = [(t.startchar, t.endchar) for t in _tokenizer(text, chars=True)
             if terms and _matches(text[t.startchar:t.endchar], terms, language)]
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
