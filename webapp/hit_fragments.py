"""Each result of the results page, rendered once and reused (fragment caching).

The same products come back for the same searches again and again, and rendering one
result (agency, type, language and theme labels, links to language versions) took a
third of the results page's time. A result's HTML depends only on what the product shows
(every field of the hit but its score, so an edited product is a new key), the snippet
(which words of this search are marked), the interface language, the vocabularies (a new
object when an admin changes them: the kept fragments are then dropped) and the script
root its links start with. Those make the key; nothing else reaches the fragment template
(`search/_hit.html`, whose macro renders it).
"""

from __future__ import annotations

import dataclasses
import threading

from flask import current_app, request
from markupsafe import Markup

from indexer.search import Hit

KEPT = 4096  # fragments per process; the oldest go first
TEMPLATE = "search/_hit.html"

_lock = threading.Lock()
_kept: dict[tuple, Markup] = {}
_owner: list = [None]  # the vocabularies the kept fragments were rendered with
_FIELDS = tuple(f.name for f in dataclasses.fields(Hit) if f.name != "score")


def hit_html(hit: Hit, vocabularies, ui_lang: str) -> Markup:
    """Return the `<li>` of one result, rendered now or earlier with the same inputs."""
    if _owner[0] is not vocabularies:
        with _lock:
            _kept.clear()
            _owner[0] = vocabularies
    key = (tuple(getattr(hit, name) for name in _FIELDS), ui_lang, request.script_root)
    found = _kept.get(key)
    if found is None:
        # An autoescaping template's macro returns Markup: everything in it is escaped.
        found = current_app.jinja_env.get_template(TEMPLATE).module.hit_item(hit, vocabularies, ui_lang)
        with _lock:
            if _owner[0] is vocabularies:
                _kept[key] = found
                while len(_kept) > KEPT:
                    del _kept[next(iter(_kept))]
    return found
