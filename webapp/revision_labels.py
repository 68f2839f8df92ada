"""The interface's words for what a revision did and which fields it changed.

Revisions store their action (`edit`, `approve`, ...) and field names (`summary`, ...) as
stable codes; the history, the dashboard and the activity page show them in the curator's
language. A code this module does not know (a future action) is shown as it is.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _


def action_label(action: str) -> str:
    """Return what the action did, in the interface's language."""
    labels = {"create": _("Created"), "edit": _("Edited"), "merge": _("Merged"),
              "revert": _("Earlier version restored"), "approve": _("Approved"),
              "reject": _("Rejected"), "withdraw": _("Withdrawn"), "restore": _("Published again")}
    return labels.get(action, action)


def field_label(name: str) -> str:
    """Return a product field's name as the edit form labels it."""
    labels = {"title": _("Title"), "summary": _("Summary"), "type": _("Resource type"),
              "agencies": _("Agencies"), "themes": _("Themes"), "languages": _("Languages"),
              "regions": _("Regions and countries"), "stages": _("Programming stage"),
              "year": _("Year"), "url": _("Address"), "links": _("Other links (PDF, modules, mirrors)"),
              "versions": _("Language versions"), "full_text": _("Full text"), "status": _("Status"),
              "replaced_by": _("Replaced by"), "source_url": _("Address it was imported from"),
              "source": _("Source"), "canonical_url": _("Canonical address"),
              "file_hash": _("File checksum")}
    return labels.get(name, name)


def init_app(app: Flask) -> None:
    """Make both available to templates as filters."""
    app.add_template_filter(action_label)
    app.add_template_filter(field_label)
