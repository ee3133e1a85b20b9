"""Template helpers for GOV.UK Design System markup that crispy-forms-gds does not give us."""

from crispy_forms_gds.templatetags.crispy_forms_gds import field_errors
from django import forms, template
from django.utils import timezone

from partnership import phones

register = template.Library()


@register.filter
def anchor(bound_field) -> str:
    """Where an error summary link about this field should land. A question answered with radios or
    checkboxes has no element with the field's own id: its first option, as the Design System asks
    (crispy-forms-gds numbers the options from 1)."""
    if isinstance(bound_field.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"id_{bound_field.html_name}_1"
    return bound_field.auto_id


@register.filter
def error_links(bound_field) -> list[tuple[str, str]]:
    """(anchor, message) for each of a field's errors, for the error summary."""
    links = []
    for field_id, errors in field_errors(bound_field):
        target = anchor(bound_field) if field_id == bound_field.auto_id else field_id
        links += [(target, error) for error in errors]
    return links


@register.filter
def govuk_datetime(value) -> str:
    """A date and time as GOV.UK writes them: "29 November 2026 at 1:55pm" (not "1:55 p.m."), local time."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


@register.filter
def phone(value) -> str:
    """A stored phone number ('+447700900123') as people write it ('07700 900123')."""
    return phones.display(value or "")
