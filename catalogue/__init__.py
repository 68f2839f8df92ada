"""The HRBA catalogue: the product model, controlled vocabularies, validation and the store.

The store is the source of truth; everything else (the search index, feeds, exports)
is derived from it.
"""
