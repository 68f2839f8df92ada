"""Parts of the results page rendered once and reused (fragment caching).

The same searches come back again and again (a frequent query, its next pages, its facet
clicks), and rendering the page's parts took most of its time. Each part is rendered by
a macro that sees only its arguments, and kept under everything those arguments hold:

- a result (`search/_hit.html`): every field of the hit but its score (so an edited
  product is a new key), its snippet (which words of this search are marked), the
  interface language and the script root its links start with; kept per vocabularies
  object (a new one when an admin changes them: the kept results are then dropped);
- the facet sidebar (`search/_facets.html`): the search itself but its page (each link
  goes to page 1), every facet value with its label, count and state, the interface
  language and the script root. An edit that changes no count changes no sidebar.

A macro of an autoescaping template returns Markup: everything in it is escaped.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Callable

from flask import current_app, request
from markupsafe import Markup

from indexer.search import Hit, SearchResults
from webapp.presenters import facet_names, facets_for_page
from webapp.search_params import query_string

HITS_KEPT = 4096  # results per process; the oldest go first
SIDEBARS_KEPT = 512  # sidebars per process (some 10 to 25 kB each)


class _Kept:
    """A bounded map of rendered fragments, safe across threads, emptied when its owner
    (what the fragments were rendered with) changes."""

    def __init__(self, template: str, macro: str, limit: int):
        self.template = template
        self.macro = macro
        self.limit = limit
        self.items: dict[tuple, Markup] = {}
        self.owner: object = None
        self._lock = threading.Lock()

    def get(self, key: tuple, owner: object, arguments: Callable[[], tuple]) -> Markup:
        """Return the fragment kept under `key`, or render it from `arguments()`."""
        if self.owner is not owner:
            with self._lock:
                self.items.clear()
                self.owner = owner
        found = self.items.get(key)
        if found is None:
            module = current_app.jinja_env.get_template(self.template).module
            found = getattr(module, self.macro)(*arguments())
            with self._lock:
                if self.owner is owner:
                    self.items[key] = found
                    while len(self.items) > self.limit:
                        del self.items[next(iter(self.items))]
        return found


hits = _Kept("search/_hit.html", "hit_item", HITS_KEPT)
sidebars = _Kept("search/_facets.html", "facet_sidebar", SIDEBARS_KEPT)
_HIT_FIELDS = tuple(f.name for f in dataclasses.fields(Hit) if f.name != "score")


def hit_html(hit: Hit, vocabularies, ui_lang: str) -> Markup:
    """Return the `<li>` of one result, rendered now or earlier with the same inputs."""
    key = (tuple(getattr(hit, name) for name in _HIT_FIELDS), ui_lang, request.script_root)
    return hits.get(key, vocabularies, lambda: (hit, vocabularies, ui_lang))


def sidebar_html(results: SearchResults, vocabularies, ui_lang: str) -> Markup:
    """Return the facet sidebar (`<aside>`) of `results`, rendered now or earlier with the
    same inputs."""
    req = results.request
    key = (query_string(req, page=1), tuple(results.facets.items()), ui_lang, request.script_root)
    return sidebars.get(key, vocabularies,
                        lambda: (facets_for_page(results), facet_names(), req, ui_lang))
