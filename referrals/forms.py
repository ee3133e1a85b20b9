from __future__ import annotations

import uuid
from datetime import date, datetime, time

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.utils import timezone

from organisations.models import ConditionGroup, Organisation, TaxonomyTerm
from partnership import phones
from partnership.models import Partnership
from partnership.places import normalise_postcode, unknown_district_message

from .models import (
    ACCESSIBILITY_MAX,
    ACTION_NOTE_MAX,
    CANCEL_REASON_MAX,
    LANGUAGE_MAX,
    NAME_MAX,
    NOTE_MAX,
    Carer,
    Prescription,
    Referral,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


class GovDateField(DateInputField):
    """A GOV.UK date input with messages that say which date is wrong."""

    def __init__(self, *, what: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.what = what
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = f"{what[0].upper()}{what[1:]} must include a day, month and year"
        self.error_messages["invalid"] = f"{what[0].upper()}{what[1:]} must be a real date"

    def clean(self, value):
        try:
            return super().clean(value)
        except forms.ValidationError as error:
            if any(e.code == "invalid" or "valid" in str(e.message) for e in error.error_list):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
            raise

    def compress(self, data_list):
        if not data_list or any(part in (None, "") for part in data_list):
            return None
        try:
            day, month, year = (int(part) for part in data_list)
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class PrescriptionForm(forms.Form):
    """The whole prescription on one page: quickest for a GP with two minutes between appointments."""

    organisation = forms.ModelChoiceField(
        label="Referring for", queryset=Organisation.objects.none(), empty_label=None,
        help_text="The organisation you are referring for",
    )
    first_name = forms.CharField(label="First name", max_length=NAME_MAX,
                                 error_messages={"required": "Enter the carer's first name",
                                                 "max_length": "First name must be 100 characters or fewer"})
    last_name = forms.CharField(label="Last name", max_length=NAME_MAX,
                                error_messages={"required": "Enter the carer's last name",
                                                "max_length": "Last name must be 100 characters or fewer"})
    date_of_birth = GovDateField(what="the carer's date of birth", label="Date of birth",
                                 help_text="For example, 27 3 1968")
    postcode = forms.CharField(label="Postcode", max_length=20, help_text="For example, GU1 4AB",
                               error_messages={"required": "Enter the carer's postcode",
                                               "max_length": "Enter a full postcode, like GU1 4AB"})
    phone = forms.CharField(label="Phone number", max_length=30, required=False,
                            help_text="A UK number. A mobile number lets us text the carer their reference",
                            error_messages={"max_length": "Enter a UK phone number, like 01632 960 001 or "
                                                          "07700 900 982"})
    email = forms.EmailField(label="Email address", required=False, help_text="Optional",
                             error_messages={"invalid": "Enter an email address in the correct format, like "
                                                        "name@example.org",
                                             "max_length": "Email address must be 254 characters or fewer"})
    preferred_contact = forms.ChoiceField(label="How would the carer like to be contacted?",
                                          choices=Carer.ContactMethod.choices, widget=forms.RadioSelect,
                                          initial=Carer.ContactMethod.PHONE)
    language = forms.CharField(label="Preferred language", max_length=LANGUAGE_MAX, required=False,
                               initial="English", help_text="The language the carer would like services to use",
                               error_messages={"max_length": "Preferred language must be 60 characters or fewer"})
    needs_interpreter = forms.BooleanField(label="The carer needs an interpreter", required=False)
    accessibility_needs = forms.CharField(
        label="Accessibility needs", required=False, max_length=ACCESSIBILITY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, uses a wheelchair, is deaf and uses British Sign Language",
        error_messages={"max_length": "Accessibility needs must be 500 characters or fewer"},
    )

    relationship = forms.ChoiceField(label="Who do they care for?", choices=Prescription.Relationship.choices,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": "Select who the carer looks after"})
    condition_group = forms.ModelChoiceField(
        label="Main condition of the person cared for", queryset=ConditionGroup.objects.all(), required=False,
        empty_label="Not known or prefer not to say",
    )
    lives_together = forms.ChoiceField(label="Do they live together?", choices=YES_NO, widget=forms.RadioSelect,
                                       required=False)

    needs = forms.ModelMultipleChoiceField(
        label="What support does the carer need?", queryset=TaxonomyTerm.objects.none(),
        widget=forms.CheckboxSelectMultiple, help_text="Select all that apply",
        error_messages={"required": "Select at least one kind of support the carer needs"},
    )
    urgency = forms.ChoiceField(label="How urgent is it?", choices=Prescription.Urgency.choices,
                                widget=forms.RadioSelect, initial=Prescription.Urgency.ROUTINE)
    note = forms.CharField(
        label="Note for the services", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything that will help them support the carer. Do not include details the carer has not "
                  "agreed to share.",
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    consent_given = forms.BooleanField(
        label="The carer agrees to share these details with the services I choose", required=False,
    )
    consent_method = forms.ChoiceField(label="How did they agree?", choices=Prescription.ConsentMethod.choices,
                                       widget=forms.RadioSelect, required=False)
    consent_date = GovDateField(what="the date the carer agreed", label="When did they agree?", required=False,
                                help_text="For example, 27 3 2026")

    def __init__(self, *args, partnership: Partnership, organisations: list[Organisation], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        self.only_organisation = organisations[0] if len(organisations) == 1 else None
        if self.only_organisation is not None:
            # Most workers refer for one organisation: no question to answer.
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].required = False
        self.fields["needs"].queryset = TaxonomyTerm.objects.needs_of(partnership).filter(parent__isnull=True)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.select("organisation") if len(organisations) > 1 else Field("organisation"),
            Fieldset(
                Field.text("first_name", field_width=Fluid.ONE_HALF, autocomplete="off", spellcheck="false"),
                Field.text("last_name", field_width=Fluid.ONE_HALF, autocomplete="off", spellcheck="false"),
                Field("date_of_birth"),
                Field.text("postcode", field_width=10, autocomplete="off"),
                Field.text("phone", field_width=20, type="tel", autocomplete="off"),
                Field.text("email", field_width=Fluid.ONE_HALF, autocomplete="off", spellcheck="false"),
                Field.radios("preferred_contact", legend_size=Size.SMALL, small=True, inline=True),
                Field.text("language", field_width=20),
                Field.checkbox("needs_interpreter", small=True),
                Field.textarea("accessibility_needs"),
                legend="About the carer", legend_size=Size.MEDIUM, legend_tag="h2",
            ),
            Fieldset(
                Field.radios("relationship", legend_size=Size.SMALL, small=True),
                Field.select("condition_group"),
                Field.radios("lives_together", legend_size=Size.SMALL, small=True, inline=True),
                legend="The person they care for", legend_size=Size.MEDIUM, legend_tag="h2",
            ),
            Fieldset(
                Field.checkboxes("needs", legend_size=Size.SMALL, small=True),
                Field.radios("urgency", legend_size=Size.SMALL, small=True),
                Field.textarea("note"),
                legend="What they need", legend_size=Size.MEDIUM, legend_tag="h2",
            ),
            Fieldset(
                Field.checkbox("consent_given"),
                Field.radios("consent_method", legend_size=Size.SMALL, small=True, inline=True),
                Field("consent_date"),
                legend="Consent", legend_size=Size.MEDIUM, legend_tag="h2",
            ),
        )

    def clean_organisation(self) -> Organisation:
        return self.cleaned_data.get("organisation") or self.only_organisation

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if not postcode or " " not in postcode:
            raise forms.ValidationError("Enter a full postcode, like GU1 4AB")
        unknown = unknown_district_message(postcode)
        if unknown:
            raise forms.ValidationError(unknown)
        return postcode

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        if phones.parse(raw) is None:
            raise forms.ValidationError("Enter a UK phone number, like 01632 960 001 or 07700 900 982")
        return phones.display(raw)

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born >= today:
            raise forms.ValidationError("The carer's date of birth must be in the past")
        if born.year < today.year - 120:
            raise forms.ValidationError("Enter a real date of birth")
        return born

    def clean(self) -> dict:
        cleaned = super().clean()
        phone, email = cleaned.get("phone", ""), cleaned.get("email", "")
        if not phone and not email and "email" not in self.errors and "phone" not in self.errors:
            self.add_error("phone", "Enter a phone number or an email address, so the services can contact the "
                                    "carer")
        preferred = cleaned.get("preferred_contact")
        if preferred == Carer.ContactMethod.TEXT and phone and not phones.is_mobile(phone):
            self.add_error("phone", "Enter a mobile number to send the carer text messages, or choose another way "
                                    "to contact them")
        elif preferred == Carer.ContactMethod.TEXT and not phone and "phone" not in self.errors:
            self.add_error("phone", "Enter a mobile number, or choose another way to contact the carer")
        if preferred == Carer.ContactMethod.EMAIL and phone and not email:
            self.add_error("email", "Enter an email address, or choose another way to contact the carer")
        if preferred == Carer.ContactMethod.PHONE and email and not phone and "phone" not in self.errors:
            self.add_error("phone", "Enter a phone number, or choose email as the way to contact the carer")
        if not cleaned.get("consent_given"):
            self.add_error("consent_given", "The carer must agree to share their details before you can refer "
                                            "them. Without consent, give them the service's contact details "
                                            "from the directory instead.")
        elif not cleaned.get("consent_method"):
            self.add_error("consent_method", "Select how the carer agreed")
        consent_date = cleaned.get("consent_date")
        if cleaned.get("consent_given") and consent_date and consent_date > timezone.localdate():
            self.add_error("consent_date", "The date the carer agreed must be today or in the past")
        return cleaned

    def to_draft(self) -> dict:
        """What the draft keeps: JSON-friendly values, ids not objects."""
        data = self.cleaned_data
        consent_date = data.get("consent_date") or timezone.localdate()
        return {
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "date_of_birth": data["date_of_birth"].isoformat(),
            "postcode": data["postcode"],
            "phone": data.get("phone", "").strip(),
            "email": data.get("email", "").strip().lower(),
            "preferred_contact": data["preferred_contact"],
            "language": data.get("language", "").strip(),
            "needs_interpreter": data.get("needs_interpreter", False),
            "accessibility_needs": data.get("accessibility_needs", "").strip(),
            "relationship": data["relationship"],
            "condition_group": data["condition_group"].pk if data.get("condition_group") else "",
            "lives_together": {"yes": True, "no": False}.get(data.get("lives_together") or ""),
            "needs": [str(term.pk) for term in data["needs"]],
            "urgency": data["urgency"],
            "note": data.get("note", "").strip(),
            "consent_given": True,
            "consent_method": data["consent_method"],
            # Consent given today is stamped now; an earlier date, at the start of that day.
            "consent_given_at": (
                timezone.now() if consent_date == timezone.localdate()
                else timezone.make_aware(datetime.combine(consent_date, time.min))
            ).isoformat(),
        }


class ServiceChoiceForm(forms.Form):
    services = forms.MultipleChoiceField(
        label="Services to send the referral to", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one service to send the referral to"},
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = choices


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label="Why are you declining this referral?", widget=forms.RadioSelect,
                               choices=Referral.DeclineReason.choices,
                               error_messages={"required": "Select why you are declining the referral"})
    note = forms.CharField(label="More detail", required=False, max_length=ACTION_NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="The referrer will see this. Required if you chose another reason.",
                           error_messages={"max_length": "More detail must be 1,000 characters or fewer"})
    suggested_service = forms.ChoiceField(
        label="Suggest another service (optional)", required=False, widget=forms.RadioSelect,
        help_text="The best matches for the carer's needs. The referrer will see your suggestion.",
    )

    def __init__(self, *args, options: list[tuple[str, str]], allowed=None, **kwargs) -> None:
        """`options` are shown (a short ranked list); any service in `allowed` is accepted, so a service
        found by searching can be chosen."""
        super().__init__(*args, **kwargs)
        self.allowed = allowed
        self.fields["suggested_service"].choices = [("", "No suggestion"), *options]
        # Accept what `allowed` holds, not only what is shown: checked in clean_suggested_service.
        self.fields["suggested_service"].valid_value = lambda value: True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("reason", legend_size=Size.SMALL, small=True),
            Field.textarea("note"),
            Field.radios("suggested_service", legend_size=Size.SMALL, small=True),
        )

    def clean_suggested_service(self):
        value = self.cleaned_data.get("suggested_service")
        if not value:
            return None
        try:
            service = self.allowed.filter(pk=uuid.UUID(str(value))).first() if self.allowed is not None else None
        except ValueError:
            service = None
        if service is None:
            raise forms.ValidationError("Choose a service from the list, or no suggestion")
        return service

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("reason") == Referral.DeclineReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why you are declining the referral")
        return cleaned


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="What was the outcome?", widget=forms.RadioSelect,
                                choices=Referral.Outcome.choices,
                                error_messages={"required": "Select the outcome"})
    note = forms.CharField(label="Note", required=False, max_length=ACTION_NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}), help_text="Optional. The referrer will see this.",
                           error_messages={"max_length": "The note must be 1,000 characters or fewer"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.radios("outcome", legend_size=Size.SMALL, small=True),
                                    Field.textarea("note"))


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=ACTION_NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="Optional. For example, left a voicemail.",
                           error_messages={"max_length": "The note must be 1,000 characters or fewer"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why are you cancelling this referral?", max_length=CANCEL_REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="The service will see this.",
                             error_messages={"required": "Say why you are cancelling the referral",
                                             "max_length": "The reason must be 500 characters or fewer"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RerouteForm(forms.Form):
    service = forms.ChoiceField(label="Send to", widget=forms.RadioSelect,
                                error_messages={"required": "Select a service to send the referral to"})

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = choices
