"""The Flask web app: the search portal, the JSON API, OAI-PMH and the `hrba` command line."""

from __future__ import annotations

from webapp.app import create_app

__all__ = ["create_app"]
