from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Fluid, Layout, Size
from django import forms

from partnership.models import Partnership, PostcodeDistrict
from partnership.places import normalise_postcode, outcode_of, unknown_district_message

from .models import TaxonomyTerm
from .search import DELIVERY_FIELDS, DirectoryQuery

DISTANCE_CHOICES = [("", "Anywhere they serve"), ("1", "1 mile"), ("3", "3 miles"), ("5", "5 miles"),
                    ("10", "10 miles"), ("25", "25 miles")]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="For example, respite, dementia or benefits",
    )
    needs = forms.ModelMultipleChoiceField(
        label="What support is needed",
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=20,
        help_text="The carer's postcode, or the first half of it, for example GU1 4AB or GU1",
    )
    distance = forms.ChoiceField(label="Distance", choices=DISTANCE_CHOICES, required=False)
    delivery = forms.MultipleChoiceField(
        label="How it is delivered",
        required=False,
        choices=[(key, label.capitalize()) for key, (_, label) in DELIVERY_FIELDS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    free = forms.BooleanField(label="Free services only", required=False)
    accepting = forms.BooleanField(label="Accepting referrals now", required=False)

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.district: PostcodeDistrict | None = None  # the postcode's, once it is cleaned
        self.fields["needs"].queryset = TaxonomyTerm.objects.needs_of(partnership).filter(parent__isnull=True)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("q", field_width=Fluid.FULL),
            Field.text("postcode", field_width=10),
            Field.select("distance"),
            Field.checkboxes("needs", small=True, legend_size=Size.SMALL),
            Field.checkboxes("delivery", small=True, legend_size=Size.SMALL),
            Fieldset(Field.checkbox("free", small=True), Field.checkbox("accepting", small=True),
                     legend="Cost and availability", legend_size=Size.SMALL),
        )

    def clean_postcode(self) -> str:
        raw = self.cleaned_data["postcode"].strip()
        if not raw:
            return ""
        postcode = normalise_postcode(raw)
        if not postcode:
            raise forms.ValidationError("Enter a real postcode, like GU1 4AB, or the first half of it, like GU1")
        # A district we do not know is a typo: searching without it would list services for anywhere.
        self.district = PostcodeDistrict.objects.filter(code=outcode_of(postcode)).first()
        if self.district is None:
            raise forms.ValidationError(unknown_district_message(postcode))
        return postcode

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("distance") and not cleaned.get("postcode") and "postcode" not in self.errors:
            self.add_error("postcode", "Enter a postcode to search by distance")
        return cleaned

    def to_query(self) -> DirectoryQuery:
        data = self.cleaned_data
        district_code = outcode_of(data.get("postcode", ""))
        return DirectoryQuery(
            text=" ".join(data.get("q", "").split()),
            needs=list(data.get("needs") or []),
            district=self.district if district_code else None,
            district_code=district_code,
            within_miles=int(data["distance"]) if data.get("distance") else None,
            delivery=list(data.get("delivery") or []),
            free_only=bool(data.get("free")),
            accepting_only=bool(data.get("accepting")),
        )
