"""Personal-data export: each app contributes its rows through its AppConfig, so the export is
complete by construction when a model is added (a test walks the models to prove it).

An app's AppConfig may define `export_user_data(user) -> dict[str, Iterable[dict]]`: a name per
table and its rows. Rows are built with `export_rows`, which keeps every field but the integer
keys (never shown outside the server: a related row appears as its uuid) and the secrets named.
"""

import json
from collections.abc import Iterable, Iterator

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

ROW_BATCH = 500


def _value(instance: models.Model, field: models.Field):
    if field.is_relation:
        related = getattr(instance, field.name)
        if related is None:
            return None
        for public in ("uuid", "calculation_uuid"):
            if hasattr(related, public):
                return str(getattr(related, public))
        return str(related)
    return field.value_from_object(instance)


def export_field_names(model: type[models.Model], exclude: Iterable[str] = ()) -> list[str]:
    """The exported columns of a model: every concrete field but `id` and `exclude`."""
    skipped = {"id", *exclude}
    return [field.name for field in model._meta.concrete_fields if field.name not in skipped]


def export_rows(queryset: models.QuerySet, exclude: Iterable[str] = ()) -> Iterator[dict]:
    """The rows of `queryset` as plain dicts, read in batches so a long history streams."""
    model = queryset.model
    names = set(export_field_names(model, exclude))
    fields = [field for field in model._meta.concrete_fields if field.name in names]
    related = [field.name for field in fields if field.is_relation]
    for instance in queryset.select_related(*related).iterator(chunk_size=ROW_BATCH):
        yield {field.name: _value(instance, field) for field in fields}


def user_export_sections(user) -> Iterator[tuple[str, Iterable[dict]]]:
    """(section name, rows) from every app that exports something about `user`."""
    for config in apps.get_app_configs():
        exporter = getattr(config, "export_user_data", None)
        if exporter is not None:
            yield from exporter(user).items()


def user_export_json_chunks(user) -> Iterator[str]:
    """The whole export as JSON text, piece by piece (for a streaming response)."""
    encoder = DjangoJSONEncoder()
    yield "{"
    for index, (name, rows) in enumerate(user_export_sections(user)):
        yield ("," if index else "") + json.dumps(name) + ":["
        for row_index, row in enumerate(rows):
            yield ("," if row_index else "") + encoder.encode(row)
        yield "]"
    yield "}"
