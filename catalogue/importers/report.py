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


@dataclass
class ImportReport:
    """The outcome of one import run, record by record."""

    lines: list[ReportLine] = field(default_factory=list)

    def record(self, source: str, line: int, outcome: str, *, kind: str = "product",
               product_id: str | None = None, title: str | None = None,
               reason: str | None = None) -> None:
        """Note the outcome of one record (a product, or a language version of one)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if title is not None and len(title) > 200:
            title = title[:199] + "…"
        self.lines.append(ReportLine(source, line, outcome, kind, product_id, title, reason))

    @property
    def counts(self) -> dict[str, int]:
        """Return how many records ended in each outcome."""
        found = Counter(line.outcome for line in self.lines)
        return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}

    @property
    def rejected(self) -> list[ReportLine]:
        """Return the rejected records, each with its reason."""
        return [line for line in self.lines if line.outcome == "rejected"]

    def summary(self) -> str:
        """Return the one-line summary: `472 added, 0 updated, 0 unchanged, 0 rejected`."""
        kinds = Counter(line.kind for line in self.lines)
        counted = ", ".join(f"{count} {outcome}" for outcome, count in self.counts.items())
        return (f"{counted} ({kinds.get('product', 0)} product records, "
                f"{kinds.get('version', 0)} language-version records)")

    def as_dict(self) -> dict:
        """Return the report as plain data for `--json`."""
        return {"counts": self.counts, "lines": [vars(line) for line in self.lines]}
