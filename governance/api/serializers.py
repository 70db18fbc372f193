"""What the API says of each record: every field of the model, described by its help text;
schools named by URN; related records by id."""

from typing import Any

from django.db import models
from django_filters.rest_framework import CharFilter, FilterSet
from rest_framework import serializers

from governance.api.writes import SchoolByURN


def model_serializer(
    model: type[models.Model],
    *,
    exclude: tuple[str, ...] = (),
    only: tuple[str, ...] = (),
    name: str = "",
    **declared: Any,
) -> type[serializers.ModelSerializer]:
    """A serializer (class ``name``, by default the model's) of every field of ``model``, or
    ``only`` those, but ``exclude``; any foreign key to a school named by the school's URN.
    Uniqueness and the other rules are the admin's and the portal's forms' to check
    (``governance.api.writes``), so the serializer reads types only."""
    for field in model._meta.get_fields():
        related = getattr(field, "related_model", None)
        if (
            isinstance(field, models.ForeignKey)
            and isinstance(related, type)
            and issubclass(related, models.Model)
            and related._meta.label == "governance.School"
            and field.name not in exclude
        ):
            declared.setdefault(
                field.name,
                SchoolByURN(
                    required=not field.blank,
                    allow_null=field.null,
                    help_text=f"{field.help_text or field.verbose_name.capitalize()} (its URN).",
                ),
            )
    # Every field described: its help text, else its name in words.
    described = {
        field.name: {"help_text": str(getattr(field, "verbose_name", field.name)).capitalize()}
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) and not getattr(field, "help_text", "")
        and field.name not in exclude and field.name not in declared
    }  # fmt: skip
    meta_attrs: dict[str, Any] = {"model": model, "validators": [], "extra_kwargs": described}
    if only:
        meta_attrs["fields"] = list(only)
    elif exclude:
        meta_attrs["exclude"] = exclude
    else:
        meta_attrs["fields"] = "__all__"
    meta = type("Meta", (), meta_attrs)
    return type(name or f"{model.__name__}Serializer", (serializers.ModelSerializer,),
                {"Meta": meta, **declared})  # fmt: skip


def filterset(model: type[models.Model], names: tuple[str, ...] | list[str]) -> type[FilterSet]:
    """The list's filters: ``names`` as django-filter makes them, but a school named by its
    URN (``?school=999101``), as everywhere in the API, not by its database id."""
    declared: dict[str, Any] = {}
    if "school" in names:
        declared["school"] = CharFilter(
            field_name="school__urn", help_text="The school's URN.", label="school"
        )
    meta = type("Meta", (), {"model": model, "fields": [n for n in names if n != "school"]})
    return type(f"{model.__name__}Filter", (FilterSet,), {"Meta": meta, **declared})
