"""What an import did: counts of each kind of record by outcome, the records not imported and the warnings about
those imported with something left out. ``summary_lines()`` is what the import_oruk command prints."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

CREATED, UPDATED, UNCHANGED, REMOVED, FAILED = "created", "updated", "unchanged", "removed", "failed"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, REMOVED, FAILED)
KINDS = ("taxonomy", "taxonomy term", "organisation", "membership", "location", "service", "service at location")


@dataclass(frozen=True)
class Problem:
    where: str
    kind: str
    reason: str
    record_id: str = ""

    def __str__(self) -> str:
        subject = f"{self.kind} {self.record_id}".strip()
        return f"{self.where}: {subject}: {self.reason}"


@dataclass
class ImportReport:
    source: str
    partnership: str
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[Problem] = field(default_factory=list)  # records not imported
    warnings: list[Problem] = field(default_factory=list)  # imported, with something left out
    refreshed_services: int = 0

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        if n:
            self.counts[kind][outcome] += n

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(self.total(outcome) for outcome in (CREATED, UPDATED, REMOVED))

    def summary_lines(self) -> list[str]:
        kinds = [kind for kind in KINDS if kind in self.counts] + sorted(set(self.counts) - set(KINDS))
        lines = [f"Imported {self.source} into {self.partnership}", ""]
        lines.append(f"{'':<22}" + "".join(f"{outcome:>11}" for outcome in OUTCOMES))
        for kind in kinds:
            lines.append(f"{kind:<22}" + "".join(f"{self.counts[kind][outcome]:>11}" for outcome in OUTCOMES))
        if not kinds:
            lines.append("Nothing found to import.")
        if self.errors:
            lines += ["", f"Not imported ({len(self.errors)}):"] + [f"  {problem}" for problem in self.errors]
        if self.warnings:
            lines += ["", f"Imported with warnings ({len(self.warnings)}):"]
            lines += [f"  {problem}" for problem in self.warnings]
        return lines
