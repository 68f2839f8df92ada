"""How the workspace reports an editorial action: a flash message, success or the reason."""

from __future__ import annotations

from typing import Callable

from flask import flash

from catalogue.errors import EditConflict, ProductNotFound, ValidationError, WorkflowError


def problem_text(exc: ValidationError) -> str:
    """Return a validation error's messages as one line."""
    return "; ".join(m for ms in exc.errors.values() for m in ms)


def flash_outcome(action: Callable[[], object], done: str) -> bool:
    """Run `action`; flash `done`, or why it could not be done. Return whether it was done."""
    try:
        action()
    except (ProductNotFound, WorkflowError, EditConflict) as exc:
        flash(str(exc), "error")
    except ValidationError as exc:
        flash(problem_text(exc), "error")
    else:
        flash(done)
        return True
    return False
