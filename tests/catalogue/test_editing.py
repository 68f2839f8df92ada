"""The curators' workflow in the store (SQLite and PostgreSQL): every action recorded, nothing lost."""

import pytest

from catalogue import editing, revisions
from catalogue.errors import EditConflict, ValidationError, WorkflowError
from catalogue.model import LanguageVersion, Link, Status
from tests.conftest import make_product

CURATOR = "li@example.org"


@pytest.fixture
def guide(store):
    with store.write() as writer:
        writer.add(make_product(), actor="importer:test")
    return store.get("hrba-guide")


def test_create_takes_the_id_from_the_title_and_validates(store, vocabularies):
    created = editing.create(store, vocabularies, make_product(id="", title="Mon guide: l'AFDH"), CURATOR)
    assert created.id == "mon-guide-l-afdh"
    with pytest.raises(ValidationError) as caught:
        editing.create(store, vocabularies, make_product(id="", title=" ", themes=("astrology",)), CURATOR)
    assert {"title", "themes"} <= set(caught.value.errors)
    assert store.count() == 1


def test_an_edit_is_recorded_with_who_and_what_changed(store, vocabularies, guide):
    editing.save(store, vocabularies, guide.with_changes(themes=("participation", "health")), CURATOR)
    latest, first = revisions.history(store, guide.id)
    assert (latest.actor, latest.action) == (CURATOR, "edit")
    assert [(c.name, c.before, c.after) for c in latest.changes] == [
        ("themes", ["participation", "accountability"], ["participation", "health"])]
    assert first.actor == "importer:test" and first.action == "create"


def test_an_edit_over_someone_elses_change_is_refused(store, vocabularies, guide):
    seen = revisions.latest_revision_id(store, guide.id)
    editing.save(store, vocabularies, guide.with_changes(year=2016), "other@example.org", seen)
    with pytest.raises(EditConflict):
        editing.save(store, vocabularies, guide.with_changes(title="Mine"), CURATOR, seen)
    assert store.get(guide.id).year == 2016 and store.get(guide.id).title == guide.title


def test_an_edit_cannot_change_the_status(store, vocabularies, guide):
    editing.save(store, vocabularies, guide.with_changes(status=Status.WITHDRAWN, title="New"), CURATOR)
    assert store.get(guide.id).status is Status.PUBLISHED


def test_review_approve_and_reject(store, guide):
    with store.write() as writer:
        writer.add(make_product(id="pending-one", status=Status.PENDING_REVIEW))
        writer.add(make_product(id="pending-two", status=Status.PENDING_REVIEW))
    assert editing.approve(store, "pending-one", CURATOR).status is Status.PUBLISHED
    with pytest.raises(ValidationError):
        editing.reject(store, "pending-two", CURATOR, "  ")
    rejected = editing.reject(store, "pending-two", CURATOR, "Not about HRBA")
    assert rejected.status is Status.REJECTED
    assert revisions.history(store, "pending-two")[0].note == "Not about HRBA"
    with pytest.raises(WorkflowError):
        editing.approve(store, guide.id, CURATOR)  # already published


def test_withdraw_keeps_a_tombstone_and_restore_brings_it_back(store, guide):
    with pytest.raises(ValidationError):
        editing.withdraw(store, guide.id, CURATOR, "")
    assert editing.withdraw(store, guide.id, CURATOR, "Superseded").status is Status.WITHDRAWN
    assert store.get(guide.id).status is Status.WITHDRAWN  # still there
    assert editing.restore(store, guide.id, CURATOR).status is Status.PUBLISHED
    assert [r.action for r in revisions.history(store, guide.id)] == ["restore", "withdraw", "create"]


def test_merge_keeps_what_only_the_duplicate_had(store, vocabularies, guide):
    duplicate = make_product(id="guide-copy", status=Status.PENDING_REVIEW, url="https://mirror.example/guide.pdf",
                             themes=("health",), languages=("en", "es"),
                             versions=(LanguageVersion("es", "Guía", "https://example.org/es.pdf"),),
                             links=(Link("https://example.org/annex.pdf", "Annex"),))
    with store.write() as writer:
        writer.add(duplicate)
    kept = editing.merge(store, vocabularies, "guide-copy", guide.id, CURATOR)
    assert kept.themes == ("participation", "accountability", "health")
    assert kept.languages == ("en", "fr", "es") and kept.version("es").title == "Guía"
    assert [link.url for link in kept.links] == ["https://mirror.example/guide.pdf", "https://example.org/annex.pdf"]
    gone = store.get("guide-copy")
    assert (gone.status, gone.replaced_by) == (Status.REJECTED, guide.id)
    with pytest.raises(WorkflowError):
        editing.merge(store, vocabularies, guide.id, guide.id, CURATOR)


def test_revert_restores_an_earlier_revision_as_a_new_one(store, vocabularies, guide):
    first = revisions.history(store, guide.id)[0]
    editing.save(store, vocabularies, guide.with_changes(title="A wrong title", themes=()), CURATOR)
    editing.revert(store, vocabularies, guide.id, first.id, CURATOR)
    back = store.get(guide.id)
    assert back.title == guide.title and back.themes == guide.themes
    latest = revisions.history(store, guide.id)[0]
    assert latest.action == "revert" and {c.name for c in latest.changes} == {"title", "themes"}
    with pytest.raises(WorkflowError):
        editing.revert(store, vocabularies, guide.id, 10_000, CURATOR)


def test_activity_lists_the_latest_changes_across_the_catalogue(store, vocabularies, guide):
    editing.save(store, vocabularies, guide.with_changes(year=2020), CURATOR)
    recent = revisions.activity(store, limit=5)
    assert recent[0].actor == CURATOR and recent[0].changes[0].name == "year"
    assert all(r.actor != "importer:test" for r in revisions.activity(store, include_importers=False))
