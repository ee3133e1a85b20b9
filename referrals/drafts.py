"""What a prescription keeps between the steps of writing it: one shape, read and written here only.

A draft holds what was typed (to show the form again exactly as it was left), the checked answers once
the form has been completed (JSON-friendly: ids, ISO dates), and the services chosen (None until the
referrer has chosen). Stored in Prescription.draft_data, emptied when the prescription is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

# The keys the stored JSON uses for what was typed and the chosen services; every other key is an answer.
TYPED, SERVICES = "form", "services"


@dataclass(frozen=True)
class Draft:
    typed: dict[str, list[str]] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    services: list[str] | None = None

    @classmethod
    def from_form(cls, form, typed: dict[str, list[str]]) -> Draft:
        """A completed, valid PrescriptionForm: its answers, with what was typed, services not chosen yet."""
        return cls(typed=typed, answers=form.to_draft())

    @classmethod
    def from_json(cls, data: dict | None) -> Draft:
        data = data or {}
        return cls(typed=data.get(TYPED) or {}, services=data.get(SERVICES),
                   answers={key: value for key, value in data.items() if key not in (TYPED, SERVICES)})

    def to_json(self) -> dict:
        return {**self.answers, TYPED: self.typed, SERVICES: self.services}

    def with_typed(self, typed: dict[str, list[str]]) -> Draft:
        """Saved part-way ("Save as draft"): what was typed now; earlier answers and choices kept."""
        return replace(self, typed=typed)

    def with_services(self, service_ids: list[str]) -> Draft:
        return replace(self, services=list(service_ids))

    @property
    def is_complete(self) -> bool:
        """The form has been completed and checked: there is a carer to route for."""
        return bool(self.answers.get("date_of_birth"))

    @property
    def date_of_birth(self) -> date:
        return date.fromisoformat(self.answers["date_of_birth"])

    @property
    def consent_given_at(self) -> datetime | None:
        stamp = self.answers.get("consent_given_at")
        return datetime.fromisoformat(stamp) if stamp else None

    @property
    def need_ids(self) -> list[str]:
        return list(self.answers.get("needs", []))

    @property
    def carer_name(self) -> str:
        """The carer's name as typed so far, for the list of drafts."""
        parts = [(self.typed.get(key) or [""])[0] for key in ("first_name", "last_name")]
        return " ".join(" ".join(parts).split())
