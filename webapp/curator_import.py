"""Bulk import from a spreadsheet through the web (blueprint `curator_import`): upload a CSV
or XLSX file, read the dry-run report (what would be added, updated, rejected and why),
then confirm; the rows land in the review queue."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue.errors import CatalogueError
from webapp import auth
from webapp.services import fill_language, services

blueprint = Blueprint("curator_import", __name__, url_prefix="/curate/import")
MAX_UPLOAD = 20 * 1024 * 1024
KEEP_SECONDS = 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,40}")
EXTENSIONS = (".csv", ".xlsx")


def _uploads() -> Path:
    folder = Path(services().data_dir) / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for old in folder.iterdir():  # uploads nobody confirmed within a day
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _mapping(text: str) -> dict[str, str] | None:
    pairs = [line.split("=", 1) for line in text.splitlines() if "=" in line]
    return {header.strip(): field.strip() for header, field in pairs if header.strip() and field.strip()} or None


def _run(data: bytes, filename: str, form, dry_run: bool):
    from catalogue.importers.spreadsheet import import_table  # noqa: PLC0415

    hub = services()
    source = (form.get("source") or "").strip()[:100] or f"spreadsheet:{filename}"[:100]
    trusted = form.get("trusted") == "1" and auth.current_account().is_admin
    return source, import_table(hub.store, hub.vocabularies, data, filename, source=source,
                                actor=auth.current_account().email, trusted=trusted, dry_run=dry_run,
                                mapping=_mapping(form.get("mapping", "")), suggest=fill_language)


@blueprint.get("/")
@auth.login_required
def start():
    """Choose a spreadsheet to import."""
    return render_template("curator_import/start.html", error=None)


@blueprint.post("/")
@auth.login_required
def dry_run():
    """Read the spreadsheet and report what an import would do, changing nothing yet."""
    request.max_content_length = MAX_UPLOAD
    upload = request.files.get("table")
    filename = Path(upload.filename or "").name if upload else ""
    if not filename.lower().endswith(EXTENSIONS):
        return render_template("curator_import/start.html",
                               error=_("Choose a CSV or XLSX file.")), 422
    data = upload.read(MAX_UPLOAD + 1)
    try:
        source, report = _run(data, filename, request.form, dry_run=True)
    except CatalogueError as exc:
        return render_template("curator_import/start.html", error=str(exc)), 422
    token = secrets.token_urlsafe(18)
    (_uploads() / token).write_bytes(data)
    return render_template("curator_import/report.html", report=report, token=token, filename=filename,
                           source=source, form=request.form, dry_run=True)


@blueprint.post("/confirm")
@auth.login_required
def confirm():
    """Import the spreadsheet checked in the dry run; the rows wait in the review queue."""
    token = request.form.get("token", "")
    filename = Path(request.form.get("filename", "")).name
    path = _uploads() / token if TOKEN.fullmatch(token) else None
    if path is None or not path.is_file() or not filename.lower().endswith(EXTENSIONS):
        flash(_("That upload has expired; choose the file again."), "error")
        return redirect(url_for("curator_import.start"))
    try:
        source, report = _run(path.read_bytes(), filename, request.form, dry_run=False)
    except CatalogueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("curator_import.start"))
    finally:
        path.unlink(missing_ok=True)
    services().catch_up()
    flash(_("Imported: %(summary)s.", summary=report.summary()))
    return render_template("curator_import/report.html", report=report, token=None, filename=filename,
                           source=source, form=request.form, dry_run=False)
