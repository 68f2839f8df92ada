"""Importers and (later) the crawler: everything that brings products into the store."""
