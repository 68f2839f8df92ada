"""Import reports: what a run added, updated, left unchanged and rejected, and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

OUTCOMES = ("added", "updated", "unchanged", "rejected")


@dataclass(frozen=True)
class ReportLine:
    """What happened to one input record."""

    source: str
    line: int
    outcome: str
    kind: str = "product"
    product_id: str | None = None
    title: str | None = None
    reason: str | None = None
    status: str | None = None      # the product's status after the run (pending_review...)


@dataclass
class ImportReport:
    """The outcome of one import run, record by record, and what the run noticed besides."""

    lines: list[ReportLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. ignored columns, records deleted upstream

    def record(self, source: str, line: int, outcome: str, *, kind: str = "product",
               product_id: str | None = None, title: str | None = None,
               reason: str | None = None, status: str | None = None) -> None:
        """Note the outcome of one record (a product, or a language version of one)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if title is not None and len(title) > 200:
            title = title[:199] + "…"
        self.lines.append(ReportLine(source, line, outcome, kind, product_id, title, reason,
                                     status))

    @property
    def counts(self) -> dict[str, int]:
        """Return how many records ended in each outcome."""
        found = Counter(line.outcome for line in self.lines)
        return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}

    @property
    def rejected(self) -> list[ReportLine]:
        """Return the rejected records, each with its reason."""
        return [line for line in self.lines if line.outcome == "rejected"]

    @property
    def pending(self) -> int:
        """Return how many records were added or updated and wait for review."""
        return sum(1 for line in self.lines
                   if line.outcome in ("added", "updated") and line.status == "pending_review")

    def short_summary(self) -> str:
        """Return `3 added, 0 updated, 1 unchanged, 1 rejected; 3 waiting for review`."""
        counted = ", ".join(f"{count} {outcome}" for outcome, count in self.counts.items())
        return f"{counted}; {self.pending} waiting for review"

    def summary(self) -> str:
        """Return the one-line summary: `472 added, 0 updated, 0 unchanged, 0 rejected`."""
        kinds = Counter(line.kind for line in self.lines)
        counted = ", ".join(f"{count} {outcome}" for outcome, count in self.counts.items())
        return (f"{counted} ({kinds.get('product', 0)} product records, "
                f"{kinds.get('version', 0)} language-version records)")

    def as_dict(self) -> dict:
        """Return the report as plain data for `--json`."""
        return {"counts": self.counts, "pending": self.pending, "notes": list(self.notes),
                "lines": [vars(line) for line in self.lines]}
