"""The prescription draft: one shape between the steps, read and written by referrals/drafts.py only."""

from __future__ import annotations

from datetime import date

from referrals.drafts import Draft

STORED = {  # the shape drafts saved before the Draft class still have
    "first_name": "Margaret", "date_of_birth": "1961-03-14", "needs": ["7"],
    "consent_given_at": "2026-12-01T09:30:00+00:00",
    "form": {"first_name": ["Margaret"], "last_name": [" Okafor "]}, "services": ["a1"],
}


def test_a_draft_stored_earlier_reads_back_the_same():
    draft = Draft.from_json(STORED)
    assert draft.to_json() == STORED
    assert draft.is_complete and draft.date_of_birth == date(1961, 3, 14) and draft.need_ids == ["7"]
    assert draft.consent_given_at.hour == 9 and draft.services == ["a1"]
    assert draft.carer_name == "Margaret Okafor"


def test_saving_part_way_keeps_earlier_answers_and_choices():
    saved = Draft.from_json(STORED).with_typed({"first_name": ["Maggie"]})
    assert saved.answers["first_name"] == "Margaret" and saved.services == ["a1"]
    assert saved.carer_name == "Maggie"


def test_an_empty_draft_is_not_complete_and_has_no_name():
    draft = Draft.from_json({})
    assert not draft.is_complete and draft.carer_name == "" and draft.services is None
    assert Draft.from_json(None).to_json() == {"form": {}, "services": None}
