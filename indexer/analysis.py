"""Text analysis: tokenising, case and accent folding shared by every text field."""

from __future__ import annotations

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.support.charset import accent_map

# Words are runs of letters, digits and marks in any script, keeping inner hyphens and
# apostrophes out (so "l'homme" gives "l" and "homme", "Ex-combatants" two words).
WORD = r"[^\W_]+(?:\.[^\W_]+)*"


def folding_analyzer():
    """Return the analyser for text fields: words, lower case, accents folded away."""
    return RegexTokenizer(WORD) | LowercaseFilter() | CharsetFilter(accent_map)
