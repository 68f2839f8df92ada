"""The search index (Whoosh): schema, analysis, document building, rebuilds, search, facets.

The index is derived data: `SearchIndex.rebuild` makes it again from the store at any time.
"""
