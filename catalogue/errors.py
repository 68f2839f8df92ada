"""Domain errors of the catalogue. The web layer alone maps them to HTTP statuses."""

from __future__ import annotations


class CatalogueError(Exception):
    """Base class for every error the catalogue raises."""


class VocabularyError(CatalogueError):
    """A vocabulary file is missing, malformed or inconsistent."""


class ValidationError(CatalogueError):
    """A product failed validation; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        super().__init__(summary or "invalid product")


class ProductNotFound(CatalogueError):
    """No product has the requested id."""

    def __init__(self, product_id: str):
        self.product_id = product_id
        super().__init__(f"no product with id {product_id!r}")


class StoreError(CatalogueError):
    """The database could not be opened, migrated or written."""


class ImportFileError(CatalogueError):
    """An import source cannot be read at all (missing file, unknown format)."""


class AccountError(CatalogueError):
    """An account cannot be created or changed (unknown user, taken email, bad role)."""


class EditConflict(CatalogueError):
    """The product changed since the editor loaded it; saving would lose someone's work."""


class WorkflowError(CatalogueError):
    """The action does not apply to the product in its current state (e.g. approve a published one)."""


class BackupError(CatalogueError):
    """A backup cannot be written, or an archive cannot be read, verified or restored."""
