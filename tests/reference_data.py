"""The rows the migrations load (postcode districts, condition groups), put back when a transactional
test has emptied every table."""

import importlib

from django.apps import apps as django_apps

from organisations.models import ConditionGroup
from partnership.models import PostcodeDistrict

_REFERENCE_DATA = [
    (PostcodeDistrict, "partnership.migrations.0002_postcode_districts_and_trigram", "load_districts"),
    (ConditionGroup, "organisations.migrations.0003_search_indexes_and_condition_groups", "create_condition_groups"),
]


def load_reference_data() -> None:
    for model, module, function in _REFERENCE_DATA:
        if not model.objects.exists():
            getattr(importlib.import_module(module), function)(django_apps, None)
