"""The rows the migrations load (postcode districts, condition groups) and the content types, put back when
a transactional test has emptied every table."""

import importlib

from django.apps import apps as django_apps
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType

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
    # The outbox names a carer or a service by its content type. A flush after a serialized-rollback test
    # leaves none, and ids cached before a flush are stale: forget them and make any that are missing.
    if not ContentType.objects.exists():
        ContentType.objects.clear_cache()
        for app_config in django_apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
