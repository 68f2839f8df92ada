"""Language detection for catalogue text, restricted to the languages in play.

py3langid (an offline, well-kept langid.py fork) scores text against a fixed language
set; below a confidence gate the answer is "unknown", since symbols such as "A/HRC/55/48"
are not English.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Iterable

DETECTABLE = ("en", "fr", "es", "ar", "ru", "zh", "pt", "de", "it")
MIN_CONFIDENCE = 0.6
_lock = threading.Lock()


@lru_cache(maxsize=None)
def _identifier():
    import py3langid.langid as langid

    identifier = langid.LanguageIdentifier.from_model_file(
        langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DETECTABLE))
    return identifier


def detect(text: str, candidates: Iterable[str] = DETECTABLE) -> str | None:
    """Return the most likely language of `text` among `candidates`, or None if unsure."""
    choices = tuple(sorted({c for c in candidates if c in DETECTABLE}))
    if not text.strip() or not choices:
        return None
    if len(choices) == 1:
        return choices[0]
    with _lock:  # the identifier keeps per-call state
        ranked = _identifier().rank(text)
    scores = {language: score for language, score in ranked if language in choices}
    total = sum(scores.values())
    if not total:
        return None
    language = max(scores, key=scores.get)
    return language if scores[language] / total >= MIN_CONFIDENCE else None
