"""Admins' page for the vocabularies under /curate/vocabularies (blueprint `curator_vocabularies`):
add a theme, an agency, or an alias or acronym, with labels in the six UN languages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue import vocabulary_edits
from catalogue.errors import ValidationError
from webapp import auth
from webapp.services import services

blueprint = Blueprint("curator_vocabularies", __name__, url_prefix="/curate/vocabularies")
LANGUAGES = vocabulary_edits.LANGUAGES


def _page(errors=None, form=None, status: int = 200):
    hub = services()
    return render_template("curator_vocabularies/index.html", vocabularies=hub.vocabularies,
                           additions=vocabulary_edits.overlay(hub.store), languages=LANGUAGES,
                           errors=errors or {}, form=form or {}), status


@blueprint.get("/")
@auth.admin_required
def index():
    """The editable vocabularies and the additions made so far."""
    return _page()


def _changed(vocabularies, vocabulary: str, term_id: str, words: list[str], done: str):
    touched = services().vocabulary_changed(vocabularies, vocabulary, term_id, words)
    flash(done + " " + _("%(num)d products will be re-tagged and re-indexed within seconds.", num=touched))
    return redirect(url_for("curator_vocabularies.index"))


def _add(call, vocabulary: str, term_id: str, words: list[str], done: str):
    """Make an addition through `call`; show the form again with its errors, or apply it."""
    try:
        new = call()
    except ValidationError as exc:
        return _page(exc.errors, request.form, 422)
    return _changed(new, vocabulary, term_id, words, done)


@blueprint.post("/themes")
@auth.admin_required
def add_theme():
    """Add a theme."""
    hub, form = services(), request.form
    labels = {lang: form.get(f"label_{lang}", "") for lang in LANGUAGES}
    term_id = form.get("id", "").strip()
    return _add(lambda: vocabulary_edits.add_theme(hub.store, hub.vocabulary_dir, hub.vocabularies, term_id,
                                                   labels, auth.current_account().email),
                "theme", term_id, list(labels.values()), _("Theme added."))


@blueprint.post("/agencies")
@auth.admin_required
def add_agency():
    """Add a publishing body."""
    hub, form = services(), request.form
    names = {lang: form.get(f"name_{lang}", "") for lang in LANGUAGES}
    term_id = form.get("id", "").strip()
    return _add(lambda: vocabulary_edits.add_agency(hub.store, hub.vocabulary_dir, hub.vocabularies, term_id,
                                                    form.get("acronym", ""), names,
                                                    form.get("un_system") == "1", auth.current_account().email),
                "agency", term_id, [form.get("acronym", ""), *names.values()], _("Agency added."))


@blueprint.post("/aliases")
@auth.admin_required
def add_alias():
    """Add an alias or acronym to a theme or an agency."""
    hub, form = services(), request.form
    vocabulary = form.get("vocabulary", "")
    term_id = form.get("term", "")
    alias = form.get("alias", "")
    return _add(lambda: vocabulary_edits.add_alias(hub.store, hub.vocabulary_dir, hub.vocabularies, vocabulary,
                                                   term_id, alias, auth.current_account().email),
                vocabulary, term_id, [alias], _("Alias added."))
